package io.ambidex.blob.internal;

import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Direct buffers of one capacity, reused between transfers of one client. At most {@code idle}
 * are kept between uses; more are made when more are in use at once, and those given back beyond
 * {@code idle} are left to the collector. A buffer is given back only by the one holder that took
 * it, once nothing writes into it any more (never from a path that may race with its last use:
 * a buffer not given back is only a buffer made again). Thread-safe. Not API.
 */
public final class BufferPool {
  private final int capacity;
  private final int idle;
  private final ConcurrentLinkedQueue<ByteBuffer> free = new ConcurrentLinkedQueue<>();
  private final AtomicInteger kept = new AtomicInteger();

  /**
   * @param capacity every buffer's capacity in bytes, at least 1
   * @param idle how many buffers at most to keep between uses, at least 0
   */
  public BufferPool(int capacity, int idle) {
    if (capacity < 1 || idle < 0) {
      throw new IllegalArgumentException(
          "A pool needs a capacity of at least 1 and at least 0 idle buffers, but got capacity "
              + capacity + " and idle " + idle);
    }
    this.capacity = capacity;
    this.idle = idle;
  }

  /** Returns a cleared direct buffer of the pool's capacity, the caller's until given back. */
  public ByteBuffer take() {
    ByteBuffer buffer = free.poll();
    if (buffer == null) {
      return ByteBuffer.allocateDirect(capacity);
    }
    kept.decrementAndGet();
    return buffer.clear();
  }

  /** Gives back a buffer that {@link #take} returned; the caller must not touch it again. */
  public void give(ByteBuffer buffer) {
    if (!buffer.isDirect() || buffer.capacity() != capacity) {
      throw new IllegalArgumentException(
          "Only a direct buffer of " + capacity + " bytes from this pool can be given back, not "
              + buffer);
    }
    if (kept.incrementAndGet() <= idle) {
      free.offer(buffer);
    } else {
      kept.decrementAndGet();
    }
  }

  /** The number of buffers kept for reuse now. */
  public int idle() {
    return kept.get();
  }

  /** Every buffer's capacity in bytes. */
  public int capacity() {
    return capacity;
  }
}
