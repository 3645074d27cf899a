package io.ambidex.blob.cli;

import io.ambidex.control.Async;
import io.ambidex.taskgroup.AsyncTaskGroup;
import java.io.File;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Runs many object operations at once: at most {@code concurrency} in flight, in a task group of
 * the store ({@link Store#openGroup}: virtual threads over the blocking client, stages over the
 * async one). The same lanes run on both: each lane takes the next job and runs it until none is
 * left ({@link Async#whileLoop}, inline and stack-safe when stages complete at once).
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Failures</b>: a job's failure is recorded and reported through {@link Listener#failed};
 *       the other jobs go on, unless {@code failFast}, when the first failure cancels the rest.
 *   <li><b>Cancellation</b> ({@link #cancel}, e.g. from Ctrl-C): no new job starts; the jobs in
 *       flight are cancelled (their threads interrupted, or their stages cancelled), which makes
 *       the client abort the multipart uploads it started and delete its temporary download files;
 *       {@link #run} returns once every lane has ended.
 *   <li><b>Threads</b>: listener calls come from the lanes, concurrently: the listener is
 *       thread-safe.
 * </ul>
 */
final class Batch {
  /** One object's operation. */
  interface Job {
    /** What the job does, e.g. {@code upload}. */
    String verb();

    /** Its source, as printed. */
    String source();

    /** Its target, as printed (empty for a delete). */
    String target();

    /** Its size in bytes if known before it starts, else 0. */
    long size();

    /**
     * Starts the operation.
     *
     * @param bytes receives the bytes transferred so far, never decreasing
     * @return its stage
     */
    CompletionStage<?> start(LongConsumer bytes);
  }

  /** Hears what the jobs do; called concurrently from the lanes. */
  interface Listener {
    void started(Job job);

    void bytes(Job job, long delta);

    void succeeded(Job job);

    void failed(Job job, Throwable failure);
  }

  /**
   * What a run did.
   *
   * @param succeeded jobs done
   * @param failed jobs that failed
   * @param cancelled jobs not done: cancelled in flight, or never started
   * @param failures the failures, in the order they happened
   * @param interrupted true if {@link #cancel} stopped the run (not a {@code --fail-fast} stop)
   */
  record Outcome(
      int succeeded, int failed, int cancelled, List<Throwable> failures, boolean interrupted) {}

  private final Store store;
  private final int concurrency;
  private final boolean failFast;
  private final Listener listener;
  private final CompletableFuture<Void> finished = new CompletableFuture<>();
  private volatile boolean cancelled;
  private volatile boolean failedFast;
  private volatile @Nullable AsyncTaskGroup group;

  Batch(Store store, int concurrency, boolean failFast, Listener listener) {
    if (concurrency < 1) {
      throw new IllegalArgumentException("--concurrency must be at least 1, but was " + concurrency);
    }
    this.store = store;
    this.concurrency = concurrency;
    this.failFast = failFast;
    this.listener = listener;
  }

  /**
   * Runs the jobs and returns when every one has ended (or, once cancelled, when the ones in flight
   * have ended).
   */
  Outcome run(List<? extends Job> given) {
    List<? extends Job> jobs = spread(given);
    AtomicInteger next = new AtomicInteger();
    AtomicInteger succeeded = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    AsyncTaskGroup g = store.openGroup();
    group = g;
    try {
      if (cancelled) {
        g.cancel();
      }
      int lanes = Math.min(concurrency, jobs.size());
      for (int i = 0; i < lanes; i++) {
        g.startSoon(() -> lane(jobs, next, succeeded, failed, failures));
      }
      try {
        Store.await(g.close());
      } catch (CancellationException e) {
        // a lane that was cancelled: its job is counted as not done below
      }
    } finally {
      finished.complete(null);
    }
    int done = succeeded.get() + failed.get();
    return new Outcome(
        succeeded.get(), failed.get(), jobs.size() - done, List.copyOf(failures),
        cancelled && !failedFast);
  }

  /**
   * The order the lanes take jobs in: round-robin over the jobs' directories (the text of the
   * target, or of the source for a job without one, up to its last {@code /}), each directory's
   * jobs in the order given. A recursive command lists in key order, so the next {@code
   * concurrency} jobs would mostly create, rename or delete files in one directory, locally or in
   * a file-backed server's store, and file systems serialise those on the directory's lock. In a
   * download of 10,000 files in 100 directories with 16 lanes, ext4's lanes spun on that lock for
   * 2 of the command's 12.6 s of CPU (ARCHITECTURE.md, choice 144).
   */
  static <J extends Job> List<J> spread(List<J> jobs) {
    Map<String, ArrayDeque<J>> byDirectory = new LinkedHashMap<>();
    for (J job : jobs) {
      String where = job.target().isEmpty() ? job.source() : job.target();
      int slash = Math.max(where.lastIndexOf('/'), where.lastIndexOf(File.separatorChar));
      String directory = slash < 0 ? "" : where.substring(0, slash);
      byDirectory.computeIfAbsent(directory, d -> new ArrayDeque<>()).add(job);
    }
    if (byDirectory.size() < 2) {
      return jobs;
    }
    List<J> ordered = new ArrayList<>(jobs.size());
    List<ArrayDeque<J>> queues = new ArrayList<>(byDirectory.values());
    while (!queues.isEmpty()) {
      for (Iterator<ArrayDeque<J>> it = queues.iterator(); it.hasNext(); ) {
        ArrayDeque<J> queue = it.next();
        ordered.add(queue.poll());
        if (queue.isEmpty()) {
          it.remove();
        }
      }
    }
    return ordered;
  }

  /* One lane: claims the next job and runs it, until none is left or the batch is cancelled. */
  private CompletionStage<?> lane(
      List<? extends Job> jobs,
      AtomicInteger next,
      AtomicInteger succeeded,
      AtomicInteger failed,
      List<Throwable> failures) {
    int[] claimed = new int[1];
    return Async.whileLoop(
        () -> !cancelled && (claimed[0] = next.getAndIncrement()) < jobs.size(),
        () -> one(jobs.get(claimed[0]), succeeded, failed, failures));
  }

  /*
   * Runs one job; its stage completes normally whatever the job did (a failure is recorded), so the
   * lane goes on, except after a cancellation: then it fails, ending the lane.
   */
  private CompletionStage<?> one(
      Job job, AtomicInteger succeeded, AtomicInteger failed, List<Throwable> failures) {
    listener.started(job);
    AtomicLong last = new AtomicLong();
    LongConsumer bytes =
        loaded -> {
          long before = last.getAndAccumulate(loaded, Math::max);
          if (loaded > before) {
            listener.bytes(job, loaded - before);
          }
        };
    CompletionStage<?> stage;
    try {
      stage = job.start(bytes);
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    CompletableFuture<?> inner = stage.toCompletableFuture();
    CompletableFuture<Void> outer =
        new CompletableFuture<>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            inner.cancel(mayInterruptIfRunning); // reaches the client's call in flight
            return super.cancel(mayInterruptIfRunning);
          }
        };
    inner.whenComplete(
        (value, failure) -> {
          Throwable f = unwrap(failure);
          if (f == null) {
            succeeded.incrementAndGet();
            listener.succeeded(job);
            outer.complete(null);
          } else if (cancelled && isCancellation(f)) {
            outer.completeExceptionally(new CancellationException("the batch was cancelled"));
          } else {
            failed.incrementAndGet();
            failures.add(f);
            listener.failed(job, f);
            if (failFast) {
              failedFast = true;
              cancel();
              outer.completeExceptionally(new CancellationException("--fail-fast: " + f));
            } else {
              outer.complete(null);
            }
          }
        });
    return outer;
  }

  /**
   * Stops the batch: no new job starts, the jobs in flight are cancelled. Thread-safe; returns at
   * once.
   */
  void cancel() {
    cancelled = true;
    AsyncTaskGroup g = group;
    if (g != null) {
      g.cancel();
    }
  }

  /** Waits up to {@code seconds} for {@link #run} to return; true if it did. */
  boolean awaitFinished(long seconds) {
    try {
      finished.get(seconds, TimeUnit.SECONDS);
      return true;
    } catch (TimeoutException | ExecutionException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  static @Nullable Throwable unwrap(@Nullable Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /* A failure that is the job's reaction to being cancelled, not a failure of its own. */
  static boolean isCancellation(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof CancellationException
          || c instanceof InterruptedException
          || c instanceof java.io.InterruptedIOException
          || c instanceof java.nio.channels.ClosedByInterruptException
          || c instanceof io.ambidex.CallInterruptedException) {
        return true;
      }
    }
    return false;
  }
}
