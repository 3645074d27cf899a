package io.ambidex.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** Helpers for reading stages without waiting. Not API. */
public final class Stages {
  private Stages() {}

  /**
   * Returns a {@code CompletableFuture} view of {@code stage}: the stage itself when it is one
   * (the common case, free), otherwise its {@code toCompletableFuture()}, and when that is not
   * supported a future completed by the stage's own callback, which runs at once if the stage has
   * already completed.
   */
  @SuppressWarnings("unchecked")
  public static <T> CompletableFuture<T> asFuture(CompletionStage<? extends T> stage) {
    if (stage instanceof CompletableFuture<?> f) {
      return (CompletableFuture<T>) f;
    }
    try {
      return (CompletableFuture<T>) stage.toCompletableFuture();
    } catch (UnsupportedOperationException notSupported) {
      CompletableFuture<T> copy = new CompletableFuture<>();
      stage.whenComplete(
          (value, failure) -> {
            if (failure != null) {
              copy.completeExceptionally(failure);
            } else {
              copy.complete(value);
            }
          });
      return copy;
    }
  }
}
