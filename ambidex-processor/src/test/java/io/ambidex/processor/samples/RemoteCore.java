package io.ambidex.processor.samples;

import io.ambidex.facade.FacadeSupport;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import io.ambidex.annotations.Bridge;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;

/** A core whose stages complete on another thread, so its blocking facade really waits. */
@AsyncCore(blocking = "RemoteClient", async = "AsyncRemoteClient", bridge = Bridge.BLOCKING_WAIT)
final class RemoteCore {
  private final Executor executor;
  private final List<CompletableFuture<?>> pending = new CopyOnWriteArrayList<>();

  private RemoteCore(Executor executor) {
    this.executor = executor;
  }

  @BlockingFactory
  @AsyncFactory
  static RemoteCore over(Executor executor) {
    return new RemoteCore(executor);
  }

  /**
   * Echoes a message from another thread.
   *
   * @param message the message
   * @return the message
   * @throws StoreException if the message is "missing"
   */
  public CompletionStage<String> echo(String message) throws StoreException {
    return CompletableFuture.supplyAsync(
        () -> {
          if (message.equals("missing")) {
            throw new java.util.concurrent.CompletionException(new StoreException(message));
          }
          return message;
        },
        executor);
  }

  /**
   * Never completes; its stages are recorded so that tests can see them cancelled.
   *
   * @return a stage that never completes on its own
   */
  public CompletionStage<String> hang() {
    CompletableFuture<String> stage = new CompletableFuture<>();
    pending.add(stage);
    return stage;
  }

  /** Returns the stages handed out by {@link #hang()}. */
  public List<CompletableFuture<?>> hanging() {
    return pending;
  }

  /**
   * Publishes 1 to {@code count} from another thread.
   *
   * @param count how many numbers
   * @return the numbers
   */
  public Flow.Publisher<Integer> count(int count) {
    return FacadeSupport.publisher(
        "RemoteCore.count",
        new io.ambidex.stream.AsyncIterator<Integer>() {
          private int next = 1;

          @Override
          public CompletionStage<Boolean> hasNext() {
            return CompletableFuture.supplyAsync(() -> next <= count, executor);
          }

          @Override
          public Integer next() {
            return next++;
          }

          @Override
          public CompletionStage<Void> close() {
            return CompletableFuture.completedFuture(null);
          }
        });
  }
}
