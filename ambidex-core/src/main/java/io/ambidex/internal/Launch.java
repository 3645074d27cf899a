package io.ambidex.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;
import org.jspecify.annotations.Nullable;

/**
 * A thread made by a user's {@link ThreadFactory} whose task runs only if the core starts it. Not
 * API.
 *
 * <p>Every factory the core accepts must return a new, unstarted thread. One that breaks that
 * contract (it starts the thread, as an executor would, or returns a thread it already ran) is
 * refused by {@link #prepare}, and its thread never runs the task: the task is guarded, and the
 * guard lets it through only after {@link #start} has marked it launched. So whoever refuses the
 * thread may report the failure itself, knowing that nothing else will.
 */
public final class Launch implements Runnable {
  private static final VarHandle STATE;

  static {
    try {
      STATE = MethodHandles.lookup().findVarHandle(Launch.class, "state", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final int PREPARED = 0;
  private static final int LAUNCHED = 1;
  private static final int ENTERED = 2;
  private static final int ABANDONED = 3;

  private final Runnable task;
  private @Nullable Thread thread; // set by prepare(), before anyone can read it
  @SuppressWarnings("unused") // accessed through STATE
  private volatile int state;

  private Launch(Runnable task) {
    this.task = task;
  }

  /**
   * Asks {@code factory} for the thread that will run {@code task}; nothing runs until {@link
   * #start}.
   *
   * @param owner who uses the factory, for messages ("producer", "TaskGroup")
   * @throws IllegalStateException if the factory returned null or a thread that is not new; the
   *     task will never run
   * @throws RuntimeException what the factory threw
   */
  public static Launch prepare(ThreadFactory factory, Runnable task, String owner) {
    Launch launch = new Launch(task);
    Thread t = factory.newThread(launch);
    if (t == null) {
      throw new IllegalStateException(
          "The " + owner + "'s thread factory returned null; it must return a new, unstarted"
              + " thread");
    }
    if (t.getState() != Thread.State.NEW) {
      throw new IllegalStateException(
          "The " + owner + "'s thread factory returned a thread that was already started (" + t
              + "); it must return a new, unstarted thread, which the " + owner + " starts"
              + " (a thread factory is not an executor: it must not call start())");
    }
    launch.thread = t;
    return launch;
  }

  /** The thread that runs the task once started. */
  public Thread thread() {
    return Objects.requireNonNull(thread);
  }

  /**
   * Starts the thread. If this returns, the task runs (on this start, or, if something else
   * started the thread meanwhile, on that one); if it throws, the task will never run.
   */
  public void start() {
    STATE.setVolatile(this, LAUNCHED);
    try {
      thread().start();
    } catch (RuntimeException | Error failure) {
      if (STATE.compareAndSet(this, LAUNCHED, ABANDONED)) {
        throw failure;
      }
      // The thread was started by someone else after all, and has entered the task: it runs.
    }
  }

  /** The thread's entry: runs the task if, and only if, it was launched. */
  @Override
  public void run() {
    if (STATE.compareAndSet(this, LAUNCHED, ENTERED)) {
      task.run();
    }
  }
}
