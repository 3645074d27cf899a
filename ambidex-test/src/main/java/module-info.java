/**
 * The Ambidex parity test kit: run one JUnit test body against a blocking facade and its async
 * facade ({@link io.ambidex.test.ParityExtension}), and through each flavour ({@link
 * io.ambidex.test.FlavourLenses}); check that the two types have parallel shapes ({@link
 * io.ambidex.test.ApiParity}); soak a blocking facade with interrupts ({@link
 * io.ambidex.test.InterruptSoak}).
 */
module io.ambidex.test {
  requires transitive io.ambidex.core;
  requires transitive org.junit.jupiter.api;
  requires static org.jspecify;
  // FlavourLenses only; optional like the flavours themselves.
  requires static io.ambidex.reactor;
  requires static io.ambidex.rxjava3;
  requires static io.ambidex.mutiny;
  requires static io.ambidex.kotlin;
  requires static kotlin.stdlib;
  requires static kotlinx.coroutines.core;
  requires static reactor.core;
  requires static org.reactivestreams;
  requires static io.reactivex.rxjava3;
  requires static io.smallrye.mutiny;

  exports io.ambidex.test;
}
