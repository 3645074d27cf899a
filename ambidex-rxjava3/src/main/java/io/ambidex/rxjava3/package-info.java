/**
 * What generated RxJava 3 facades call: {@link io.ambidex.rxjava3.RxJavaFacades}. Hand-written
 * RxJava wrappers over an Ambidex async facade may call it too, to get the same laziness,
 * cancellation and failure types as the generated ones.
 */
@NullMarked
package io.ambidex.rxjava3;

import org.jspecify.annotations.NullMarked;
