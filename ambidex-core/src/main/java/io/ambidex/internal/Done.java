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
      Throwable stored = failure(done);
      throw stored instanceof RuntimeException r ? r : e;
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
    // handle() hands over the stored exception itself; join() and get() may wrap a stored
    // CancellationException in a new one (JDK 23+), which would lose its subtype and identity.
    Throwable stored = done.handle((v, e) -> e).getNow(null);
    return stored == null ? null : Failures.unwrap(stored);
  }

  /**
   * Returns the stored failure of a future that {@code get()} reported as {@code reported}: the
   * exception {@code join()} would throw, which for cancellation is the stored instance rather than
   * the fresh one {@code get()} creates.
   */
  public static Throwable failureOf(CompletableFuture<?> done, Throwable reported) {
    if (!done.isDone()) {
      return reported;
    }
    Throwable stored = failure(done);
    return stored != null ? stored : reported;
  }
}
