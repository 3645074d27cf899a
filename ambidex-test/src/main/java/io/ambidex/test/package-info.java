/**
 * The parity test kit.
 *
 * <ul>
 *   <li>{@link io.ambidex.test.ParityExtension} and {@link io.ambidex.test.ParityTest}: one test
 *       body, run once per facade and transport, with a {@link io.ambidex.test.Parity} that calls
 *       the operation on whichever facade the run is for and hands back its outcome the same way
 *       (a value, or the exception the operation failed with).
 *   <li>{@link io.ambidex.test.ApiParity}: fails when a blocking type and its async type drift
 *       apart (names, parameters, result types).
 *   <li>{@link io.ambidex.test.InterruptSoak}: many blocking calls with interrupts landing at
 *       seeded random moments; fails unless every interrupted call fails with {@code
 *       CallInterruptedException} and none hangs.
 * </ul>
 */
@NullMarked
package io.ambidex.test;

import org.jspecify.annotations.NullMarked;
