/**
 * Machinery of {@code io.ambidex.rxjava3}, not exported: {@code Single}, {@code Maybe} and
 * {@code Completable} over a future, and the call helpers. May change in any release.
 */
@NullMarked
package io.ambidex.rxjava3.internal;

import org.jspecify.annotations.NullMarked;
