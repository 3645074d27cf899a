/**
 * Run-time support of the Project Reactor facades the Ambidex processor generates ({@code
 * @AsyncCore(reactor = "...")}): single results as {@code Mono}, streams as {@code Flux}. The
 * application brings reactor-core (3.7 or later); this module only adapts the async facade's
 * futures and publishers to it.
 */
module io.ambidex.reactor {
  requires transitive io.ambidex.core;
  requires transitive reactor.core;
  requires transitive org.reactivestreams;
  requires static transitive org.jspecify;

  exports io.ambidex.reactor;
}
