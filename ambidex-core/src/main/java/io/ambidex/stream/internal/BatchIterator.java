package io.ambidex.stream.internal;

import io.ambidex.control.internal.Results;
import io.ambidex.stream.AsyncIterator;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/*
 * batch(size): hasNext() gathers up to `size` items into a list (an immediate source fills a batch
 * in one loop, see DerivedIterator). The last batch may be shorter. If the source fails after some
 * items of a batch were gathered, that partial batch is delivered first and the failure comes from
 * the following hasNext(): no item the source produced is lost.
 */
public final class BatchIterator<T extends @Nullable Object> extends DerivedIterator<List<T>> {
  private static final int MAX_INITIAL_CAPACITY = 1024;

  private final AsyncIterator<T> source;
  private final int size;
  private @Nullable ArrayList<T> gathering;
  private @Nullable List<T> ready;
  private @Nullable Throwable deferred;
  private boolean ended;

  public BatchIterator(AsyncIterator<T> source, int size) {
    super("batch iterator");
    this.source = source;
    this.size = size;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    ensureOpen("hasNext");
    return ready != null ? Results.TRUE : pull();
  }

  @Override
  CompletionStage<?> start() throws Throwable {
    Throwable failure = deferred;
    if (failure != null) {
      throw failure;
    }
    if (ended) {
      return NO;
    }
    return source.hasNext();
  }

  @Override
  CompletionStage<?> advance(@Nullable Object value, @Nullable Throwable failure)
      throws Throwable {
    ArrayList<T> batch = gathering;
    if (failure != null) {
      if (batch == null) {
        throw failure;
      }
      deferred = failure;
      return deliver(batch);
    }
    if (!Iteration.has(value)) {
      ended = true;
      return batch == null ? NO : deliver(batch);
    }
    if (batch == null) {
      batch = new ArrayList<>(Math.min(size, MAX_INITIAL_CAPACITY));
      gathering = batch;
    }
    batch.add(source.next());
    return batch.size() == size ? deliver(batch) : source.hasNext();
  }

  private CompletionStage<?> deliver(ArrayList<T> batch) {
    gathering = null;
    ready = Collections.unmodifiableList(batch);
    return YES;
  }

  @Override
  public List<T> next() {
    ensureOpen("next");
    List<T> batch = ready;
    if (batch == null) {
      throw Iteration.noItem(name);
    }
    ready = null;
    return batch;
  }

  @Override
  CompletionStage<?> closeOwned() {
    return source.close();
  }
}
