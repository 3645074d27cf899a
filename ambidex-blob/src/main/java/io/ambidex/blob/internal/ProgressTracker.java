package io.ambidex.blob.internal;

import io.ambidex.control.AsyncCallback;
import io.ambidex.control.CoreRuntime;
import io.ambidex.http.TransferProgress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.jspecify.annotations.Nullable;

/**
 * Turns the per-request progress of one transfer's requests (one per part, each restarting from
 * 0 when retried) into the user's events: the sum of the bytes each part has sent so far, emitted
 * through {@link CoreRuntime#emit} under a lock, so that events never overlap and {@code loaded}
 * never goes down. Intermediate events stay below the total; {@link #finish} emits the one event
 * with {@code loaded == total == size}, after the transfer has succeeded. Not API.
 */
public final class ProgressTracker {
  private final CoreRuntime runtime;
  private final @Nullable AsyncCallback<TransferProgress> callback;
  private final TransferProgress.Direction direction;
  private final ConcurrentHashMap<Integer, Long> perPart = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private volatile long total;
  private long sum; // guarded by lock
  private long emitted = -1; // guarded by lock

  /**
   * Creates a tracker.
   *
   * @param runtime emits the events
   * @param callback the user's callback, or null
   * @param direction upload or download
   * @param total the size, or -1 if unknown
   */
  public ProgressTracker(
      CoreRuntime runtime,
      @Nullable AsyncCallback<TransferProgress> callback,
      TransferProgress.Direction direction,
      long total) {
    this.runtime = runtime;
    this.callback = callback;
    this.direction = direction;
    this.total = total;
  }

  /** Sets the total once it is known (a download learns it from the response). */
  public void total(long total) {
    this.total = total;
  }

  /** Returns the listener to put on the request of part {@code number}, or null if none. */
  public @Nullable AsyncCallback<TransferProgress> forPart(int number) {
    if (callback == null) {
      return null;
    }
    return event -> {
      if (event.direction() != direction) {
        return null;
      }
      lock.lock();
      try {
        Long before = perPart.put(number, event.loaded());
        sum += event.loaded() - (before == null ? 0 : before);
        long t = total;
        if (sum <= emitted || (t >= 0 && sum >= t)) {
          return null; // not progress (a retry restarting), or the final event's job
        }
        emitted = sum;
        return runtime.emit(callback, new TransferProgress(direction, sum, t));
      } finally {
        lock.unlock();
      }
    };
  }

  /** Emits the final event: {@code loaded == total == size}. */
  public CompletionStage<@Nullable Void> finish(long size) {
    if (callback == null) {
      return CompletableFuture.completedFuture(null);
    }
    lock.lock();
    try {
      emitted = size;
      return runtime.emit(callback, new TransferProgress(direction, size, size));
    } finally {
      lock.unlock();
    }
  }
}
