package io.ambidex.internal;

import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * A {@code Future} that is only a cancellation hook: given to {@link Calls#dependOn}, it lets the
 * cancellation of a {@code CallFuture} reach something that is not a stage (a producer run, a
 * task group). It has no result: {@code get} fails.
 */
public abstract class CancelHook implements Future<@Nullable Void> {
  /** For subclasses. */
  protected CancelHook() {}

  @Override
  public final @Nullable Void get() throws ExecutionException {
    throw new ExecutionException(new UnsupportedOperationException("not a result"));
  }

  @Override
  public final @Nullable Void get(long timeout, TimeUnit unit) throws ExecutionException {
    throw new ExecutionException(new UnsupportedOperationException("not a result"));
  }
}
