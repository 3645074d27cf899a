/**
 * What generated Mutiny facades call: {@link io.ambidex.mutiny.MutinyFacades}. Hand-written
 * Mutiny wrappers over an Ambidex async facade may call it too, to get the same laziness,
 * cancellation and failure types as the generated ones.
 */
@NullMarked
package io.ambidex.mutiny;

import org.jspecify.annotations.NullMarked;
