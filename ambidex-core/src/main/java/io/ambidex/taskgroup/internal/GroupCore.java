package io.ambidex.taskgroup.internal;

import io.ambidex.context.internal.Registry;
import io.ambidex.internal.CancelHook;
import io.ambidex.internal.Calls;
import io.ambidex.BlockingGuard;
import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.IncompleteStageException;
import io.ambidex.internal.Cancellations;
import io.ambidex.taskgroup.TaskStatus;
import io.ambidex.internal.Done;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Launch;
import io.ambidex.internal.Stages;
import io.ambidex.internal.Threads;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/*
 * The machinery behind TaskGroup and AsyncTaskGroup, written once: membership, failures,
 * cancellation, closing, and the start()/started() handshake, for children that are threads or
 * stages.
 *
 * Counting: `running` counts every child admitted and not yet finished, including children still
 * in start() (so closing waits for them too). `closing` is set by close(); `closed` once closing
 * and running reached zero, after which admit() refuses. Children may still start siblings while
 * the group is closing, as in trio.
 *
 * Phases of a child: MEMBER (startSoon, or start after started()), STARTING (in start(), before
 * started()), ABANDONED (start() was cancelled before started()), ENDED_EARLY (ended before
 * started()). Only a MEMBER's failure is the group's. The phase changes by CAS, so started()
 * racing with a cancelled start() or with the end of the task has exactly one winner.
 *
 * Failures: the first failure of a member cancels the group: every child is cancelled (threads
 * interrupted, stages cancelled) and new children are not run. A cancelled child's reaction to
 * the cancellation (Cancellations.isReaction) is not a failure; anything else it throws is kept.
 * The group's failure is the first, with the others added as suppressed.
 *
 * Locking: a ReentrantLock (not synchronized, so that virtual threads never pin); children are
 * cancelled and close stages completed outside it.
 */
public final class GroupCore {
  static final int MEMBER = 0;
  static final int STARTING = 1;
  static final int ABANDONED = 2;
  static final int ENDED_EARLY = 3;

  /** Code run by a thread child; Throwable so that a stage's failure passes through as it is. */
  @FunctionalInterface
  public interface Body {
    void run() throws Throwable;
  }

  /** Code run by a thread child started with start(). */
  @FunctionalInterface
  public interface StartableBody<V extends @Nullable Object> {
    void run(TaskStatus<V> status) throws Throwable;
  }

  /** A child as the group sees it. */
  abstract static class Child {
    final AtomicInteger phase;
    volatile boolean cancelledByGroup;
    volatile boolean cancelRequested;

    Child(int phase) {
      this.phase = new AtomicInteger(phase);
    }

    public final void cancel() {
      cancelRequested = true;
      doCancel();
    }

    abstract void doCancel();
  }

  static final class ThreadChild extends Child {
    volatile @Nullable Thread thread;

    ThreadChild(int phase) {
      super(phase);
    }

    void attach(Thread t) {
      thread = t;
      if (cancelRequested) {
        t.interrupt();
      }
    }

    @Override
    void doCancel() {
      Thread t = thread;
      if (t != null) {
        t.interrupt();
      }
    }
  }

  static final class StageChild extends Child {
    volatile @Nullable Future<?> future;

    StageChild(int phase) {
      super(phase);
    }

    void attach(Future<?> f) {
      future = f;
      if (cancelRequested) {
        f.cancel(true);
      }
    }

    @Override
    void doCancel() {
      Future<?> f = future;
      if (f != null) {
        f.cancel(true);
      }
    }
  }

  private final String kind;
  private final @Nullable ThreadFactory threads;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final Set<Child> children = Collections.newSetFromMap(new IdentityHashMap<>());
  private final ArrayDeque<Thread> exited = new ArrayDeque<>();
  private final List<Throwable> failures = new ArrayList<>();
  private int running;
  private boolean closing;
  private boolean closed;
  private boolean cancelled;
  private boolean failureAssembled;
  private @Nullable CallFuture<@Nullable Void> closeStage;

  /**
   * @param kind "TaskGroup" or "AsyncTaskGroup", for messages
   * @param threads the factory of thread children, or null if children are stages
   */
  public GroupCore(String kind, @Nullable ThreadFactory threads) {
    this.kind = kind;
    this.threads = threads;
  }

  public boolean runsThreads() {
    return threads != null;
  }

  // ---- membership ----

  /**
   * Admits a child. Returns false, without admitting it, if the group is cancelled: the child must
   * not run.
   *
   * @throws IllegalStateException if the group is closed
   */
  private boolean admit(Child child, String method) {
    lock.lock();
    try {
      if (closed) {
        throw new IllegalStateException(
            kind + "." + method + " was called after close(): the task group is closed to new"
                + " tasks");
      }
      if (cancelled) {
        return false;
      }
      running++;
      children.add(child);
      while (!exited.isEmpty() && !exited.peekFirst().isAlive()) {
        exited.pollFirst();
      }
      return true;
    } finally {
      lock.unlock();
    }
  }

