/**
 * The Micrometer bridge of {@link io.ambidex.context.ContextPropagation}; see {@link
 * io.ambidex.context.micrometer.MicrometerContextPropagator}.
 */
@NullMarked
package io.ambidex.context.micrometer;

import org.jspecify.annotations.NullMarked;
