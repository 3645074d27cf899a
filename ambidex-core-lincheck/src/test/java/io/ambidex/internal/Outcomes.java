package io.ambidex.internal;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.jspecify.annotations.Nullable;

/** Test helper: what a completed future failed with. */
public final class Outcomes {
  private Outcomes() {}

  /**
   * Returns the exception {@code done} failed with (unwrapped from {@link CompletionException}),
   * its {@link CancellationException} if it was cancelled, or null if it succeeded. {@code done}
   * must be complete.
   */
  public static @Nullable Throwable failure(CompletableFuture<?> done) {
    try {
      done.join();
      return null;
    } catch (CompletionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    }
  }
}