  /** Records the end of a child; {@code counts} if its failure is the group's. */
  private void finished(Child child, @Nullable Throwable failure, boolean counts) {
    boolean cancelSiblings = false;
    CallFuture<@Nullable Void> toComplete = null;
    lock.lock();
    try {
      children.remove(child);
      if (child instanceof ThreadChild tc && tc.thread == Thread.currentThread()) {
        exited.addLast(Thread.currentThread());
      }
      if (counts && failure != null) {
        Throwable f = Failures.unwrap(failure);
        if (!(child.cancelledByGroup && Cancellations.isReaction(f))) {
          failures.add(f);
          if (!cancelled) {
            cancelled = true;
            cancelSiblings = true;
          }
        }
      }
      running--;
      if (running == 0) {
        idle.signalAll();
        if (closing && !closed) {
          closed = true;
          toComplete = closeStage;
        }
      }
    } finally {
      lock.unlock();
    }
    if (cancelSiblings) {
      cancelChildren();
    }
    if (toComplete != null) {
      completeClose(toComplete);
    }
  }

  // ---- cancellation ----

  /** Cancels the group: every running child now, and children started later are not run. */
  public void cancel() {
    lock.lock();
    try {
      if (cancelled) {
        return;
      }
      cancelled = true;
    } finally {
      lock.unlock();
    }
    cancelChildren();
  }

  public boolean isCancelled() {
    lock.lock();
    try {
      return cancelled;
    } finally {
      lock.unlock();
    }
  }

  private void cancelChildren() {
    List<Child> snapshot;
    lock.lock();
    try {
      snapshot = new ArrayList<>(children);
    } finally {
      lock.unlock();
    }
    for (Child c : snapshot) {
      c.cancelledByGroup = true;
      c.cancel();
    }
  }

  // ---- failures ----

