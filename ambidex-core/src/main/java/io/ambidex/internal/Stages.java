package io.ambidex.internal;

import io.ambidex.CallFuture;
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
    // Fast path for the common classes. Not every CompletableFuture subclass supports the
    // CompletableFuture API: minimalCompletionStage() returns one that throws, so anything else
    // goes through toCompletableFuture(), which returns `this` for ordinary subclasses.
    Class<?> type = stage.getClass();
    if (type == CompletableFuture.class || type == CallFuture.class) {
      return (CompletableFuture<T>) stage;
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
