/**
 * Context propagation through Micrometer's {@code context-propagation} library: {@link
 * io.ambidex.context.micrometer.MicrometerContextPropagator} carries every {@code
 * ThreadLocalAccessor} registered in a {@code ContextRegistry} across the core's thread hops. The
 * application brings {@code io.micrometer:context-propagation} (1.1 or later).
 */
module io.ambidex.context.micrometer {
  requires transitive io.ambidex.core;
  requires transitive context.propagation;
  requires static transitive org.jspecify;

  exports io.ambidex.context.micrometer;
}
