package io.ambidex.bench;

import io.ambidex.synchronizer.Synchronizer;
import io.ambidex.synchronizer.SynchronizerBound;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import io.ambidex.annotations.Bridge;
import java.util.concurrent.CompletionStage;

/**
 * The benchmark operation as a core that lives on a {@link Synchronizer}: the processor generates
 * the typed {@code LoopBenchClient}, so {@link SynchronizerBenchmark} can compare the generated
 * wrapper with the reflective {@code Synchronizer.blocking} proxy.
 */
@AsyncCore(blocking = "LoopBenchClient", async = "AsyncLoopBenchClient", bridge = Bridge.SYNCHRONIZER)
final class LoopBenchCore implements SynchronizerBound {
  private final Synchronizer synchronizer;
  private final Work.Core core = new Work.Core(new Work.SyncTransport());

  private LoopBenchCore(Synchronizer synchronizer) {
    this.synchronizer = synchronizer;
  }

  /**
   * A core on the given Synchronizer, which the facade does not close.
   *
   * @param synchronizer the loop to run on
   */
  @BlockingFactory
  @AsyncFactory
  static LoopBenchCore on(Synchronizer synchronizer) {
    return new LoopBenchCore(synchronizer);
  }

  @Override
  public Synchronizer synchronizer() {
    return synchronizer;
  }

  @Override
  public boolean ownsSynchronizer() {
    return false;
  }

  /**
   * The three-step operation of {@link Work}, run on the loop.
   *
   * @param key a key of the form {@code name:id}
   * @return the parsed id
   */
  public CompletionStage<Integer> op(String key) {
    return core.op(key);
  }
}
