package io.ambidex.stream.internal;

import io.ambidex.CallFuture;
import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import io.ambidex.internal.Calls;
import io.ambidex.internal.Stages;
import io.ambidex.stream.AsyncIterator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;

/*
 * resumeOn(source, executor). A hasNext() that the source answers at once is passed through, so a
 * consumer that keeps up pays nothing per item. One the source has not answered yet gets a relay,
 * which a task on the executor completes: whoever waits on the relay goes on there, not on the
 * thread that completed the source's stage (an async transport's I/O thread). A consumer that
 * registers only after the task completed the relay goes on on its own thread, the one it asked
 * from; either way the consumer never runs on the source's thread.
 *
 * Cancelling the relay cancels the source's stage (Calls.dependOn). close() closes the source
 * first (which ends its fetch in flight), then cancels a relay still pending, as DerivedIterator
 * does. The context captured when the relay is made is restored around its completion. An
 * executor that refuses the task fails the relay on the completing thread, the only one left.
 */
public final class ResumeOnIterator<T extends @Nullable Object> implements AsyncIterator<T> {
  private static final String NAME = "resumeOn iterator";

  private final AsyncIterator<T> source;
  private final Executor executor;
  private volatile boolean closed;
  private volatile @Nullable CallFuture<Boolean> pending;

  public ResumeOnIterator(AsyncIterator<T> source, Executor executor) {
    this.source = source;
    this.executor = executor;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    if (closed) {
      throw Iteration.closed(NAME, "hasNext");
    }
    CompletionStage<Boolean> stage = Iteration.stage(source.hasNext(), "hasNext");
    CompletableFuture<Boolean> answer = Stages.asFuture(stage);
    if (answer.isDone()) {
      return stage;
    }
    CallFuture<Boolean> relay = Calls.create(NAME + ".hasNext");
    Calls.dependOn(relay, answer);
    Snapshot context = Registry.capture(answer); // one that throws cancels the source's stage
    pending = relay;
    answer.whenComplete(
        (value, failure) -> {
          if (relay.isDone()) {
            return; // cancelled, or the iterator was closed: nobody waits to be resumed
          }
          Runnable resume =
              Registry.bind(context, () -> Calls.settle(relay, value, failure));
          try {
            executor.execute(resume);
          } catch (RejectedExecutionException refused) {
            Calls.fail(
                relay,
                new IllegalStateException(
                    "The executor of " + NAME + " refused to resume the consumer (was it shut"
                        + " down while the iteration went on?): keep it running until the"
                        + " iterator is closed",
                    refused));
          }
        });
    if (closed) {
      relay.cancel(true);
    }
    return relay;
  }

  @Override
  public T next() {
    if (closed) {
      throw Iteration.closed(NAME, "next");
    }
    return source.next();
  }

  @Override
  public CompletionStage<Void> close() {
    closed = true;
    CompletionStage<Void> closing = source.close();
    CallFuture<Boolean> relay = pending;
    if (relay != null) {
      pending = null;
      relay.cancel(true);
    }
    return closing;
  }

  @Override
  public String toString() {
    return NAME + (closed ? "[closed]" : "");
  }
}
