/**
 * The Ambidex parity test kit: run one JUnit test body against a blocking facade and its async
 * facade ({@link io.ambidex.test.ParityExtension}), and check that the two types have parallel
 * shapes ({@link io.ambidex.test.ApiParity}); soak a blocking facade with interrupts ({@link
 * io.ambidex.test.InterruptSoak}).
 */
module io.ambidex.test {
  requires transitive io.ambidex.core;
  requires transitive org.junit.jupiter.api;
  requires static org.jspecify;

  exports io.ambidex.test;
}
