package io.ambidex.control;

import io.ambidex.internal.Deadlines;
import io.ambidex.internal.Calls;
import io.ambidex.BlockingGuard;
import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.Deadline;
import io.ambidex.IncompleteStageException;
import io.ambidex.OperationTimeoutException;
import io.ambidex.context.ContextPropagator.Scope;
import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import io.ambidex.control.internal.Results;
import io.ambidex.internal.Done;
import io.ambidex.internal.Launch;
import io.ambidex.internal.Stages;
import io.ambidex.internal.Threads;
import io.ambidex.internal.Timers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The runtime of blocking facades: every stage it returns is already complete (but {@link
 * #fork}'s, which the core reads through {@link #await}), so a core on a sync transport and this
 * runtime runs on the caller's thread (and on the threads of {@link #mapConcurrently} and {@link
 * #shielded}, which it waits for, and of {@link #fork}) and its facade reads the result with
 * {@link io.ambidex.Immediate}.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>{@link #sleep}</b>: {@code Thread.sleep} on the calling thread, interruptible (the flag
 *       is restored and the stage fails with {@link CallInterruptedException}), never past the
 *       current {@link Deadline}. The {@link BlockingGuard} is consulted first.
 *   <li><b>{@link #mapConcurrently}</b>: with one task at a time, runs the tasks in order on the
 *       caller's thread (no thread at all). Otherwise starts {@code min(limit, maxConcurrency,
 *       inputs)} threads from the thread factory (virtual by default), each driving its tasks'
 *       stages immediately on that thread; the caller waits for all of them. The first failure
 *       interrupts the others; an interrupt of the caller interrupts all. No thread outlives the
 *       call.
 *   <li><b>{@link #withTimeout}</b>: installs a {@link Deadline} for the call's thread (and the
 *       threads it fans out to), which sleeps and sync transports honour. A stage that is
 *       unexpectedly incomplete is bounded by a timer instead.
 *   <li><b>{@link #emit}</b>: calls the callback; a stage it returns is never waited for, but a
 *       failure it already holds, or an exception the callback throws, fails the operation.
 *   <li><b>{@link #shielded}</b>: runs the cleanup on a new thread from the thread factory
 *       (inside the caller's context, but outside any {@link Deadline}: the operation's deadline,
 *       which may be why the cleanup runs, does not cut it) and waits for it to end, whatever
 *       interrupts the caller
 *       meanwhile: those are not passed on, and the interrupt flag is set again on return if it
 *       was set before or during the wait. The cleanup's sockets are then not the caller's, so
 *       an interrupt of the caller, even one still being delivered, cannot close them.
 *   <li><b>{@link #fork}</b>: starts the task on a new thread from the thread factory, inside
 *       the caller's {@link Deadline} and context, and returns its stage at once (the one stage of
 *       this runtime that may be incomplete); cancelling the stage interrupts the thread. The
 *       thread ends with its task.
 *   <li><b>{@link #await}</b>: waits for a stage on the calling thread, interruptibly and never
 *       past the current {@link Deadline}; the {@link BlockingGuard} is consulted first.
 *   <li><b>{@link #close}</b>: the runtime owns no thread between calls; closing only makes
 *       later calls fail with {@link IllegalStateException}. Calls in progress finish.
 *   <li><b>Context</b>: the threads of {@link #mapConcurrently}, {@link #fork} and {@link
 *       #shielded}, and the timer of an unexpectedly incomplete {@link #withTimeout}, run inside
 *       the caller's context, captured when the call starts ({@link
 *       io.ambidex.context.ContextPropagation}); those of {@link #mapConcurrently} and {@link
 *       #fork} also inside its {@link Deadline}.
 * </ul>
 */
public final class SyncRuntime implements CoreRuntime {
  private static final int DEFAULT_MAX_CONCURRENCY = 64;

  private final ThreadFactory threadFactory;
  private final int maxConcurrency;
  private volatile boolean closed;

  private SyncRuntime(ThreadFactory threadFactory, int maxConcurrency) {
    this.threadFactory = threadFactory;
    this.maxConcurrency = maxConcurrency;
  }

  /** Returns a runtime with virtual threads and at most 64 concurrent tasks per call. */
  public static SyncRuntime create() {
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
    BlockingGuard.check("sleep");
    long nanos = Deadlines.saturatedNanos(duration);
    Deadline deadline = Deadline.current();
    boolean cut = deadline != null && deadline.remainingNanos() < nanos;
    try {
      if (cut) {
        long left = deadline.remainingNanos();
        if (left > 0) {
          TimeUnit.NANOSECONDS.sleep(left);
        }
        return Calls.failed("sleep", deadline.exceeded());
      }
      TimeUnit.NANOSECONDS.sleep(nanos);
      return Results.DONE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Calls.failed("sleep", new CallInterruptedException("sleep"));
    }
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
    List<T> items = new ArrayList<>(inputs);
    int lanes = Math.min(Math.min(limit, maxConcurrency), items.size());
    if (lanes == 0) {
      return Calls.completed("mapConcurrently", List.of());
    }
    return lanes == 1 ? inSequence(items, task) : onThreads(items, lanes, task);
  }

  private static <T extends @Nullable Object, R extends @Nullable Object>
      CompletionStage<List<R>> inSequence(
          List<T> items, Function<? super T, ? extends CompletionStage<R>> task) {
    List<R> results = new ArrayList<>(items.size());
    for (T item : items) {
      try {
        results.add(runTask(task, item));
      } catch (Throwable failure) {
        return Calls.failed("mapConcurrently", failure);
      }
    }
    return Calls.completed("mapConcurrently", Collections.unmodifiableList(results));
  }

  private static <T extends @Nullable Object, R extends @Nullable Object> R runTask(
      Function<? super T, ? extends CompletionStage<R>> task, T item) {
    CompletableFuture<R> f =
        Stages.asFuture(Objects.requireNonNull(task.apply(item), "task returned a null stage"));
    if (!f.isDone() && f.cancel(true)) {
      throw new IncompleteStageException("mapConcurrently task");
    }
    return Done.value(f);
  }

  @SuppressWarnings("try") // a context scope is closed, never read
  private <T extends @Nullable Object, R extends @Nullable Object>
      CompletionStage<List<R>> onThreads(
          List<T> items, int lanes, Function<? super T, ? extends CompletionStage<R>> task) {
    BlockingGuard.check("mapConcurrently");
    Object[] results = new Object[items.size()];
    AtomicInteger next = new AtomicInteger();
    AtomicReference<@Nullable Throwable> firstFailure = new AtomicReference<>();
    Thread[] workers = new Thread[lanes];
    Launch[] launches = new Launch[lanes];
    Deadline deadline = Deadline.current();
    Snapshot context = Registry.capture();
    Runnable lane =
        () -> {
          Deadlines.bind(deadline);
          try (Scope scope = context.restore()) {
            while (firstFailure.get() == null) {
              int i = next.getAndIncrement();
              if (i >= items.size()) {
                return;
              }
              try {
                results[i] = runTask(task, items.get(i));
              } catch (Throwable failure) {
                if (firstFailure.compareAndSet(null, failure)) {
                  interruptAll(workers);
                }
                return;
              }
            }
          } finally {
            Deadlines.restore(null);
          }
        };
    int started = 0;
    try {
      for (; started < lanes; started++) {
        launches[started] = prepare(lane);
        workers[started] = launches[started].thread();
      }
      for (Launch l : launches) {
        l.start();
      }
    } catch (RuntimeException | Error startFailure) {
      firstFailure.compareAndSet(null, startFailure);
      interruptAll(workers);
    }
    boolean interrupted = joinAll(workers, firstFailure);
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable failure = firstFailure.get();
    if (failure != null) {
      return Calls.failed("mapConcurrently", failure);
    }
    @SuppressWarnings("unchecked")
    List<R> list = (List<R>) Collections.unmodifiableList(Arrays.asList(results));
    return Calls.completed("mapConcurrently", list);
  }

  private static boolean joinAll(Thread[] workers, AtomicReference<@Nullable Throwable> failure) {
    boolean interrupted = false;
    for (Thread t : workers) {
      if (t == null || t.getState() == Thread.State.NEW) {
        continue;
      }
      while (true) {
        try {
          t.join();
          break;
        } catch (InterruptedException e) {
          interrupted = true;
          failure.compareAndSet(null, new CallInterruptedException("mapConcurrently"));
          interruptAll(workers);
        }
      }
    }
    return interrupted;
  }

  /* The factory's thread for `body`, which runs only once started (a started one is refused). */
  private Launch prepare(Runnable body) {
    return Launch.prepare(threadFactory, body, "SyncRuntime");
  }

  @Override
  public <T extends @Nullable Object> CompletionStage<T> shielded(
      String name, Supplier<? extends CompletionStage<T>> cleanup) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(cleanup, "cleanup");
    ensureOpen("shielded");
    BlockingGuard.check("shielded");
    /*
     * Why not run the cleanup on the caller with its interrupt flag cleared: Thread.interrupt()
     * sets the flag first and only then closes the interruptible channel its target is blocked
     * in. So an interrupt that has already woken the caller, and whose flag the caller has
     * already cleared, may still close the channel of the
     * cleanup's next request if the interrupting thread was descheduled in between. Cleanup I/O
     * on a thread nobody else knows is safe from that; the caller only parks in join(), where no
     * channel can be closed.
     */
    AtomicReference<@Nullable CompletionStage<T>> outcome = new AtomicReference<>();
    // Outside the operation's Deadline: the cleanup typically runs because that deadline passed.
    Launch launch = prepare(onCallersBehalf(name, cleanup, null, outcome::set));
    Thread t = launch.thread();
    boolean interrupted = Thread.interrupted();
    try {
      launch.start();
      // Interrupts meanwhile are kept for afterwards: the cleanup goes on.
      interrupted |= Threads.joinUninterruptibly(t);
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
    return Objects.requireNonNull(outcome.get(), "the shielded thread ended without an outcome");
  }

  /*
   * The body of a shielded or forked thread: runs `work` inside `deadline` (null: none) and the
   * context the caller has now (captured here, at the call) and hands its stage, which must be
   * complete when `work` returns, or the failure it threw, to `outcome`.
   */
  @SuppressWarnings("try") // a context scope is closed, never read
  private static <T extends @Nullable Object> Runnable onCallersBehalf(
      String name,
      Supplier<? extends CompletionStage<T>> work,
      @Nullable Deadline deadline,
      Consumer<CompletionStage<T>> outcome) {
    Snapshot context = Registry.capture();
    return () -> {
      Deadlines.bind(deadline);
      try (Scope scope = context.restore()) {
        outcome.accept(settled(name, work));
      } catch (Throwable failure) {
        outcome.accept(Calls.failed(name, failure));
      } finally {
        Deadlines.restore(null);
      }
    };
  }

  /* The cleanup's stage, which on this runtime must be complete when cleanup returns. */
  private static <T extends @Nullable Object> CompletionStage<T> settled(
      String name, Supplier<? extends CompletionStage<T>> cleanup) {
    CompletionStage<T> stage =
        Objects.requireNonNull(cleanup.get(), "cleanup returned a null stage");
    CompletableFuture<T> f = Stages.asFuture(stage);
    if (!f.isDone() && f.cancel(true)) {
      return Calls.failed(name, new IncompleteStageException(name));
    }
    return stage;
  }

  @Override
  public <T extends @Nullable Object> CompletionStage<T> fork(
      String name, Supplier<? extends CompletionStage<T>> task) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(task, "task");
    ensureOpen("fork");
    CallFuture<T> result = Calls.create(name);
    // A FutureTask, so that cancelling the result (which cancels its upstream) interrupts the
    // thread while the task runs, and keeps the task from starting if it has not yet.
    FutureTask<@Nullable Void> run =
        new FutureTask<>(
            onCallersBehalf(
                name,
                task,
                Deadline.current(),
                stage -> {
                  CompletableFuture<T> f = Stages.asFuture(stage);
                  Throwable failure = Done.failure(f);
                  if (failure == null) {
                    Calls.succeed(result, f.getNow(null));
                  } else {
                    Calls.fail(result, failure);
                  }
                }),
            null);
    Calls.dependOn(result, run);
    try {
      prepare(run).start();
    } catch (RuntimeException | Error startFailure) {
      Calls.fail(result, startFailure);
    }
    return result;
  }

  @Override
  public <T extends @Nullable Object> CompletionStage<T> await(
      String name, CompletionStage<T> stage) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(stage, "stage");
    ensureOpen("await");
    CompletableFuture<T> f = Stages.asFuture(stage);
    if (f.isDone()) {
      return stage;
    }
    BlockingGuard.check(name);
    Deadline deadline = Deadline.current();
    try {
      if (deadline == null) {
        f.get();
      } else {
        f.get(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Calls.failed(name, new CallInterruptedException(name));
    } catch (TimeoutException e) {
      return Calls.failed(name, deadline.exceeded());
    } catch (ExecutionException | CancellationException e) {
      // complete: its outcome is read from the stage
    }
    return stage;
  }

  private static void interruptAll(Thread[] workers) {
    for (Thread t : workers) {
      if (t != null && t != Thread.currentThread()) {
        t.interrupt();
      }
    }
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
    Deadline previous = Deadlines.install(timeout, name);
    CompletionStage<T> stage;
    try {
      stage = Objects.requireNonNull(operation.get(), "operation returned a null stage");
    } finally {
      Deadlines.restore(previous);
    }
    CompletableFuture<T> f = Stages.asFuture(stage);
    if (f.isDone()) {
      return stage;
    }
    // Not what a sync core should produce, but bound it anyway rather than let it run forever.
    Snapshot context = Registry.capture(f); // a capture that throws cancels the operation
    CallFuture<T> result = Calls.create(name);
    Calls.dependOn(result, f);
    ScheduledFuture<?> timer =
        Timers.shared()
            .schedule(
                Registry.bind(
                    context,
                    () -> {
                      OperationTimeoutException timedOut =
                          new OperationTimeoutException(name, timeout);
                      if (Calls.fail(result, Calls.withFailuresSoFar(timedOut, f))) {
                        f.cancel(true);
                      }
                    }),
                Deadlines.saturatedNanos(timeout),
                TimeUnit.NANOSECONDS);
    f.whenComplete(
        (v, e) -> {
          timer.cancel(false);
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
    Throwable failure = f.isDone() ? Done.failure(f) : null;
    return failure == null ? Results.DONE : Calls.failed("callback", failure);
  }

  /** The factory of this runtime's threads; task groups opened on it use it too. */
  public ThreadFactory threadFactory() {
    return threadFactory;
  }

  /** Returns true. */
  @Override
  public boolean isBlocking() {
    return true;
  }

  /** Marks the runtime closed; returns a completed stage. Idempotent. */
  @Override
  public CompletionStage<@Nullable Void> close() {
    closed = true;
    return Results.DONE;
  }

  private void ensureOpen(String method) {
    if (closed) {
      throw new IllegalStateException(
          "SyncRuntime." + method + " was called after the runtime was closed; create a new"
              + " runtime (or do not close it while its core is in use).");
    }
  }

  @Override
  public String toString() {
    return "SyncRuntime[maxConcurrency=" + maxConcurrency + (closed ? ", closed]" : "]");
  }

  /** Builds a {@link SyncRuntime}. Not thread-safe. */
  public static final class Builder {
    private @Nullable ThreadFactory threadFactory;
    private int maxConcurrency = DEFAULT_MAX_CONCURRENCY;

    private Builder() {}

    /**
     * Sets the factory of the threads this runtime starts: the lanes of {@link #mapConcurrently},
     * and the threads of {@link #shielded} and {@link #fork}. The default makes virtual threads
     * named {@code ambidex-sync-N}.
     *
     * @param threadFactory must return a new, unstarted thread for every call; if it returns null
     *     or a thread that was already started, the call that needed the thread fails with
     *     {@link IllegalStateException} and the started thread never runs the runtime's work
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
      return this;
    }

    /**
     * Sets the most tasks one {@link #mapConcurrently} call runs at once, whatever limit the
     * core asks for.
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

    /** Builds the runtime. */
    public SyncRuntime build() {
      ThreadFactory factory =
          threadFactory != null
              ? threadFactory
              : Thread.ofVirtual().name("ambidex-sync-", 0).factory();
      return new SyncRuntime(factory, maxConcurrency);
    }
  }
}
