package io.ambidex.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/** Reading the outcome of a future that is known to be complete. Not API. */
public final class Done {
  private Done() {}

  /**
   * Returns the value of a completed future or throws its failure unwrapped (unchecked failures
   * and errors as they are, checked ones wrapped in a {@code CompletionException}).
   */
  public static <T extends @Nullable Object> T value(CompletableFuture<T> done) {
    try {
      return done.join();
    } catch (CancellationException e) {
      throw (CancellationException) Failures.unwrap(e); // the original, not JDK 23+'s wrapper
    } catch (CompletionException e) {
      Throwable cause = Failures.unwrap(e);
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw e;
    }
  }

  /** Returns the unwrapped failure of a completed future, or null if it succeeded. */
  public static @Nullable Throwable failure(CompletableFuture<?> done) {
    if (!done.isCompletedExceptionally()) {
      return null;
    }
    try {
      done.join();
      return null;
    } catch (CancellationException | CompletionException e) {
      return Failures.unwrap(e);
    }
  }
}
