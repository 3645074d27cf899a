package io.ambidex;

import io.ambidex.context.internal.Registry;
import io.ambidex.internal.Calls;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import io.ambidex.internal.Timers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
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
 *       {@link io.ambidex.control.Async#withTimeout} for that).
 *   <li><b>Derived stages</b> ({@code thenApply}, {@code copy}, ...) are plain {@code
 *       CompletableFuture}s, as usual; their continuations run on the thread that completes this
 *       future, or on the caller's thread if it is already complete.
 *   <li><b>Done is not over</b>: a cancelled future completes at once, while the operation may
 *       still be cleaning up (closing a resource, aborting an upload). {@link #settled()} tells
 *       when that work has ended, as {@code cancelAndJoin} does for a Kotlin coroutine.
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
          public <T extends @Nullable Object> CallFuture<T> createReporting(String operation) {
            return new CallFuture<>(operation, true);
          }

          @Override
          public void ended(CallFuture<?> future) {
            future.ended();
          }

          @Override
          public void cut(CallFuture<?> future, Future<?> stage) {
            future.ending().cut.add(stage);
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

          @Override
          public void recordFailure(CallFuture<?> future, Throwable failure) {
            future.recordFailure(failure);
          }

          @Override
          public List<Throwable> failuresSoFar(CallFuture<?> future) {
            List<Throwable> met = future.failuresSoFar;
            return met == null ? List.of() : List.copyOf(met);
          }

          @Override
          public void refuseWaits(CallFuture<?> future, Runnable check) {
            future.waitCheck = check;
          }
        });
  }

  /*
   * Stands in `upstream` once the operation has completed this future itself: the operation has
   * nothing left to do, so settled() need not wait for it.
   */
  private static final Future<?> ENDED = CompletableFuture.completedFuture(null);

  private static final VarHandle ENDING;
  private static final VarHandle FAILURES_SO_FAR;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      ENDING = lookup.findVarHandle(CallFuture.class, "ending", Ending.class);
      FAILURES_SO_FAR = lookup.findVarHandle(CallFuture.class, "failuresSoFar", List.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String operation;
  /*
   * True if the operation reports its end even when the future was completed before it (a
   * cancellation, a timeout): then settled() waits for that report. Otherwise the operation has
   * nothing to do after its future is done, beyond the stages its cancellation cut.
   */
  private final boolean reportsEnd;
  private volatile @Nullable Future<?> upstream;
  /* Created on the first cancellation that cuts a stage, or the first settled() that must wait. */
  @SuppressWarnings("unused") // accessed through ENDING
  private volatile @Nullable Ending ending;
  /*
   * Failures the operation met and went past (Async.retry's failed attempts), for a timeout that
   * cuts it to report beside its own. Created on the first; most futures never have one.
   */
  private volatile @Nullable List<Throwable> failuresSoFar;
  /*
   * Run before a blocking wait on this future while it is open, where the bridge knows a wait
   * that can only deadlock (the Synchronizer's loop thread waiting for its own task); null for
   * most futures.
   */
  private volatile @Nullable Runnable waitCheck;

  /** Creates an incomplete future for {@code operation}. Package-private: created by Ambidex. */
  CallFuture(String operation) {
    this(operation, false);
  }

  private CallFuture(String operation, boolean reportsEnd) {
    this.operation = operation;
    this.reportsEnd = reportsEnd;
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
    CallFuture<T> result = new CallFuture<>(operation, true);
    CompletableFuture<? extends T> source = Stages.asFuture(stage);
    result.dependOn(source);
    source.whenComplete(
        (value, failure) -> {
          if (failure != null) {
            result.fail(Failures.unwrap(failure));
          } else if (!result.completedByOperation(value)) {
            try {
              if (discarded != null) {
                discarded.accept(value); // before the end is reported: releasing it is the end
              }
            } finally {
              result.ended();
            }
          }
        });
    return result;
  }

  /**
   * Like {@link #of(String, CompletionStage)}, for an operation whose work can outlast its stage:
   * {@code ended} completes once that work is over, for example after the abort of an upload that
   * a cancellation started, or the removal of a temporary file. The returned future's {@link
   * #settled()} waits for it. Unlike {@code of}, always returns a new future, even for a {@code
   * CallFuture}.
   *
   * @param operation the operation's name, shown by {@link #toString()}
   * @param stage the core's stage
   * @param ended completes (with any outcome) once everything the operation started has ended;
   *     it must complete in every case, or {@code settled()} never will
   * @return a future the caller can cancel but not complete
   */
  public static <T extends @Nullable Object> CallFuture<T> settlingWith(
      String operation, CompletionStage<? extends T> stage, CompletionStage<?> ended) {
    Objects.requireNonNull(ended, "ended");
    CallFuture<T> result = of(operation, stage, null);
    result.ending().cut.add(Stages.asFuture(ended));
    return result;
  }

  /**
   * Returns a future that completes once the operation behind this future has ended: it has
   * stopped, and so has the work it started, including the cleanup a cancellation leaves to do
   * (closing an {@link io.ambidex.control.Async#using} resource, aborting an upload, removing a
   * temporary file). Use it after {@link #cancel} when the program must not go on, or exit,
   * before that cleanup:
   *
   * <pre>{@code
   * upload.cancel(true);
   * upload.settled().get(30, TimeUnit.SECONDS); // the multipart upload is aborted by now
   * }</pre>
   *
   * <p>It completes with null, never exceptionally, whatever this future's outcome. For a future
   * that the operation completed itself, it completes with this future (once the stages the
   * operation cancelled on its way, such as the tasks of a failed fan-out, have settled). For one
   * completed before its operation ended (cancelled, or timed out with {@link #orTimeout}), it
   * completes once the operation reports its end and every stage the cancellation cut short has
   * settled in turn. The combinators of {@link io.ambidex.control.Async}, {@link #of}, {@link
   * #settlingWith} and the Ambidex clients built on them report their ends; a future that other
   * code made settles when it completes and the stage it was waiting on has settled.
   *
   * <p>Each call returns a new future: completing or cancelling it affects nothing else. Its
   * continuations run on the thread that ends the operation, or on the caller's thread if the
   * operation has already ended.
   *
   * @return a future that completes with null once the operation's work is over
   */
  public CompletableFuture<@Nullable Void> settled() {
    if (!isDone()) {
      return handle((v, e) -> null).thenCompose(ignored -> settled());
    }
    if (upstream == ENDED && ending == null) {
      return CompletableFuture.completedFuture(null);
    }
    Ending e = ending();
    // Read after `ending` is published: a completion that wrote ENDED before either sees it or is
    // seen here (ended() completes e.ended).
    CompletableFuture<@Nullable Void> own =
        !reportsEnd || upstream == ENDED ? CompletableFuture.completedFuture(null) : e.ended;
    return own.thenCompose(ignored -> e.cutSettled());
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
    if (completedByOperation(value)) {
      return true;
    }
    ended();
    return false;
  }

  /* Completes with the operation's value; a loss is not yet the operation's end. */
  private boolean completedByOperation(T value) {
    if (super.complete(value)) {
      endedByCompletion();
      return true;
    }
    return false;
  }

  boolean fail(Throwable failure) {
    if (super.completeExceptionally(failure)) {
      endedByCompletion();
      return true;
    }
    ended();
    return false;
  }

  /* The operation won its own completion: it has ended, and nobody can cut its stage any more. */
  private void endedByCompletion() {
    upstream = ENDED;
    Ending e = ending;
    if (e != null) {
      e.ended.complete(null);
    }
  }

  /*
   * The operation has ended after this future was completed from outside (a completion that lost,
   * or a driver that stopped because it found the future done). Does nothing before that: an
   * operation cannot end while its future is still open.
   */
  private void ended() {
    if (upstream != ENDED && isDone()) {
      ending().ended.complete(null);
    }
  }

  private void recordFailure(Throwable failure) {
    List<Throwable> met = failuresSoFar;
    if (met == null) {
      List<Throwable> made = new CopyOnWriteArrayList<>();
      @SuppressWarnings("unchecked")
      List<Throwable> won = (List<Throwable>) FAILURES_SO_FAR.compareAndExchange(this, null, made);
      met = won == null ? made : won;
    }
    met.add(failure);
  }

  private Ending ending() {
    Ending e = ending;
    if (e == null) {
      Ending made = new Ending();
      e = (Ending) ENDING.compareAndExchange(this, null, made);
      if (e == null) {
        e = made;
      }
    }
    return e;
  }

  /**
   * Records the stage the operation is waiting on now, so that cancelling this future cancels it.
   * If this future is already cancelled, cancels {@code current} at once.
   */
  void dependOn(@Nullable Future<?> current) {
    if (upstream == ENDED) {
      return; // the operation completed this future itself; nothing waits on it any more
    }
    upstream = current;
    if (current != null && isCancelled()) {
      ending().cut.add(current);
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
    if (cancelled && current != null && current != ENDED) {
      upstream = null;
      ending().cut.add(current);
      current.cancel(mayInterruptIfRunning);
    }
    return cancelled;
  }

  // ---- waiting ----

  /**
   * Waits for the outcome, as {@link CompletableFuture#get()} does.
   *
   * @throws BlockingNotAllowedException if this future is open and the current thread is the one
   *     that must run the operation for it to complete (a {@link
   *     io.ambidex.synchronizer.Synchronizer}'s loop thread waiting for its own task), where the
   *     wait could only deadlock; compose the stage instead
   */
  @Override
  public T get() throws InterruptedException, ExecutionException {
    checkWait();
    return super.get();
  }

  /**
   * Waits at most the timeout for the outcome, as {@link CompletableFuture#get(long, TimeUnit)}
   * does.
   *
   * @throws BlockingNotAllowedException on the same condition as {@link #get()}
   */
  @Override
  public T get(long timeout, TimeUnit unit)
      throws InterruptedException, ExecutionException, TimeoutException {
    checkWait();
    return super.get(timeout, unit);
  }

  /**
   * Waits for the outcome, as {@link CompletableFuture#join()} does.
   *
   * @throws BlockingNotAllowedException on the same condition as {@link #get()}
   */
  @Override
  public T join() {
    checkWait();
    return super.join();
  }

  private void checkWait() {
    Runnable check = waitCheck;
    if (check != null && !isDone()) {
      check.run();
    }
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
                  Registry.bind(
                      Registry.capture(),
                      () -> super.completeExceptionally(new TimeoutException())),
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
              .schedule(
                  Registry.bind(Registry.capture(), () -> super.complete(value)), timeout, unit);
      whenComplete((v, e) -> task.cancel(false));
    }
    return this;
  }

  /** Derived stages are plain {@code CompletableFuture}s. */
  @Override
  public <U extends @Nullable Object> CompletableFuture<U> newIncompleteFuture() {
    return new CompletableFuture<>();
  }

  /*
   * What the operation still owes after this future was completed from outside: its own report
   * that it has ended, and the settling of the stages the cancellation cut (and, for settlingWith,
   * the stage that marks the end of its cleanup).
   */
  private static final class Ending {
    final CompletableFuture<@Nullable Void> ended = new CompletableFuture<>();
    final Queue<Future<?>> cut = new ConcurrentLinkedQueue<>();

    CompletableFuture<@Nullable Void> cutSettled() {
      List<CompletableFuture<?>> waits = new ArrayList<>();
      for (Future<?> stage : cut) {
        if (stage instanceof CallFuture<?> call) {
          waits.add(call.settled());
        } else if (stage instanceof CompletableFuture<?> plain && !plain.isDone()) {
          waits.add(plain.handle((v, e) -> null));
        }
      }
      return waits.isEmpty()
          ? CompletableFuture.completedFuture(null)
          : CompletableFuture.allOf(waits.toArray(CompletableFuture<?>[]::new));
    }
  }

  @Override
  public String toString() {
    Future<?> current = upstream;
    String base = super.toString();
    return "CallFuture[" + operation + "]" + base.substring(base.indexOf('['))
        + (current != null && !isDone() ? " waiting on " + current : "");
  }
}
