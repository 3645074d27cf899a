package io.ambidex.blob.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * What a batch shows while it runs and when it ends: a line per object on standard output
 * ({@code upload: a.txt to s3://b/a.txt}, as {@code aws s3} prints them; a JSON object per line
 * with {@code --json}), a line per failure on standard error, one aggregate progress line on a
 * terminal (objects and bytes done, rate, ETA; none when standard error is not a terminal), and a
 * summary at the end.
 *
 * <p>Thread-safe: the lanes of a batch report concurrently; printing is serialised on this object.
 */
final class Report implements Batch.Listener {
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private final PrintStream err;
  private final boolean json;
  private final boolean progress;
  private final LongSupplier clock;
  private final long started;
  private final AtomicInteger objectsDone = new AtomicInteger();
  private final AtomicLong bytesMoved = new AtomicLong();
  private int objectsTotal;
  private long bytesTotal;
  private long lastDraw = Long.MIN_VALUE;
  private boolean drawn;

  Report(PrintStream out, PrintStream err, boolean json, boolean progress) {
    this(out, err, json, progress, System::nanoTime);
  }

  Report(PrintStream out, PrintStream err, boolean json, boolean progress, LongSupplier clock) {
    this.out = out;
    this.err = err;
    this.json = json;
    this.progress = progress;
    this.clock = clock;
    this.started = clock.getAsLong();
  }

  /** Sets what the batch will do, for the progress line's totals and ETA. */
  synchronized void planned(int objects, long bytes) {
    objectsTotal = objects;
    bytesTotal = bytes;
  }

  @Override
  public void started(Batch.Job job) {}

  @Override
  public void bytes(Batch.Job job, long delta) {
    bytesMoved.addAndGet(delta);
    if (job.size() <= 0) { // a size not known ahead (standard input): its line gives what moved
      unsized.computeIfAbsent(job, j -> new java.util.concurrent.atomic.AtomicLong()).addAndGet(delta);
    }
    redraw(false);
  }

  /* The bytes moved by the jobs whose size was not known when they were planned. */
  private final java.util.concurrent.ConcurrentHashMap<Batch.Job, java.util.concurrent.atomic.AtomicLong>
      unsized = new java.util.concurrent.ConcurrentHashMap<>();

  /* A job's size for its line: as planned, or what moved when that was not known. */
  private long size(Batch.Job job) {
    if (job.size() > 0) {
      return job.size();
    }
    java.util.concurrent.atomic.AtomicLong moved = unsized.remove(job);
    return moved == null ? job.size() : moved.get();
  }

  @Override
  public void succeeded(Batch.Job job) {
    objectsDone.incrementAndGet();
    if (json) {
      line(out, Json.object(
          "op", job.verb(), "source", job.source(), "target", job.target(), "size", size(job),
          "status", "ok"));
    } else {
      line(out, job.verb() + ": " + job.source() + (job.target().isEmpty() ? "" : " to " + job.target()));
    }
  }

  @Override
  public void failed(Batch.Job job, Throwable failure) {
    objectsDone.incrementAndGet();
    String why = BlobTool.oneLine(failure);
    if (json) {
      line(out, Json.object(
          "op", job.verb(), "source", job.source(), "target", job.target(), "size", size(job),
          "status", "failed", "exit", ExitCodes.of(failure), "error", why));
    } else {
      line(err, job.verb() + " failed: " + job.source()
          + (job.target().isEmpty() ? "" : " to " + job.target()) + ": " + why);
    }
  }

  /** Prints a line that is not about one job (e.g. a dry run's), above the progress line. */
  void note(String text) {
    line(out, text);
  }

  /** Ends the progress line and prints the summary of the outcome. */
  synchronized void summary(String what, Batch.Outcome outcome) {
    clearProgress();
    double seconds = Math.max(1e-3, (clock.getAsLong() - started) / 1e9);
    long bytes = bytesMoved.get();
    if (json) {
      out.println(Json.object(
          "summary", what,
          "succeeded", outcome.succeeded(),
          "failed", outcome.failed(),
          "notDone", outcome.cancelled(),
          "bytes", bytes,
          "seconds", Math.round(seconds * 1000) / 1000.0,
          "interrupted", outcome.interrupted()));
      out.flush();
      return;
    }
    StringBuilder s = new StringBuilder();
    s.append(what).append(": ").append(outcome.succeeded()).append(" done");
    if (outcome.failed() > 0) {
      s.append(", ").append(outcome.failed()).append(" failed");
    }
    if (outcome.cancelled() > 0) {
      s.append(", ").append(outcome.cancelled()).append(" not done");
    }
    s.append(String.format(Locale.ROOT, ", %s in %.1f s (%s/s)",
        ProgressBar.size(bytes), seconds, ProgressBar.size(bytes / seconds)));
    if (outcome.interrupted()) {
      s.append("; interrupted");
    }
    err.println(s);
    err.flush();
  }

  private synchronized void line(PrintStream to, String text) {
    clearProgress();
    to.println(text);
    to.flush();
    redraw(true);
  }

  private synchronized void redraw(boolean force) {
    if (!progress) {
      return;
    }
    long now = clock.getAsLong();
    if (!force && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    err.print("\r\033[K" + render(now));
    err.flush();
    drawn = true;
  }

  private void clearProgress() {
    if (drawn) {
      err.print("\r\033[K");
      err.flush();
      drawn = false;
    }
  }

  /** The progress line: {@code 12/40 objects  1.5 MiB / 4.0 MiB  2.1 MiB/s  ETA 0:02}. */
  synchronized String render(long now) {
    double seconds = Math.max(1e-3, (now - started) / 1e9);
    long bytes = bytesMoved.get();
    double rate = bytes / seconds;
    String eta = "";
    if (bytesTotal > 0 && rate > 0 && bytes < bytesTotal) {
      long left = (long) Math.ceil((bytesTotal - bytes) / rate);
      eta = String.format(Locale.ROOT, "  ETA %d:%02d", left / 60, left % 60);
    }
    return String.format(Locale.ROOT, "%d/%d objects  %s / %s  %s/s%s",
        objectsDone.get(), objectsTotal, ProgressBar.size(bytes), ProgressBar.size(bytesTotal),
        ProgressBar.size(rate), eta);
  }
}
