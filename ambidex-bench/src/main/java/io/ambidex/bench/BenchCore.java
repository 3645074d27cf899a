package io.ambidex.bench;

import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.SyncRuntime;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import java.util.concurrent.CompletionStage;

/**
 * The benchmark operation as an annotated core: the processor generates {@code BenchClient}
 * (blocking, immediate bridge) and {@code AsyncBenchClient} from it, so {@link FacadeBenchmark} can
 * measure what a generated facade adds over calling the bridge by hand; and its Reactor, RxJava 3
 * and Mutiny facades, which {@link FlavourBenchmark} sets against the hand-written wrappers.
 */
@AsyncCore(
    blocking = "BenchClient",
    async = "AsyncBenchClient",
    reactor = "ReactorBenchClient",
    rxjava3 = "Rx3BenchClient",
    mutiny = "MutinyBenchClient")
final class BenchCore {
  private final Work.SyncTransport transport;
  @SuppressWarnings("unused") // held as a real core would; the operation does not sleep or fan out
  private final CoreRuntime runtime;

  private BenchCore(Work.SyncTransport transport, CoreRuntime runtime) {
    this.transport = transport;
    this.runtime = runtime;
  }

  /** A core on the sync transport, for the blocking facade. */
  @BlockingFactory
  static BenchCore blocking() {
    return new BenchCore(new Work.SyncTransport(), SyncRuntime.create());
  }

  /** The same core for the async facade and the flavour facades. */
  @AsyncFactory
  static BenchCore async() {
    return new BenchCore(new Work.SyncTransport(), AsyncRuntime.create());
  }

  /**
   * The three-step operation of {@link Work}.
   *
   * @param key a key of the form {@code name:id}
   * @return the parsed id
   */
  public CompletionStage<Integer> op(String key) {
    return transport.send(Work.validate(key)).thenApply(Work::parse);
  }
}
