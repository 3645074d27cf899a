package io.ambidex.control.internal;

import io.ambidex.internal.Calls;
import io.ambidex.CallFuture;
import io.ambidex.context.ContextPropagator.Scope;
import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/*
 * The trampoline behind every combinator in Async. A subclass is a state machine: step() receives
 * the outcome of the stage it returned last time and returns the next stage to wait for, or null
 * once it has completed the result.
 *
 * Stack safety: a stage that is already done is read in place and the loop continues, so a
 * million immediately completed steps run in one frame. A stage that is not done gets this driver
 * registered as its callback; if it completes while we register (on another thread, or inline
 * because it completed in between), the REGISTERING -> INLINE handshake hands the outcome back to
 * the loop here instead of recursing. Only a completion that arrives after we returned (WAITING)
 * resumes the loop, on the completing thread, from a fresh frame.
 *
 * Context: the first time the loop must wait (on the thread that started it, the caller's), it
 * captures the registered context propagators; every resumption on a completing thread runs
 * inside that snapshot and closes it before returning the thread. With nothing registered the
 * snapshot is Registry.EMPTY and the driver registers itself, as before: an immediate loop never
 * captures, and a waiting one allocates nothing more. With propagators, a small Resume object
 * carries the snapshot to the completing thread.
 *
 * Cancellation: the stage being waited on is recorded with track(), so cancelling the result
 * cancels it; the loop stops as soon as it sees the result is done, tells halted(), and then
 * reports the end of the operation, for the result's settled().
 */
public abstract class Driver<R extends @Nullable Object> implements BiConsumer<Object, Throwable> {
  private static final int IDLE = 0;
  private static final int REGISTERING = 1;
  private static final int INLINE = 2;
  private static final int WAITING = 3;

  private static final VarHandle PHASE;

  static {
    try {
      PHASE = MethodHandles.lookup().findVarHandle(Driver.class, "phase", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  public final CallFuture<R> result;
  @SuppressWarnings("unused") // accessed through PHASE
  private volatile int phase = IDLE;
  private @Nullable Object pendingValue;
  private @Nullable Throwable pendingFailure;

  public Driver(String operation) {
    this.result = Calls.createReporting(operation);
  }

  /**
   * Advances the state machine. {@code failure} is null when the previous stage succeeded (its
   * value is {@code value}); both are null on the first call.
   *
   * @return the next stage to wait for, or null when the driver is finished
   */
  public abstract @Nullable CompletionStage<?> step(@Nullable Object value, @Nullable Throwable failure)
      throws Throwable;

  /** Records the stage being waited on, so that cancelling the result cancels it. */
  public void track(Future<?> stage) {
    Calls.dependOn(result, stage);
  }

  /** Returns true if the driver should stop because its result is complete. */
  public boolean finished() {
    return result.isDone();
  }

  /**
   * Called once the loop stops because it found its result completed from outside (cancelled)
   * between steps; the driver runs no further step. Runs on the thread that found it. Does nothing
   * unless overridden.
   */
  protected void halted() {}

  public final CallFuture<R> start() {
    run(null, null, null);
    return result;
  }

  /*
   * `context` is null until the first wait captures it; then every later wait passes the same
   * snapshot on, so a resumption on a foreign thread never captures that thread's context.
   */
  private void run(
      @Nullable Object value, @Nullable Throwable failure, @Nullable Snapshot context) {
    Object v = value;
    Throwable f = failure;
    for (; ; ) {
      if (finished()) {
        halted();
        Calls.ended(result);
        return;
      }
      CompletionStage<?> next;
      try {
        next = step(v, f);
      } catch (Throwable t) {
        Calls.fail(result, t);
        return;
      }
      if (next == null) {
        Calls.ended(result); // nothing if the step completed it, or left it to others to complete
        return;
      }
      CompletableFuture<?> future = Stages.asFuture(next);
      if (!future.isDone()) {
        track(future);
        if (context == null) {
          context = Registry.capture(future); // one that throws cancels the awaited stage
        }
        PHASE.setVolatile(this, REGISTERING);
        future.whenComplete(context == Registry.EMPTY ? this : new Resume(this, context));
        if (PHASE.compareAndSet(this, REGISTERING, WAITING)) {
          return;
        }
        v = pendingValue;
        f = pendingFailure;
        pendingValue = null;
        pendingFailure = null;
        continue;
      }
      try {
        v = future.join();
        f = null;
      } catch (CompletionException | CancellationException e) {
        v = null;
        f = Failures.unwrap(e);
      }
    }
  }

  @Override
  public final void accept(@Nullable Object value, @Nullable Throwable failure) {
    resume(value, failure, Registry.EMPTY);
  }

  @SuppressWarnings("try") // a context scope is closed, never read
  private void resume(
      @Nullable Object value, @Nullable Throwable failure, Snapshot context) {
    Throwable f = failure == null ? null : Failures.unwrap(failure);
    if ((int) PHASE.getVolatile(this) == REGISTERING) {
      pendingValue = value;
      pendingFailure = f;
      if (PHASE.compareAndSet(this, REGISTERING, INLINE)) {
        return;
      }
      pendingValue = null;
      pendingFailure = null;
    }
    PHASE.setVolatile(this, IDLE);
    if (context == Registry.EMPTY) {
      run(value, f, context);
      return;
    }
    try (Scope scope = context.restore()) {
      run(value, f, context);
    }
  }

  /** Resumes a driver on the completing thread inside the context its starter had. */
  private record Resume(Driver<?> driver, Snapshot context)
      implements BiConsumer<Object, Throwable> {
    @Override
    public void accept(@Nullable Object value, @Nullable Throwable failure) {
      driver.resume(value, failure, context);
    }
  }
}
