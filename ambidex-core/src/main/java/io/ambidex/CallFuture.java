package io.ambidex;

import io.ambidex.context.internal.Registry;
import io.ambidex.internal.Calls;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import io.ambidex.internal.Timers;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The future of one operation, as handed to callers: they can wait for it, compose it and
 * <em>cancel</em> it, but not complete it.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Cancellation propagates</b>: {@code cancel(mayInterrupt)} cancels the stage the
 *       operation is waiting on at that moment (the transport call, the sleep, the inner step),
 *       which a plain {@code CompletableFuture} does not do.
 *   <li><b>Completion is refused</b>: {@code complete}, {@code completeExceptionally}, {@code
 *       completeAsync} and the {@code obtrude} methods throw {@link UnsupportedOperationException}.
 *       Only the operation completes its future, so no caller can forge another caller's result.
 *   <li><b>Timeouts work</b>: {@code orTimeout} and {@code completeOnTimeout} are supported and
 *       run on a shared daemon timer thread; {@code orTimeout} does not cancel the operation (use
 *       {@link Async#withTimeout} for that).
 *   <li><b>Derived stages</b> ({@code thenApply}, {@code copy}, ...) are plain {@code
 *       CompletableFuture}s, as usual; their continuations run on the thread that completes this
 *       future, or on the caller's thread if it is already complete.
 * </ul>
 *
 * @param <T> the operation's result type
 */
public final class CallFuture<T extends @Nullable Object> extends CompletableFuture<T> {
  private static final String REFUSED =
      "A CallFuture is completed only by the operation it represents. To stop the operation,"
          + " cancel the future; to substitute a value, derive a new stage (handle, exceptionally,"
          + " completeOnTimeout on a copy()).";

  static {
    Calls.install(
        new Calls.Access() {
          @Override
          public <T extends @Nullable Object> CallFuture<T> create(String operation) {
            return new CallFuture<>(operation);
          }

          @Override
          public <T extends @Nullable Object> boolean succeed(CallFuture<T> future, T value) {
            return future.succeed(value);
          }

          @Override
          public boolean fail(CallFuture<?> future, Throwable failure) {
            return future.fail(failure);
          }

          @Override
          public void dependOn(CallFuture<?> future, @Nullable Future<?> upstream) {
            future.dependOn(upstream);
          }
        });
  }

  private final String operation;
  private volatile @Nullable Future<?> upstream;

  /** Creates an incomplete future for {@code operation}. Package-private: created by Ambidex. */
  CallFuture(String operation) {
    this.operation = operation;
  }

  /**
   * Returns a future that completes as {@code stage} does (failures unwrapped from {@code
   * CompletionException}) and whose cancellation cancels {@code stage}. This is how an async
   * facade hands a core's stage to its caller. A {@code CallFuture} is returned as it is.
   *
   * @param operation the operation's name, shown by {@link #toString()}
   * @param stage the core's stage
   * @return a future the caller can cancel but not complete
   */
  @SuppressWarnings("unchecked")
  public static <T extends @Nullable Object> CallFuture<T> of(
      String operation, CompletionStage<? extends T> stage) {
    Objects.requireNonNull(stage, "stage");
    if (stage instanceof CallFuture<?> f) {
      return (CallFuture<T>) f;
    }
    return of(operation, stage, null);
  }

  /**
   * Like {@link #of(String, CompletionStage)}, for values that hold resources: a value that
   * arrives after the future was already completed (typically cancelled by the caller, in a race
   * with the operation's success) is handed to {@code discarded}, which should release it (close a
   * response, return a connection). Without it such a value would be dropped and leak.
   *
   * @param operation the operation's name, shown by {@link #toString()}
   * @param stage the core's stage
   * @param discarded receives a value nobody will see, on the thread that completed the stage;
   *     null to drop it
   * @return a future the caller can cancel but not complete
   */
  public static <T extends @Nullable Object> CallFuture<T> of(
      String operation,
      CompletionStage<? extends T> stage,
      @Nullable Consumer<? super T> discarded) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(stage, "stage");
    CallFuture<T> result = new CallFuture<>(operation);
    CompletableFuture<? extends T> source = Stages.asFuture(stage);
    result.dependOn(source);
    source.whenComplete(
        (value, failure) -> {
          if (failure != null) {
            result.fail(Failures.unwrap(failure));
          } else if (!result.succeed(value) && discarded != null) {
            discarded.accept(value);
          }
        });
    return result;
  }

  /** Returns the name of the operation this future belongs to. */
  public String operation() {
    return operation;
  }

  // ---- internal completion, for the operation only ----

  /*
   * The reference to the stage waited on is dropped only once this completion has won: a cancel
   * that wins instead must still find it, to cancel it (clearing it first let a cancel racing
   * with a losing completion leave that stage running; found by CallFutureLincheckTest).
   */
  boolean succeed(T value) {
    if (super.complete(value)) {
      upstream = null;
      return true;
    }
    return false;
  }

  boolean fail(Throwable failure) {
    if (super.completeExceptionally(failure)) {
      upstream = null;
      return true;
    }
    return false;
  }

  /**
   * Records the stage the operation is waiting on now, so that cancelling this future cancels it.
   * If this future is already cancelled, cancels {@code current} at once.
   */
  void dependOn(@Nullable Future<?> current) {
    upstream = current;
    if (current != null && isCancelled()) {
      current.cancel(true);
    }
  }

  // ---- cancellation ----

  /**
   * Cancels this future and the stage the operation is currently waiting on.
   *
   * @param mayInterruptIfRunning passed on to the upstream stage
   * @return true if this future is now cancelled
   */
  @Override
  public boolean cancel(boolean mayInterruptIfRunning) {
    boolean cancelled = super.cancel(mayInterruptIfRunning);
    Future<?> current = upstream;
    if (cancelled && current != null) {
      upstream = null;
      current.cancel(mayInterruptIfRunning);
    }
    return cancelled;
  }

  // ---- refused operations ----

  /** Refused: throws {@link UnsupportedOperationException}. */
  @Override
  public boolean complete(T value) {
    throw new UnsupportedOperationException(REFUSED);
  }

  /** Refused: throws {@link UnsupportedOperationException}. */
  @Override
  public boolean completeExceptionally(Throwable ex) {
    throw new UnsupportedOperationException(REFUSED);
  }

  /** Refused: throws {@link UnsupportedOperationException}. */
  @Override
  public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier, Executor executor) {
    throw new UnsupportedOperationException(REFUSED);
  }

  /** Refused: throws {@link UnsupportedOperationException}. */
  @Override
  public CompletableFuture<T> completeAsync(Supplier<? extends T> supplier) {
    throw new UnsupportedOperationException(REFUSED);
  }

  /** Refused: throws {@link UnsupportedOperationException}. */
  @Override
  public void obtrudeValue(T value) {
    throw new UnsupportedOperationException(REFUSED);
  }

  /** Refused: throws {@link UnsupportedOperationException}. */
  @Override
  public void obtrudeException(Throwable ex) {
    throw new UnsupportedOperationException(REFUSED);
  }

  // ---- timeouts, reimplemented on the internal completion methods ----

  /**
   * Fails this future with a {@link TimeoutException} if it has not completed within the timeout.
   * The operation itself is not cancelled. The timeout fires on a shared timer thread, inside the
   * context captured by this call ({@link io.ambidex.context.ContextPropagation}).
   */
  @Override
  public CompletableFuture<T> orTimeout(long timeout, TimeUnit unit) {
    if (!isDone()) {
      ScheduledFuture<?> task =
          Timers.shared()
              .schedule(
                  Registry.bind(Registry.capture(), () -> fail(new TimeoutException())),
                  timeout,
                  unit);
      whenComplete((v, e) -> task.cancel(false));
    }
    return this;
  }

  /**
   * Completes this future with {@code value} if it has not completed within the timeout; like
   * {@link #orTimeout}, on the shared timer inside the context captured by this call.
   */
  @Override
  public CompletableFuture<T> completeOnTimeout(T value, long timeout, TimeUnit unit) {
    if (!isDone()) {
      ScheduledFuture<?> task =
          Timers.shared()
              .schedule(Registry.bind(Registry.capture(), () -> succeed(value)), timeout, unit);
      whenComplete((v, e) -> task.cancel(false));
    }
    return this;
  }

  /** Derived stages are plain {@code CompletableFuture}s. */
  @Override
  public <U extends @Nullable Object> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  @Override
  public String toString() {
    Future<?> current = upstream;
    String base = super.toString();
    return "CallFuture[" + operation + "]" + base.substring(base.indexOf('['))
        + (current != null && !isDone() ? " waiting on " + current : "");
  }
}
