/**
 * Context propagation: a value bound on the caller's thread (an MDC entry, a tracing context, a
 * registered thread-local) stays visible inside the core and its callbacks when the core hops to
 * another thread. {@link io.ambidex.context.ContextPropagator} is the SPI one kind of context
 * implements; {@link io.ambidex.context.ContextPropagation} holds the registered propagators and
 * captures and restores them. Bridges to libraries live in optional modules
 * ({@code ambidex-context-micrometer}).
 *
 * <p>The lowest concept of the core: it depends on nothing else of Ambidex, so that every other
 * package, the call boundary's timers included, may use it.
 */
@NullMarked
package io.ambidex.context;

import org.jspecify.annotations.NullMarked;