  /** Returns the group's failure (the first, others suppressed), or null. */
  public @Nullable Throwable failure() {
    lock.lock();
    try {
      if (failures.isEmpty()) {
        return null;
      }
      Throwable primary = failures.get(0);
      if (!failureAssembled) {
        failureAssembled = true;
        for (Throwable other : failures.subList(1, failures.size())) {
          if (other != primary) {
            primary.addSuppressed(other);
          }
        }
      }
      return primary;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Combines the failure of a group's owner code with the group's: the owner's failure first,
   * unless it is only a reaction to the group's cancellation, in which case the group's failure
   * comes first.
   */
  public Throwable combine(Throwable ownerFailure) {
    Throwable owner = Failures.unwrap(ownerFailure);
    Throwable group = failure();
    if (group == null || group == owner) {
      return owner;
    }
    if (Cancellations.isReaction(owner)) {
      group.addSuppressed(owner);
      return group;
    }
    owner.addSuppressed(group);
    return owner;
  }

  // ---- closing ----

  /**
   * Waits, blocking, until every child has finished, then closes the group. An interrupt cancels
   * the group and the wait goes on; the interrupt flag is restored before returning.
   *
   * @return true if the caller was interrupted while waiting
   */
  public boolean closeBlocking(String method) {
    Thread me = Thread.currentThread();
    boolean interrupted = false;
    List<Thread> toJoin;
    lock.lock();
    try {
      for (Child c : children) {
        if (c instanceof ThreadChild tc && tc.thread == me) {
          throw new IllegalStateException(
              kind + "." + method + " was called by one of the group's own tasks; it would wait"
                  + " for itself. Close the group from the code that opened it.");
        }
      }
      if (running > 0) {
        BlockingGuard.check(kind + "." + method); // before anything changes
      }
      closing = true;
      while (running > 0) {
        try {
          idle.await();
        } catch (InterruptedException e) {
          if (!interrupted) {
            interrupted = true;
            lock.unlock();
            try {
              cancel();
            } finally {
              lock.lock();
            }
          }
        }
      }
      closed = true;
      toJoin = new ArrayList<>(exited);
      exited.clear();
    } finally {
      lock.unlock();
    }
    // The children have finished; their threads are returning. Wait for them to end.
    for (Thread t : toJoin) {
      interrupted |= Threads.joinUninterruptibly(t);
    }
    if (interrupted) {
      me.interrupt();
    }
    return interrupted;
  }

  /**
   * Closes the group without blocking: the stage completes when every child has finished, with
   * the group's failure if there is one. Cancelling the stage cancels the group. Idempotent.
   */
  public CallFuture<@Nullable Void> closeAsync(String operation) {
    CallFuture<@Nullable Void> stage;
    boolean now;
    lock.lock();
    try {
      if (closeStage != null) {
        return closeStage;
      }
      stage = Calls.create(operation);
      closeStage = stage;
      closing = true;
      now = running == 0;
      if (now) {
        closed = true;
      }
    } finally {
      lock.unlock();
    }
    Calls.dependOn(stage, new GroupCanceller());
    if (now) {
      completeClose(stage);
    }
    return stage;
  }

  private void completeClose(CallFuture<@Nullable Void> stage) {
    Throwable f = failure();
    if (f != null) {
      Calls.fail(stage, f);
    } else {
      Calls.succeed(stage, null);
    }
  }

  /** Cancelling a close stage cancels the group. */
  private final class GroupCanceller extends CancelHook {
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      GroupCore.this.cancel();
      return true;
    }

    @Override
    public boolean isCancelled() {
      return GroupCore.this.isCancelled();
    }

    @Override
    public boolean isDone() {
      return false;
    }

  }

  // ---- thread children ----

  /** Runs {@code body} on a new thread as a member of the group. */
  public void startSoonOnThread(Body body, String method) {
    ThreadChild child = new ThreadChild(MEMBER);
    if (!admit(child, method)) {
      return;
    }
    launch(child, () -> {
      Throwable failure = null;
      try {
        body.run();
      } catch (Throwable t) {
        failure = t;
      }
      finished(child, failure, true);
    });
  }

  /**
   * Runs {@code body} on a new thread and waits, blocking, until it calls started() or ends.
   * Returns the outcome as a completed future: the started() value, or the failure to report. An
   * interrupt of the caller before started() cancels the task, waits for it to end, and fails
   * the outcome with {@link CallInterruptedException} (the interrupt flag is restored).
   */
  public <V extends @Nullable Object> CallFuture<V> startOnThread(
      StartableBody<V> body, String method) {
    ThreadChild child = new ThreadChild(STARTING);
    CallFuture<V> outcome = Calls.create(kind + "." + method);
    Status<V> status = new Status<>(child, outcome);
    if (!admit(child, method)) {
      Calls.fail(outcome, notStarted(method));
      return outcome;
    }
    try {
      BlockingGuard.check(kind + "." + method);
    } catch (RuntimeException refused) {
      finished(child, null, false);
      throw refused;
    }
    launch(child, () -> {
      Throwable failure = null;
      try {
        body.run(status);
      } catch (Throwable t) {
        failure = t;
      }
      endOfStartable(child, outcome, failure);
    });
    boolean interrupted = false;
    while (!outcome.isDone()) {
      try {
        outcome.get();
      } catch (ExecutionException | CancellationException done) {
        break;
      } catch (InterruptedException e) {
        interrupted = true;
        if (child.phase.compareAndSet(STARTING, ABANDONED)) {
          child.cancel();
          Thread t = Objects.requireNonNull(child.thread);
          while (t.isAlive()) {
            try {
              t.join();
            } catch (InterruptedException again) {
              // keep waiting: the task must end before start() returns
            }
          }
          Calls.fail(outcome, new CallInterruptedException(kind + "." + method));
        }
        // Otherwise started() won the race: its value is (about to be) the outcome.
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    return outcome;
  }

  /*
   * `run` ends by calling finished(child); a failed launch calls it instead. Launch guarantees
   * that they exclude each other: a thread the factory had already started is refused and never
   * runs the task, and a start that throws means the task will never run.
   */
  private void launch(ThreadChild child, Runnable run) {
    try {
      // The child runs inside the context of the thread that started it (the caller of start()).
      Launch launch =
          Launch.prepare(Objects.requireNonNull(threads), Registry.bind(Registry.capture(), run),
              kind);
      child.attach(launch.thread());
      launch.start();
    } catch (RuntimeException | Error e) {
      child.thread = null;
      finished(child, null, false);
      throw e;
    }
  }

  // ---- stage children ----

  /** Calls {@code task} now and makes the stage it returns a member of the group. */
  public void startSoonStage(java.util.function.Supplier<? extends CompletionStage<?>> task,
      String method) {
    StageChild child = new StageChild(MEMBER);
    if (!admit(child, method)) {
      return;
    }
    CompletableFuture<?> f = Stages.asFuture(call(() -> task.get()));
    child.attach(f);
    f.whenComplete((v, e) -> finished(child, e, true));
  }

  /** Calls {@code task} now with a status; the returned stage completes at started(). */
  public <V extends @Nullable Object> CallFuture<V> startStage(
      java.util.function.Function<? super TaskStatus<V>, ? extends CompletionStage<?>> task,
      String method) {
    StageChild child = new StageChild(STARTING);
    CallFuture<V> outcome = Calls.create(kind + "." + method);
    Status<V> status = new Status<>(child, outcome);
    if (!admit(child, method)) {
      Calls.fail(outcome, notStarted(method));
      return outcome;
    }
    Calls.dependOn(outcome, new StartCanceller(child));
    CompletableFuture<?> f = Stages.asFuture(call(() -> task.apply(status)));
    child.attach(f);
    f.whenComplete((v, e) -> endOfStartable(child, outcome, e));
    return outcome;
  }

  private static CompletionStage<?> call(
      java.util.function.Supplier<? extends @Nullable CompletionStage<?>> task) {
    try {
      CompletionStage<?> stage = task.get();
      return stage != null
          ? stage
          : CompletableFuture.failedFuture(
              new NullPointerException("the task returned a null stage"));
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
  }

  /** Cancelling the stage of start() before started() cancels the task. */
  private static final class StartCanceller extends CancelHook {
    private final Child child;

    StartCanceller(Child child) {
      this.child = child;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (child.phase.compareAndSet(STARTING, ABANDONED)) {
        child.cancel();
        return true;
      }
      return false;
    }

    @Override
    public boolean isCancelled() {
      return child.phase.get() == ABANDONED;
    }

    @Override
    public boolean isDone() {
      return child.phase.get() != STARTING;
    }

  }

  // ---- the start()/started() handshake ----

  private <V extends @Nullable Object> void endOfStartable(
      Child child, CallFuture<V> outcome, @Nullable Throwable failure) {
    while (true) {
      int phase = child.phase.get();
      if (phase == MEMBER) {
        finished(child, failure, true);
        return;
      }
      if (phase == ABANDONED) {
        finished(child, null, false);
        return;
      }
      if (child.phase.compareAndSet(STARTING, ENDED_EARLY)) {
        Calls.fail(outcome, failure == null ? endedWithoutStarted() : startFailure(child, failure));
        finished(child, null, false);
        return;
      }
    }
  }

  private Throwable startFailure(Child child, Throwable failure) {
    Throwable f = Failures.unwrap(failure);
    if (child.cancelledByGroup && Cancellations.isReaction(f)) {
      CancellationException e =
          new CancellationException(
              "The task group was cancelled (another task failed, or cancel() was called) while"
                  + " this task was starting; it ended without calling started()");
      e.initCause(f);
      return e;
    }
    return f;
  }

  private IllegalStateException endedWithoutStarted() {
    return new IllegalStateException(
        "The task passed to " + kind + ".start() ended without calling started(); a task"
            + " started with start() calls status.started() (or started(value)) once it is"
            + " ready. Use startSoon() for a task that has nothing to hand back.");
  }

  private CancellationException notStarted(String method) {
    return new CancellationException(
        "The task group is cancelled; " + kind + "." + method + " did not run the task");
  }

  private static final class Status<V extends @Nullable Object> implements TaskStatus<V> {
    private final Child child;
    private final CallFuture<V> outcome;
    private final AtomicBoolean called = new AtomicBoolean();

    Status(Child child, CallFuture<V> outcome) {
      this.child = child;
      this.outcome = outcome;
    }

    @Override
    public void started(V value) {
      if (!called.compareAndSet(false, true)) {
        throw new IllegalStateException(
            "started() was called twice; a task signals that it is ready once");
      }
      if (child.phase.compareAndSet(STARTING, MEMBER)) {
        Calls.succeed(outcome, value);
        return;
      }
      if (child.phase.get() == ABANDONED) {
        throw new CancellationException(
            "started() was called after start() was cancelled; the task is being cancelled and"
                + " should unwind");
      }
      throw new IllegalStateException("started() was called after the task ended");
    }

    @Override
    public void started() {
      started(null);
    }
  }

  /** Reads the outcome of a task's stage on a thread child: it must have completed. */
  public static void readDone(@Nullable CompletionStage<?> stage, String operation) throws Throwable {
    CompletableFuture<?> f =
        Stages.asFuture(Objects.requireNonNull(stage, "the task returned a null stage"));
    if (!f.isDone() && f.cancel(true)) {
      throw new IncompleteStageException(operation);
    }
    Throwable failure = Done.failure(f);
    if (failure != null) {
      throw failure;
    }
  }

  @Override
  public String toString() {
    lock.lock();
    try {
      return kind + "[" + (closed ? "closed" : closing ? "closing" : "open")
          + (cancelled ? ", cancelled" : "") + ", running=" + running + ", failures="
          + failures.size() + (threads != null ? ", threads" : ", stages") + "]";
    } finally {
      lock.unlock();
    }
  }
}
