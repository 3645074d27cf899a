package io.ambidex.stream.internal;

import io.ambidex.AsyncCloseable;
import io.ambidex.control.internal.Results;
import io.ambidex.stream.AsyncIterator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * flatMap: items of the inner iterator made from each outer item, in order. An exhausted inner
 * iterator is closed (and its close awaited) before the next outer item is pulled, so at most one
 * inner iterator is open at a time. A run of empty inner iterators over immediate sources is
 * crossed in one loop (see DerivedIterator).
 *
 * Close: closes the current inner iterator and the outer one. close() may race with the pull that
 * opens a new inner iterator; the pull publishes `inner` and then checks `closed`, close() sets
 * `closed` and then reads `inner` (both volatile), so at least one of them closes it (closing is
 * idempotent).
 */
public final class FlatMapIterator<T extends @Nullable Object, R extends @Nullable Object>
    extends DerivedIterator<R> {
  private static final int OUTER = 0;
  private static final int INNER = 1;
  private static final int CLOSING_INNER = 2;

  private final AsyncIterator<T> outer;
  private final Function<? super T, ? extends AsyncIterator<? extends R>> mapper;
  private final List<? extends AsyncCloseable> alsoOwned;
  private volatile @Nullable AsyncIterator<? extends R> inner;
  private int phase;
  private boolean ready;

  /**
   * @param alsoOwned closed with this iterator, besides the outer and current inner iterators:
   *     the iterators of concat(List), which the result owns from the start
   */
  public FlatMapIterator(
      AsyncIterator<T> outer,
      Function<? super T, ? extends AsyncIterator<? extends R>> mapper,
      List<? extends AsyncCloseable> alsoOwned) {
    super("flatMap iterator");
    this.outer = outer;
    this.mapper = mapper;
    this.alsoOwned = alsoOwned;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    ensureOpen("hasNext");
    return ready ? Results.TRUE : pull();
  }

  @Override
  CompletionStage<?> start() {
    AsyncIterator<? extends R> current = inner;
    if (current != null) {
      phase = INNER;
      return current.hasNext();
    }
    phase = OUTER;
    return outer.hasNext();
  }

  @Override
  CompletionStage<?> advance(@Nullable Object value, @Nullable Throwable failure)
      throws Throwable {
    if (failure != null) {
      throw failure;
    }
    switch (phase) {
      case OUTER -> {
        if (!Iteration.has(value)) {
          return NO;
        }
        AsyncIterator<? extends R> opened = mapper.apply(outer.next());
        if (opened == null) {
          throw new NullPointerException("The flatMap function returned null, not an iterator");
        }
        inner = opened;
        if (isClosed()) {
          Iteration.closeQuietly(opened);
          throw Iteration.closed(name, "hasNext");
        }
        phase = INNER;
        return opened.hasNext();
      }
      case INNER -> {
        if (Iteration.has(value)) {
          ready = true;
          return YES;
        }
        phase = CLOSING_INNER;
        return Iteration.closeQuietly(java.util.Objects.requireNonNull(inner));
      }
      default -> {
        inner = null;
        phase = OUTER;
        return outer.hasNext();
      }
    }
  }

  @Override
  public R next() {
    ensureOpen("next");
    AsyncIterator<? extends R> current = inner;
    if (!ready || current == null) {
      throw Iteration.noItem(name);
    }
    ready = false;
    return current.next();
  }

  @Override
  CompletionStage<?> closeOwned() {
    AsyncIterator<? extends R> current = inner;
    CompletionStage<?> closing = Iteration.closeQuietly(outer);
    if (current != null) {
      closing = Iteration.both(Iteration.closeQuietly(current), closing);
    }
    for (AsyncCloseable other : alsoOwned) {
      if (other != current) {
        closing = Iteration.both(closing, Iteration.closeQuietly(other));
      }
    }
    return closing;
  }
}
