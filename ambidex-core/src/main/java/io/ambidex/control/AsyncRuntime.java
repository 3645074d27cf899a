package io.ambidex.control;

import io.ambidex.internal.Deadlines;
import io.ambidex.internal.Calls;
import io.ambidex.CallFuture;
import io.ambidex.Deadline;
import io.ambidex.OperationTimeoutException;
import io.ambidex.context.ContextPropagator.Scope;
import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import io.ambidex.control.internal.Results;
import io.ambidex.internal.DrainLoop;
import io.ambidex.internal.LoopThreads;
import io.ambidex.internal.Stages;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The runtime of async facades: waiting and concurrency without blocking any thread.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Context</b>: a sleep or timeout captures the caller's context ({@link
 *       io.ambidex.context.ContextPropagation}) when it is started and completes inside it, on
 *       whichever thread fires it; tasks that {@link #mapConcurrently} starts later, on the
 *       thread that completed an earlier one, run inside the context of the fan-out's caller.
 *   <li><b>Timer</b>: the runtime owns one daemon platform thread, {@code ambidex-async-timer-N},
 *       started on the first {@link #sleep} or {@link #withTimeout} and stopped by {@link
 *       #close}. A runtime that never waits owns no thread. The {@link io.ambidex.BlockingGuard}
 *       refuses to let a blocking bridge park the timer thread (a continuation that runs there and
 *       blocks would wait for the thread that must complete it): use the async API there, or a
 *       {@linkplain Builder#completionExecutor completion executor} whose threads may block.
 *   <li><b>Which thread continues</b>: a sleep completes on the timer thread, which then runs the
 *       core's continuation, unless the builder set a {@linkplain Builder#completionExecutor
 *       completion executor}; a sleep that executor refuses fails, on the timer thread, with
 *       {@link java.util.concurrent.RejectedExecutionException}. Inside a {@link
 *       io.ambidex.CallerDrained} call, sleeps and timeouts started on
 *       the draining thread fire on that thread instead, and the timer is not used.
 *   <li><b>{@link #mapConcurrently}</b>: {@link Async#parallel} with {@code min(limit,
 *       maxConcurrency)} permits: no thread of its own.
 *   <li><b>{@link #withTimeout}</b>: a timer cancels the operation's stage and fails the result
 *       with {@link OperationTimeoutException}.
 *   <li><b>{@link #emit}</b>: a stage returned by the callback is waited for (without blocking)
 *       before the operation goes on; its failure, or an exception the callback throws, fails the
 *       operation.
 *   <li><b>{@link #shielded}</b>: runs the cleanup at once on the calling thread, outside any
 *       {@link Deadline}; cancelling the operation it belongs to does not cancel it.
 *   <li><b>{@link #close}</b>: stops the timer; sleeps still pending are cancelled, so the
 *       operations waiting on them fail with {@link CancellationException}. The returned stage
 *       completes when the timer thread has ended. Later calls throw {@link
 *       IllegalStateException}.
 * </ul>
 */
public final class AsyncRuntime implements CoreRuntime {
  private static final AtomicInteger IDS = new AtomicInteger();
  private static final int DEFAULT_MAX_CONCURRENCY = 64;

  private final int id = IDS.incrementAndGet();
  private final int maxConcurrency;
  private final @Nullable Executor completionExecutor;
  private final Set<CallFuture<?>> pending = ConcurrentHashMap.newKeySet();
  private final CallFuture<@Nullable Void> terminated = Calls.create("AsyncRuntime.close");
  private @Nullable ScheduledThreadPoolExecutor timer; // guarded by this
  private volatile boolean closed;

  private AsyncRuntime(int maxConcurrency, @Nullable Executor completionExecutor) {
    this.maxConcurrency = maxConcurrency;
    this.completionExecutor = completionExecutor;
  }

  /** Returns a runtime whose continuations run on its timer thread. */
  public static AsyncRuntime create() {
    return builder().build();
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public CompletionStage<@Nullable Void> sleep(Duration duration) {
    Objects.requireNonNull(duration, "duration");
    if (duration.isNegative()) {
      throw new IllegalArgumentException("duration must not be negative, but was " + duration);
    }
    ensureOpen("sleep");
    if (duration.isZero()) {
      return Results.DONE;
    }
    CallFuture<@Nullable Void> sleep = Calls.create("sleep");
    // The continuations run where the sleep completes: inside the caller's context.
    Snapshot context = Registry.capture();
    Calls.dependOn(
        sleep, schedule(() -> complete(sleep, context), Deadlines.saturatedNanos(duration), sleep));
    return sleep;
  }

  @SuppressWarnings("try") // a context scope is closed, never read
  private void complete(CallFuture<@Nullable Void> sleep, Snapshot context) {
    Executor e = completionExecutor;
    if (e == null) {
      try (Scope scope = context.restore()) {
        Calls.succeed(sleep, null);
      }
    } else {
      try {
        e.execute(Registry.bind(context, () -> Calls.succeed(sleep, null)));
      } catch (RuntimeException refused) {
        // Nobody else would ever complete the sleep: fail it here, on the timer thread.
        try (Scope scope = context.restore()) {
          Calls.fail(sleep, new RejectedExecutionException(
              "The AsyncRuntime's completion executor refused to complete a sleep ("
                  + refused + "); keep that executor running while the runtime is in use, or"
                  + " close the runtime before shutting the executor down",
              refused));
        }
      }
    }
  }

  /*
   * Schedules on the caller-drained loop of this thread if there is one, else on the timer. The
   * owner future is tracked so that close() can cancel it if the timer never fires.
   */
  private Future<?> schedule(Runnable task, long nanos, CallFuture<?> owner) {
    DrainLoop loop = DrainLoop.current();
    if (loop != null) {
      return loop.schedule(task, nanos, () -> owner.cancel(false));
    }
    pending.add(owner);
    owner.whenComplete((v, e) -> pending.remove(owner));
    Future<?> scheduled = timer().schedule(task, nanos, TimeUnit.NANOSECONDS);
    if (closed) {
      owner.cancel(false); // lost a race with close()
    }
    return scheduled;
  }

  private synchronized ScheduledThreadPoolExecutor timer() {
    ensureOpen("sleep");
    ScheduledThreadPoolExecutor t = timer;
    if (t == null) {
      t =
          new ScheduledThreadPoolExecutor(
              1,
              runnable ->
                  Thread.ofPlatform()
                      .name("ambidex-async-timer-" + id)
                      .daemon(true)
                      .unstarted(
                          () -> {
                            // The guard refuses to park this thread: every sleep and timeout of
                            // the runtime, including what a blocked continuation waits for, fires
                            // here.
                            LoopThreads.enter(
                                "the timer thread of an AsyncRuntime, which completes its sleeps"
                                    + " and timeouts, where a blocking call would deadlock"
                                    + " waiting for itself");
                            try {
                              runnable.run();
                            } finally {
                              Calls.succeed(terminated, null);
                            }
                          }));
      t.setRemoveOnCancelPolicy(true);
      timer = t;
    }
    return t;
  }

  @Override
  public <T extends @Nullable Object, R extends @Nullable Object>
      CompletionStage<List<R>> mapConcurrently(
          List<? extends T> inputs,
          int limit,
          Function<? super T, ? extends CompletionStage<R>> task) {
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(task, "task");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, but was " + limit);
    }
    ensureOpen("mapConcurrently");
    return Async.parallel(inputs, Math.min(limit, maxConcurrency), task);
  }

  @Override
  public <T extends @Nullable Object> CompletionStage<T> withTimeout(
      Duration timeout, String name, Supplier<? extends CompletionStage<T>> operation) {
    Objects.requireNonNull(timeout, "timeout");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(operation, "operation");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, but was " + timeout);
    }
    ensureOpen("withTimeout");
    CompletionStage<T> stage =
        Objects.requireNonNull(operation.get(), "operation returned a null stage");
    CompletableFuture<T> f = Stages.asFuture(stage);
    if (f.isDone()) {
      return stage;
    }
    Snapshot context = Registry.capture(f); // a capture that throws cancels the operation
    CallFuture<T> result = Calls.createReporting(name);
    Calls.dependOn(result, f);
    Future<?> timeoutTask =
        schedule(
            Registry.bind(
                context,
                () -> {
                  Calls.cut(result, f); // its settling is the result's
                  OperationTimeoutException timedOut = new OperationTimeoutException(name, timeout);
                  if (Calls.fail(result, Calls.withFailuresSoFar(timedOut, f))) {
                    f.cancel(true);
                  }
                }),
            Deadlines.saturatedNanos(timeout),
            result);
    f.whenComplete(
        (v, e) -> {
          timeoutTask.cancel(false);
          Calls.settle(result, v, e);
        });
    return result;
  }

  @Override
  public <E> CompletionStage<@Nullable Void> emit(
      @Nullable AsyncCallback<? super E> callback, E event) {
    ensureOpen("emit");
    if (callback == null) {
      return Results.DONE;
    }
    CompletionStage<?> returned;
    try {
      returned = callback.call(event);
    } catch (Throwable thrown) {
      return Calls.failed("callback", thrown);
    }
    if (returned == null) {
      return Results.DONE;
    }
    CompletableFuture<?> f = Stages.asFuture(returned);
    CallFuture<@Nullable Void> done = Calls.create("callback");
    Calls.dependOn(done, f);
    f.whenComplete((v, e) -> Calls.settle(done, null, e));
    return done;
  }

  /**
   * Runs {@code cleanup} at once, on the calling thread, outside any {@link Deadline} bound to
   * it: a cancellation or the deadline of the operation it belongs to does not reach the stage it
   * returns.
   */
  @Override
  public <T extends @Nullable Object> CompletionStage<T> shielded(
      String name, Supplier<? extends CompletionStage<T>> cleanup) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cleanup, "cleanup");
    ensureOpen("shielded");
    Deadline previous = Deadlines.bind(null);
    try {
      return CoreRuntime.super.shielded(name, cleanup);
    } finally {
      Deadlines.restore(previous);
    }
  }

  /** Starts {@code task} at once, on the calling thread, and returns its stage. */
  @Override
  public <T extends @Nullable Object> CompletionStage<T> fork(
      String name, Supplier<? extends CompletionStage<T>> task) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(task, "task");
    ensureOpen("fork");
    return CoreRuntime.super.fork(name, task);
  }

  /** Returns {@code stage} as it is. */
  @Override
  public <T extends @Nullable Object> CompletionStage<T> await(
      String name, CompletionStage<T> stage) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(stage, "stage");
    ensureOpen("await");
    return stage;
  }

  /** Returns false. */
  @Override
  public boolean isBlocking() {
    return false;
  }

  /**
   * Stops the timer and cancels pending sleeps. Idempotent.
   *
   * @return a stage that completes when the timer thread has ended (at once if it never started)
   */
  @Override
  public CompletionStage<@Nullable Void> close() {
    ScheduledThreadPoolExecutor t;
    synchronized (this) {
      closed = true;
      t = timer;
    }
    if (t == null) {
      Calls.succeed(terminated, null);
    } else {
      t.shutdownNow();
    }
    for (CallFuture<?> f : pending) {
      f.cancel(false);
    }
    return terminated;
  }

  private void ensureOpen(String method) {
    if (closed) {
      throw new IllegalStateException(
          "AsyncRuntime." + method + " was called after the runtime was closed; create a new"
              + " runtime (or do not close it while its core is in use).");
    }
  }

  @Override
  public String toString() {
    return "AsyncRuntime[id=" + id + ", maxConcurrency=" + maxConcurrency
        + ", pendingTimers=" + pending.size() + (closed ? ", closed]" : "]");
  }

  /** Builds an {@link AsyncRuntime}. Not thread-safe. */
  public static final class Builder {
    private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;
    private @Nullable Executor completionExecutor;

    private Builder() {}

    /**
     * Sets the most tasks one {@link #mapConcurrently} call keeps in flight, whatever limit the
     * core asks for. Default 64.
     *
     * @param maxConcurrency at least 1
     * @return this builder
     */
    public Builder maxConcurrency(int maxConcurrency) {
      if (maxConcurrency < 1) {
        throw new IllegalArgumentException(
            "maxConcurrency must be at least 1, but was " + maxConcurrency);
      }
      this.maxConcurrency = maxConcurrency;
      return this;
    }

    /**
     * Sets the executor that completes sleeps, and so runs the core's continuations after them,
     * instead of the timer thread. Use it when continuations may be slow. If the executor refuses
     * a completion (it was shut down, or its {@code execute} throws), the sleep fails with a
     * {@link RejectedExecutionException} whose cause is the refusal; keep the executor running
     * while the runtime is in use.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder completionExecutor(Executor executor) {
      this.completionExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /** Builds the runtime. */
    public AsyncRuntime build() {
      return new AsyncRuntime(maxConcurrency, completionExecutor);
    }
  }
}
