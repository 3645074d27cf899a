package io.ambidex.stream.internal;

import io.ambidex.internal.Calls;
import io.ambidex.CallFuture;
import io.ambidex.control.internal.Results;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.internal.Stages;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/*
 * take(n): hasNext() is the source's stage, passed through, until n items have been taken. The
 * n-th next() starts closing the source at once, so its cleanup does not wait for the consumer's
 * own close; the following hasNext() answers false once that close has completed, or fails with
 * its failure. take(0) never pulls: its first hasNext() closes the source.
 */
public final class TakeIterator<T extends @Nullable Object> extends DerivedIterator<T> {
  private final AsyncIterator<T> source;
  private final long limit;
  private long taken;

  public TakeIterator(AsyncIterator<T> source, long limit) {
    super("take iterator");
    this.source = source;
    this.limit = limit;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    ensureOpen("hasNext");
    if (taken < limit) {
      return source.hasNext();
    }
    CompletableFuture<Void> closing = Stages.asFuture(release());
    if (closing.isDone() && !closing.isCompletedExceptionally()) {
      return Results.FALSE;
    }
    CallFuture<Boolean> answer = Calls.create(name + ".hasNext");
    closing.whenComplete((v, failure) -> Calls.settle(answer, false, failure));
    return answer;
  }

  @Override
  public T next() {
    ensureOpen("next");
    if (taken >= limit) {
      throw Iteration.noItem(name);
    }
    T item = source.next();
    if (++taken == limit) {
      release();
    }
    return item;
  }

  @Override
  CompletionStage<?> closeOwned() {
    return source.close();
  }
}
