/**
 * What generated Reactor facades call: {@link io.ambidex.reactor.ReactorFacades}. Hand-written
 * Reactor wrappers over an Ambidex async facade may call it too, to get the same laziness,
 * cancellation and failure types as the generated ones.
 */
@NullMarked
package io.ambidex.reactor;

import org.jspecify.annotations.NullMarked;
