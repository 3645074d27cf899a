package io.ambidex.http.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;

/**
 * Stage helpers of this module. Mirrors core's non-exported {@code io.ambidex.internal.Stages}
 * and {@code Failures.unwrap}, which this module cannot use.
 */
public final class Futures {
  private Futures() {}

  /** A {@code CompletableFuture} view of a stage; never throws for minimal stages. */
  @SuppressWarnings("unchecked")
  public static <T> CompletableFuture<T> asFuture(CompletionStage<? extends T> stage) {
    if (stage instanceof CompletableFuture<?> f && f.getClass() == CompletableFuture.class) {
      return (CompletableFuture<T>) f;
    }
    try {
      return (CompletableFuture<T>) stage.toCompletableFuture();
    } catch (UnsupportedOperationException minimal) {
      CompletableFuture<T> copy = new CompletableFuture<>();
      stage.whenComplete(
          (v, e) -> {
            if (e != null) {
              copy.completeExceptionally(e);
            } else {
              copy.complete(v);
            }
          });
      return copy;
    }
  }

  /** Peels {@code CompletionException} and {@code ExecutionException} off a failure. */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Returns the failure of a completed future, unwrapped, or null if it succeeded. */
  public static Throwable failureOf(CompletableFuture<?> done) {
    try {
      done.join();
      return null;
    } catch (CompletionException | java.util.concurrent.CancellationException e) {
      return unwrap(e);
    }
  }
}
