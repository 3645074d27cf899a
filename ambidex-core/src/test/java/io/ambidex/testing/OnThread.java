package io.ambidex.testing;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/** Runs a piece of test code on a given thread and returns its outcome. */
public final class OnThread {
  private OnThread() {}

  /** Runs {@code body} on the thread that {@code factory} makes and returns what it returned or threw. */
  public static <T> CompletableFuture<T> run(Function<Runnable, Thread> factory, Supplier<T> body) {
    CompletableFuture<T> outcome = new CompletableFuture<>();
    Thread t =
        factory.apply(
            () -> {
              try {
                outcome.complete(body.get());
              } catch (Throwable e) {
                outcome.completeExceptionally(e);
              }
            });
    t.start();
    try {
      t.join(TimeUnit.SECONDS.toMillis(10));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return outcome;
  }
}
