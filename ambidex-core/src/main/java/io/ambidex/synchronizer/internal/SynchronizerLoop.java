package io.ambidex.synchronizer.internal;

import io.ambidex.internal.Calls;
import io.ambidex.CallFuture;
import io.ambidex.synchronizer.Synchronizer;
import io.ambidex.internal.LoopThreads;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.CancellationException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;

/*
 * The loop thread of a Synchronizer: one platform thread draining a multi-producer queue. It parks
 * only when the queue is empty; producers unpark it only when it is parked (the volatile `parked`
 * flag, written before the last emptiness check, makes the handshake race-free).
 *
 * A RuntimeException thrown by a raw task is logged and the loop goes on, as an event loop's
 * exception handler would. An Error kills the loop: the cause is kept and every later execute()
 * fails with it, as does every task still queued.
 */
public final class SynchronizerLoop implements Executor {
  private static final System.Logger LOG = System.getLogger(Synchronizer.class.getName());

  private final String name;
  private final Thread thread;
  private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
  private final CallFuture<@Nullable Void> terminated;
  private volatile boolean parked;
  private volatile boolean stopping;
  private volatile @Nullable Throwable death;
  /** Set by the loop before its last drain of the queue, on a stop or on its death. */
  private volatile boolean exited;

  /** A task that can be failed instead of run, when the loop dies before running it. */
  public interface Task extends Runnable {
    void abort(RuntimeException cause);
  }

  public SynchronizerLoop(String name, boolean daemon) {
    this.name = name;
    this.terminated = Calls.create("Synchronizer '" + name + "' loop");
    this.thread =
        Thread.ofPlatform().name("ambidex-synchronizer-" + name).daemon(daemon).unstarted(this::run);
  }

  public void start() {
    thread.start();
  }

  public Thread thread() {
    return thread;
  }

  public @Nullable Throwable death() {
    return death;
  }

  public CallFuture<@Nullable Void> terminated() {
    return terminated;
  }

  @Override
  public void execute(Runnable task) {
    admit();
    enqueue(task);
  }

  /** The first half of {@link #execute}: refuses a task once the loop stops or died. */
  void admit() {
    Throwable dead = death;
    if (dead != null) {
      throw loopDied(name, dead);
    }
    if (stopping) {
      throw closedFailure();
    }
  }

  /*
   * The second half of execute(). The loop may have exited between admit() and the add: it sets
   * `exited` and then drains the queue once more, and we add and then read `exited`. So either
   * the loop's last drain runs the task, or we see `exited` and take the task back (and throw);
   * if the take-back fails, the drain has it. A task is never left in a queue nobody reads.
   */
  void enqueue(Runnable task) {
    queue.add(task);
    if (exited && queue.remove(task)) {
      Throwable dead = death;
      throw dead != null ? loopDied(name, dead) : closedFailure();
    }
    if (parked) {
      LockSupport.unpark(thread);
    }
  }

  private RejectedExecutionException closedFailure() {
    return new RejectedExecutionException(
        "Synchronizer '" + name + "' is closed; its loop accepts no more tasks.");
  }

  /** Asks the loop to finish the queued tasks and end. */
  public void stop() {
    stopping = true;
    LockSupport.unpark(thread);
  }

  private void run() {
    LoopThreads.enter(
        "the loop thread of Synchronizer '" + name
            + "', where a blocking call would deadlock waiting for itself");
    try {
      while (true) {
        Runnable task = queue.poll();
        if (task == null) {
          if (stopping) {
            exited = true;
            Runnable late; // added after the poll above, and not taken back (see enqueue)
            while ((late = queue.poll()) != null) {
              runTask(late);
            }
            break;
          }
          parked = true;
          if (queue.isEmpty() && !stopping) {
            LockSupport.park(this);
          }
          parked = false;
          continue;
        }
        runTask(task);
      }
    } catch (Throwable fatal) {
      death = fatal;
      exited = true;
      LOG.log(
          System.Logger.Level.ERROR,
          "The loop thread of Synchronizer '" + name + "' died; later calls will fail.",
          fatal);
      RuntimeException failure = loopDied(name, fatal);
      Runnable left;
      while ((left = queue.poll()) != null) {
        if (left instanceof Task t) {
          t.abort(failure);
        }
      }
    } finally {
      Calls.succeed(terminated, null);
    }
  }

  private void runTask(Runnable task) {
    try {
      task.run();
    } catch (RuntimeException e) {
      LOG.log(
          System.Logger.Level.WARNING,
          "A task on the loop of Synchronizer '" + name + "' threw; the loop goes on.",
          e);
    } finally {
      // An interrupt belongs to the task it was meant for (close() interrupts a task that
      // outlives its timeout; library code may restore one it caught): left set, it would reach
      // every later task and make the idle loop spin, park() returning at once.
      Thread.interrupted();
    }
  }

  @Override
  public String toString() {
    return "SynchronizerLoop[" + thread.getName() + ", queued=" + queue.size()
        + (death != null ? ", dead" : stopping ? ", stopping" : "") + "]";
  }

  /**
   * The failure of a call that was still in progress when its Synchronizer was closed: what
   * {@code close()} fails such calls with, and what a step of the call that the stopping loop
   * refused must fail with too (whichever of the two reaches the call first).
   */
  public static CancellationException closedWhileInProgress(String name, String operation) {
    return new CancellationException(
        "Synchronizer '" + name + "' was closed while '" + operation + "' was in progress.");
  }

  /** The name of the Synchronizer this loop runs for. */
  public String name() {
    return name;
  }

  /** The failure every call reports once the loop thread of {@code name} has died. */
  public static IllegalStateException loopDied(String name, Throwable cause) {
    return new IllegalStateException(
        "The loop thread of Synchronizer '" + name + "' died (its cause is attached), so it can"
            + " run no more calls; create a new Synchronizer.",
        cause);
  }
}
