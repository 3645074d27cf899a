package io.ambidex.blob.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Direct buffers of one capacity, reused between transfers of one client, with a bound on how
 * many are out at once: {@link #take} gives none beyond {@code limit}, so the direct memory a
 * client's transfers hold stays below {@code limit * capacity} however many run at once (a holder
 * that gets none does without). At most {@code idle} buffers are kept between uses.
 *
 * <p>A buffer is {@linkplain #give given back} by the one holder that took it, once nothing
 * writes into it any more; a buffer never given back stays counted as out. Thread-safe. Not API.
 */
public final class BufferPool {
  private final int capacity;
  private final int limit;
  private final int idle;
  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger kept = new AtomicInteger();
  private final AtomicInteger out = new AtomicInteger();

  /**
   * @param capacity every buffer's capacity in bytes, at least 1
   * @param limit how many buffers at most may be out at once, at least 1
   * @param idle how many buffers at most to keep between uses, from 0 to {@code limit}
   */
  public BufferPool(int capacity, int limit, int idle) {
    if (capacity < 1 || limit < 1 || idle < 0 || idle > limit) {
      throw new IllegalArgumentException(
          "A pool needs a capacity of at least 1, a limit of at least 1 and between 0 and limit"
              + " idle buffers, but got capacity " + capacity + ", limit " + limit + " and idle "
              + idle);
    }
    this.capacity = capacity;
    this.limit = limit;
    this.idle = idle;
  }

  /**
   * Returns a cleared direct buffer of the pool's capacity, the caller's until given back; or
   * null when {@code limit} buffers are out already.
   */
  public @Nullable ByteBuffer take() {
    for (int n = out.get(); ; n = out.get()) {
      if (n >= limit) {
        return null;
      }
      if (out.compareAndSet(n, n + 1)) {
        break;
      }
    }
    ByteBuffer buffer = free.poll();
    if (buffer == null) {
      return ByteBuffer.allocateDirect(capacity);
    }
    kept.decrementAndGet();
    return buffer.clear();
  }

  /** Gives back a buffer that {@link #take} returned; the caller must not touch it again. */
  public void give(ByteBuffer buffer) {
    check(buffer);
    if (kept.incrementAndGet() <= idle) {
      free.offer(buffer);
    } else {
      kept.decrementAndGet();
    }
    out.decrementAndGet();
  }

  private void check(ByteBuffer buffer) {
    if (!buffer.isDirect() || buffer.capacity() != capacity) {
      throw new IllegalArgumentException(
          "Only a direct buffer of " + capacity + " bytes from this pool can be given back, not "
              + buffer);
    }
  }

  /** The number of buffers kept for reuse now. */
  public int idle() {
    return kept.get();
  }

  /** The number of buffers taken and not given back. */
  public int out() {
    return out.get();
  }
}
