package io.ambidex.blob.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * A one-line transfer progress bar on a terminal: {@code put  [########        ]  52%  26.0 MiB /
 * 50.0 MiB  12.3 MiB/s}. Redrawn at most ten times a second, and once more when the transfer
 * ends. Thread-safe: concurrent parts of a multipart upload report through one bar.
 */
final class ProgressBar {
  private static final int WIDTH = 24;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintStream out;
  private final String label;
  private final LongSupplier clock;
  private long started = Long.MIN_VALUE; // the first update's time: the transfer's start
  private long lastDraw = Long.MIN_VALUE;
  private boolean finished;

  ProgressBar(PrintStream out, String label) {
    this(out, label, System::nanoTime);
  }

  ProgressBar(PrintStream out, String label, LongSupplier clock) {
    this.out = out;
    this.label = label;
    this.clock = clock;
  }

  /**
   * Reports progress.
   *
   * @param loaded bytes transferred so far
   * @param total the size, or a negative number if unknown
   */
  synchronized void update(long loaded, long total) {
    if (finished) {
      return;
    }
    long now = clock.getAsLong();
    if (started == Long.MIN_VALUE) {
      started = now;
    }
    boolean done = total >= 0 && loaded >= total;
    if (!done && lastDraw != Long.MIN_VALUE && now - lastDraw < REDRAW_NANOS) {
      return;
    }
    lastDraw = now;
    out.print("\r" + render(loaded, total, now));
    if (done) {
      out.println();
      finished = true;
    }
    out.flush();
  }

  /** Ends the line if the bar was drawn and the transfer did not reach its total. */
  synchronized void close() {
    if (!finished && lastDraw != Long.MIN_VALUE) {
      out.println();
    }
    finished = true;
  }

  String render(long loaded, long total, long now) {
    double seconds = Math.max(1e-3, (now - started) / 1e9);
    String rate = size(loaded / seconds) + "/s";
    if (total < 0) {
      return String.format(Locale.ROOT, "%-4s %s  %s", label, size(loaded), rate);
    }
    double fraction = total == 0 ? 1.0 : Math.min(1.0, (double) loaded / total);
    int filled = (int) Math.round(fraction * WIDTH);
    return String.format(
        Locale.ROOT,
        "%-4s [%s%s] %3d%%  %s / %s  %s",
        label,
        "#".repeat(filled),
        " ".repeat(WIDTH - filled),
        (int) Math.floor(fraction * 100),
        size(loaded),
        size(total),
        rate);
  }

  static String size(double bytes) {
    String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
    int u = 0;
    while (bytes >= 1024 && u < units.length - 1) {
      bytes /= 1024;
      u++;
    }
    return u == 0
        ? String.format(Locale.ROOT, "%d B", (long) bytes)
        : String.format(Locale.ROOT, "%.1f %s", bytes, units[u]);
  }
}
