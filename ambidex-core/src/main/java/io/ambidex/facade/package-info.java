/**
 * What generated facades call ({@link io.ambidex.facade.FacadeSupport}): the bridges for each
 * result shape a core method can have. Hand-written facades may call it too. {@link
 * io.ambidex.facade.FlavourCalls} is what the Reactor, RxJava 3 and Mutiny runtimes share when a
 * subscription starts a facade call.
 *
 * <p>Depends on every other exported package.
 */
@NullMarked
package io.ambidex.facade;

import org.jspecify.annotations.NullMarked;
