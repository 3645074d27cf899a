package io.ambidex.stream.internal;

import io.ambidex.internal.Calls;
import io.ambidex.control.Async;
import io.ambidex.control.internal.Results;
import io.ambidex.stream.AsyncIterator;
import java.util.Iterator;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/*
 * An async iterator over an Iterable: every stage is already complete (the shared TRUE / FALSE),
 * so iterating allocates nothing per item. The Iterable's iterator() is called lazily, on the first
 * hasNext(). A throw from the Iterable or its Iterator fails that hasNext() and every later one.
 */
public final class IterableSource<T extends @Nullable Object> implements AsyncIterator<T> {
  private final Iterable<? extends T> items;
  private @Nullable Iterator<? extends T> iterator;
  private @Nullable Throwable failure;
  private boolean ready;
  private volatile boolean closed;

  public IterableSource(Iterable<? extends T> items) {
    this.items = items;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    if (closed) {
      throw Iteration.closed(toString(), "hasNext");
    }
    if (ready) {
      return Results.TRUE;
    }
    Throwable earlier = failure;
    if (earlier != null) {
      return Calls.failed("hasNext", earlier);
    }
    try {
      Iterator<? extends T> it = iterator;
      if (it == null) {
        it = items.iterator();
        if (it == null) {
          throw new NullPointerException("The Iterable's iterator() returned null");
        }
        iterator = it;
      }
      ready = it.hasNext();
      return ready ? Results.TRUE : Results.FALSE;
    } catch (Throwable t) {
      failure = t;
      return Calls.failed("hasNext", t);
    }
  }

  @Override
  public T next() {
    if (closed) {
      throw Iteration.closed(toString(), "next");
    }
    Iterator<? extends T> it = iterator;
    if (!ready || it == null) {
      throw Iteration.noItem(toString());
    }
    ready = false;
    return it.next();
  }

  @Override
  public CompletionStage<Void> close() {
    closed = true;
    return Results.DONE;
  }

  @Override
  public String toString() {
    return "iterator over " + items.getClass().getSimpleName() + (closed ? " [closed]" : "");
  }
}
