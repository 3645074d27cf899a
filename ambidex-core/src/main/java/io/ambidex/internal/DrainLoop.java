package io.ambidex.internal;

import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/*
 * The executor and timer of one CallerDrained call. Work submitted from any thread is queued and
 * run by the owner (the caller) while it drains; timers are kept by the owner in a heap and fire on
 * the owner. Nothing here starts a thread.
 *
 * After the call's stage completes, the loop drains until quiescent (see CallerDrained), then
 * closes. A task submitted after close runs on the submitting thread: it is never dropped, which is
 * the leak that a draining executor otherwise has once nobody drains it.
 */
public final class DrainLoop implements Executor {
  // One reusable holder per thread: entering and leaving a call allocates nothing.
  private static final ThreadLocal<@Nullable DrainLoop[]> CURRENT =
      ThreadLocal.withInitial(() -> new DrainLoop[1]);

  private final Thread owner = Thread.currentThread();
  // The owner's context: tasks run on the owner have it already; a task submitted after the close
  // runs on its submitter, inside it.
  private final Snapshot context = Registry.capture();
  private final ConcurrentLinkedQueue<Runnable> ready = new ConcurrentLinkedQueue<>();
  private @Nullable PriorityQueue<Timer> timers; // owner-only; created by the first timer
  private volatile boolean closed;
  private long sequence;

  /** Returns the loop the current thread is draining, or null. */
  public static @Nullable DrainLoop current() {
    return CURRENT.get()[0];
  }

  /** Makes {@code loop} (may be null) the current thread's loop; returns the previous one. */
  public static @Nullable DrainLoop enter(@Nullable DrainLoop loop) {
    DrainLoop[] holder = CURRENT.get();
    DrainLoop previous = holder[0];
    holder[0] = loop;
    return previous;
  }

  public static void exit(@Nullable DrainLoop previous) {
    CURRENT.get()[0] = previous;
  }

  private PriorityQueue<Timer> timers() {
    PriorityQueue<Timer> t = timers;
    if (t == null) {
      t = new PriorityQueue<>();
      timers = t;
    }
    return t;
  }

  public Thread owner() {
    return owner;
  }

  @Override
  public void execute(Runnable task) {
    if (task == null) {
      throw new NullPointerException("task");
    }
    ready.add(task);
    if (closed) {
      if (ready.remove(task)) {
        Registry.bind(context, task).run();
      }
      return;
    }
    if (Thread.currentThread() != owner) {
      LockSupport.unpark(owner);
    }
  }

  /**
   * Schedules {@code task} to run on the owner after {@code delayNanos}. If the loop finishes
   * before it fires, {@code abandoned} runs instead.
   */
  public Future<?> schedule(Runnable task, long delayNanos, Runnable abandoned) {
    Timer timer = new Timer(System.nanoTime() + Math.max(0, delayNanos), task, abandoned);
    if (Thread.currentThread() == owner && !closed) {
      timer.sequence = sequence++;
      timers().add(timer);
    } else {
      execute(
          () -> {
            if (closed) {
              timer.abandon();
            } else {
              timer.sequence = sequence++;
              timers().add(timer);
            }
          });
    }
    return timer;
  }

  /** Runs queued tasks until the queue is empty; returns true if it ran any. */
  public boolean runReady() {
    boolean ran = false;
    Runnable task;
    while ((task = ready.poll()) != null) {
      ran = true;
      runReporting(task);
    }
    return ran;
  }

  /*
   * A task that throws is an executor task's failure: it must neither replace the call's outcome
   * nor stop the drain (the tasks after it are the continuations and cleanup of the call). Like a
   * ThreadPoolExecutor or ForkJoinPool worker, the loop hands it to the running thread's uncaught
   * exception handler, and goes on.
   */
  static void runReporting(Runnable task) {
    try {
      task.run();
    } catch (Throwable failure) {
      Thread me = Thread.currentThread();
      try {
        me.getUncaughtExceptionHandler().uncaughtException(me, failure);
      } catch (Throwable ignored) {
        // The handler's own failure is ignored, as the JVM does for a dying thread's.
      }
    }
  }

  /** Fires the timers that are due; returns true if any fired. */
  public boolean runDueTimers() {
    PriorityQueue<Timer> timers = this.timers;
    if (timers == null) {
      return false;
    }
    boolean ran = false;
    long now = System.nanoTime();
    Timer t;
    while ((t = timers.peek()) != null && (t.cancelled || t.at - now <= 0)) {
      timers.poll();
      if (t.fire()) {
        ran = true;
      }
    }
    return ran;
  }

  public boolean hasPendingTimers() {
    PriorityQueue<Timer> timers = this.timers;
    if (timers == null) {
      return false;
    }
    timers.removeIf(t -> t.cancelled);
    return !timers.isEmpty();
  }

  /** Nanoseconds until the next timer is due (0 if one is due), or Long.MAX_VALUE if none. */
  public long nanosToNextTimer() {
    PriorityQueue<Timer> timers = this.timers;
    if (timers == null) {
      return Long.MAX_VALUE;
    }
    Timer t;
    while ((t = timers.peek()) != null && t.cancelled) {
      timers.poll();
    }
    return t == null ? Long.MAX_VALUE : Math.max(0, t.at - System.nanoTime());
  }

  public boolean hasReady() {
    return !ready.isEmpty();
  }

  public void park(long nanos) {
    if (nanos == Long.MAX_VALUE) {
      LockSupport.park(this);
    } else if (nanos > 0) {
      LockSupport.parkNanos(this, nanos);
    }
  }

  /** Abandons every pending timer and closes the loop, running what that schedules. */
  public void close() {
    Timer t;
    do {
      runReady();
      PriorityQueue<Timer> timers = this.timers;
      while (timers != null && (t = timers.poll()) != null) {
        t.abandon();
      }
    } while (hasReady() || hasPendingTimers());
    closed = true;
    runReady(); // tasks that raced with the close; later ones run on their submitters
  }

  @Override
  public String toString() {
    return "DrainLoop[owner=" + owner.getName() + ", ready=" + ready.size()
        + (closed ? ", closed]" : "]");
  }

  private static final class Timer implements Future<Void>, Comparable<Timer> {
    final long at;
    long sequence;
    private final Runnable task;
    private final Runnable abandoned;
    volatile boolean cancelled;
    private volatile boolean done;

    Timer(long at, Runnable task, Runnable abandoned) {
      this.at = at;
      this.task = task;
      this.abandoned = abandoned;
    }

    boolean fire() {
      if (cancelled || done) {
        return false;
      }
      done = true;
      runReporting(task);
      return true;
    }

    void abandon() {
      if (!cancelled && !done) {
        done = true;
        runReporting(abandoned);
      }
    }

    @Override
    public int compareTo(Timer o) {
      int c = Long.compare(at - o.at, 0);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (done) {
        return false;
      }
      cancelled = true;
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return done || cancelled;
    }

    @Override
    public Void get() {
      throw new UnsupportedOperationException("a drain-loop timer is not waited on");
    }

    @Override
    public Void get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("a drain-loop timer is not waited on");
    }
  }
}
