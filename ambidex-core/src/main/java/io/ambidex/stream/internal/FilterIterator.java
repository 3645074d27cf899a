package io.ambidex.stream.internal;

import io.ambidex.control.internal.Results;
import io.ambidex.stream.AsyncIterator;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/*
 * filter: hasNext() pulls source items until one passes the predicate and holds it for next(). A
 * run of rejected items from an immediate source is skipped in one loop (see DerivedIterator).
 */
public final class FilterIterator<T extends @Nullable Object> extends DerivedIterator<T> {
  private final AsyncIterator<T> source;
  private final Predicate<? super T> predicate;
  private boolean ready;
  private @Nullable T item;

  public FilterIterator(AsyncIterator<T> source, Predicate<? super T> predicate) {
    super("filter iterator");
    this.source = source;
    this.predicate = predicate;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    ensureOpen("hasNext");
    return ready ? Results.TRUE : pull();
  }

  @Override
  CompletionStage<?> start() {
    return source.hasNext();
  }

  @Override
  CompletionStage<?> advance(@Nullable Object value, @Nullable Throwable failure)
      throws Throwable {
    if (failure != null) {
      throw failure;
    }
    if (!Iteration.has(value)) {
      return NO;
    }
    T candidate = source.next();
    if (predicate.test(candidate)) {
      item = candidate;
      ready = true;
      return YES;
    }
    return source.hasNext();
  }

  @Override
  public T next() {
    ensureOpen("next");
    if (!ready) {
      throw Iteration.noItem(name);
    }
    T result = item;
    item = null;
    ready = false;
    return result;
  }

  @Override
  CompletionStage<?> closeOwned() {
    return source.close();
  }
}
