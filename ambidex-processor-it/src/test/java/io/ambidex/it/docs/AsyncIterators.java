package io.ambidex.it.docs;

import io.ambidex.stream.AsyncIterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A tiny AsyncIterator over a list, for the docs' samples. */
final class AsyncIterators {
  private AsyncIterators() {}

  static <T> AsyncIterator<T> of(List<T> items) {
    return new AsyncIterator<>() {
      private int next;

      @Override
      public CompletionStage<Boolean> hasNext() {
        return CompletableFuture.completedFuture(next < items.size());
      }

      @Override
      public T next() {
        if (next >= items.size()) {
          throw new NoSuchElementException();
        }
        return items.get(next++);
      }

      @Override
      public CompletionStage<Void> close() {
        return CompletableFuture.completedFuture(null);
      }
    };
  }
}
