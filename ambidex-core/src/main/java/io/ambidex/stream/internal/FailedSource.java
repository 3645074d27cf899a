package io.ambidex.stream.internal;

import io.ambidex.internal.Calls;
import io.ambidex.CallFuture;
import io.ambidex.control.Async;
import io.ambidex.control.internal.Results;
import io.ambidex.stream.AsyncIterator;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/* An async iterator whose every hasNext() fails with the same exception. */
public final class FailedSource<T extends @Nullable Object> implements AsyncIterator<T> {
  private final CallFuture<Boolean> failed;
  private volatile boolean closed;

  public FailedSource(Throwable failure) {
    this.failed = Calls.failed("hasNext", failure);
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    if (closed) {
      throw Iteration.closed("failed iterator", "hasNext");
    }
    return failed;
  }

  @Override
  public T next() {
    if (closed) {
      throw Iteration.closed("failed iterator", "next");
    }
    throw Iteration.noItem("a failed iterator");
  }

  @Override
  public CompletionStage<Void> close() {
    closed = true;
    return Results.DONE;
  }

  @Override
  public String toString() {
    return "failed iterator" + (closed ? " [closed]" : "");
  }
}
