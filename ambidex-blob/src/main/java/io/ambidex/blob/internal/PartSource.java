package io.ambidex.blob.internal;

import io.ambidex.blob.ChecksumAlgorithm;
import io.ambidex.http.RequestBody;
import io.ambidex.http.error.RequestBodyException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The parts of an upload, handed out one at a time to whichever lane asks: slices of an array,
 * slices of a file, or blocks read from a stream. Thread-safe: lanes call {@link #next()}
 * concurrently, and part numbers follow the source's order.
 *
 * <p>Memory: an array or file source holds nothing but its own data (file parts are sent from the
 * file). A stream source allocates one buffer per part and keeps no reference to it once the part
 * is handed out, so an upload holds at most one part per lane: {@code partSize * concurrency}.
 *
 * <p>Blocking reads (hashing a file part, reading a stream) run on {@code blockingReads} when it is
 * not null (the async path: a virtual thread), and on the calling thread otherwise (the blocking
 * path). Not API.
 */
public abstract class PartSource {
  /** The largest number of parts of an upload. */
  public static final int MAX_PARTS = 10_000;

  private static final long MIB = 1024 * 1024;

  /**
   * One part.
   *
   * @param number its part number, from 1
   * @param body its bytes, replayable
   * @param length its length
   * @param digests its checksums
   * @param buffer the array the part was read into, if the source owns it (a stream's part), so
   *     that {@link #recycle} can reuse it; null for parts of the caller's array or of a file
   */
  public record Part(
      int number, RequestBody body, long length, Digests digests, byte @Nullable [] buffer) {}

  final long partSize;
  final boolean sha256;
  final ChecksumAlgorithm algorithm;
  final @Nullable Executor blockingReads;

  PartSource(
      long partSize,
      boolean sha256,
      ChecksumAlgorithm algorithm,
      @Nullable Executor blockingReads) {
    this.partSize = partSize;
    this.sha256 = sha256;
    this.algorithm = algorithm;
    this.blockingReads = blockingReads;
  }

  /** Returns the algorithm of the parts' checksums. */
  public ChecksumAlgorithm algorithm() {
    return algorithm;
  }

  /** Returns a stage of the next part, or of null once every part has been handed out. */
  public abstract CompletionStage<@Nullable Part> next();

  /**
   * Hands back a part that was stored: its buffer may be reused for a later part, so that a long
   * stream is read into the same {@code concurrency} buffers instead of a new one per part (which
   * under G1 are humongous allocations, and fragment a small heap). Call it only once no request
   * can read the part's body any more: after the part's upload succeeded, never after a failure or
   * a cancellation (a cancelled exchange may still be reading it).
   *
   * @param part a part this source handed out
   */
  public void recycle(Part part) {}

  /** Returns the size of the whole upload, or -1 while it is unknown (a stream not yet ended). */
  public abstract long size();

  /** Returns the size of each part but the last. */
  public long partSize() {
    return partSize;
  }

  /** Returns the number of parts, or -1 while it is unknown. */
  public abstract int partCount();

  /**
   * Returns the part size to use for {@code size} bytes: {@code partSize}, or the smallest
   * multiple of 1 MiB that keeps the upload within 10,000 parts.
   */
  public static long effectivePartSize(long size, long partSize) {
    if (size <= partSize * MAX_PARTS) {
      return partSize;
    }
    long needed = (size + MAX_PARTS - 1) / MAX_PARTS;
    return (needed + MIB - 1) / MIB * MIB;
  }

  /** Parts of an array. The array is not copied: the caller must not change it meanwhile. */
  public static PartSource ofBytes(
      byte[] data, long partSize, boolean sha256, ChecksumAlgorithm algorithm) {
    return new Known(data.length, partSize, sha256, algorithm, null) {
      @Override
      Part make(int number, long offset, long length) {
        int off = (int) offset;
        int len = (int) length;
        return new Part(
            number, RequestBody.of(data, off, len), len, Digests.of(data, off, len, sha256, algorithm),
            null);
      }
    };
  }

  /** Parts of the first {@code size} bytes of a file, sent from the file. */
  public static PartSource ofFile(
      Path file,
      long size,
      long partSize,
      boolean sha256,
      ChecksumAlgorithm algorithm,
      @Nullable Executor blockingReads) {
    return new Known(size, partSize, sha256, algorithm, blockingReads) {
      @Override
      Part make(int number, long offset, long length) {
        return new Part(
            number,
            RequestBody.ofFile(file, offset, length),
            length,
            Digests.of(file, offset, length, sha256, algorithm),
            null);
      }

      @Override
      boolean blocks() {
        return true;
      }
    };
  }

  /** Parts read from a stream of unknown length, which is read to its end but not closed. */
  public static StreamSource ofStream(
      InputStream in,
      long partSize,
      boolean sha256,
      ChecksumAlgorithm algorithm,
      @Nullable Executor blockingReads) {
    return new StreamSource(in, partSize, sha256, algorithm, blockingReads);
  }

  <T> CompletionStage<T> read(Supplier<T> read, boolean blocks) {
    if (!blocks || blockingReads == null) {
      try {
        return CompletableFuture.completedFuture(read.get());
      } catch (RuntimeException | Error e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return interruptibly(read, blockingReads);
  }

  /*
   * Runs a blocking read on `executor`; cancelling the returned stage interrupts the read, as the
   * blocking client's lanes are interrupted when their upload is cancelled, so a stream that waits
   * (a pipe, a socket) is not left blocked in, and read on unseen, after its upload has ended.
   * The interrupt is sent only while the read runs, and taken back when it returns.
   */
  private static <T> CompletableFuture<T> interruptibly(Supplier<T> read, Executor executor) {
    Object lock = new Object();
    Thread[] reader = new Thread[1];
    CompletableFuture<T> result =
        new CompletableFuture<>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            synchronized (lock) {
              if (cancelled && reader[0] != null) {
                reader[0].interrupt();
              }
            }
            return cancelled;
          }
        };
    executor.execute(
        () -> {
          synchronized (lock) {
            if (result.isDone()) {
              return; // cancelled before it started
            }
            reader[0] = Thread.currentThread();
          }
          try {
            result.complete(read.get());
          } catch (RuntimeException | Error e) {
            result.completeExceptionally(e);
          } finally {
            synchronized (lock) {
              reader[0] = null;
              Thread.interrupted(); // an interrupt that came with a cancellation ends here
            }
          }
        });
    return result;
  }

  /** A source of known size: parts are slices, numbered in the order they are asked for. */
  private abstract static class Known extends PartSource {
    private final long size;
    private final int count;
    private final AtomicInteger handedOut = new AtomicInteger();

    Known(
        long size,
        long partSize,
        boolean sha256,
        ChecksumAlgorithm algorithm,
        @Nullable Executor blockingReads) {
      super(effectivePartSize(size, partSize), sha256, algorithm, blockingReads);
      this.size = size;
      this.count = size == 0 ? 1 : (int) ((size + this.partSize - 1) / this.partSize);
    }

    abstract Part make(int number, long offset, long length);

    boolean blocks() {
      return false;
    }

    @Override
    public CompletionStage<@Nullable Part> next() {
      int index = handedOut.getAndIncrement();
      if (index >= count) {
        return CompletableFuture.completedFuture(null);
      }
      long offset = index * partSize;
      long length = Math.min(partSize, size - offset);
      return read(() -> make(index + 1, offset, length), blocks());
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public int partCount() {
      return count;
    }
  }

  /**
   * A stream of unknown length, read one part at a time under a lock. After each full part one
   * more byte is read ahead, so the source knows whether the part was the last one.
   *
   * <p>The read lock is held for as long as the stream takes to yield a part, which for a socket
   * or a pipe can be any time; so only reads take it. A lane asks for its next part ({@link
   * #next}) and hands its last one back ({@link #recycle}) on the thread that completed the
   * part's upload, on the async client a transport I/O thread, and the size queries run there
   * too: none of them waits for the stream (the read itself runs on {@code blockingReads}).
   */
  public static final class StreamSource extends PartSource {
    private final InputStream in;
    private final ReentrantLock lock = new ReentrantLock(); // held while the stream is read
    private final ArrayDeque<byte[]> spare = new ArrayDeque<>(); // recycled buffers; own monitor
    private int pushback = -1;
    private volatile boolean ended;
    private int nextNumber = 1;
    private long read;
    /* Set with `ended`, at the end of the stream: the size and the number of parts. */
    private volatile long size = -1;
    private volatile int count = -1;
    private final AtomicReference<@Nullable Part> first = new AtomicReference<>();

    StreamSource(
        InputStream in,
        long partSize,
        boolean sha256,
        ChecksumAlgorithm algorithm,
        @Nullable Executor blockingReads) {
      super(partSize, sha256, algorithm, blockingReads);
      this.in = in;
    }

    /**
     * Reads the first part and keeps it to be handed out by {@link #next()}. Afterwards {@link
     * #size()} is known if the stream ended within it.
     */
    public CompletionStage<Part> first() {
      return read(
          () -> {
            Part p = Objects.requireNonNull(readPart(), "the first part");
            first.set(p);
            return p;
          },
          true);
    }

    @Override
    public CompletionStage<@Nullable Part> next() {
      Part p = first.getAndSet(null);
      if (p != null) {
        return CompletableFuture.completedFuture(p);
      }
      return read(this::readPart, true);
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public int partCount() {
      return count;
    }

    @Override
    public void recycle(Part part) {
      byte[] buf = part.buffer();
      if (buf == null || buf.length != partSize) {
        return; // not a full part's buffer
      }
      synchronized (spare) {
        // Checked under the monitor: the end sets `ended` before it clears the spares under it,
        // so a buffer handed back as the stream ends is either cleared with them or not kept.
        if (!ended) {
          spare.addLast(buf);
        }
      }
    }

    private @Nullable Part readPart() {
      lock.lock();
      try {
        if (ended && nextNumber > 1) {
          return null;
        }
        if (nextNumber > MAX_PARTS) {
          throw new IllegalArgumentException(
              "The stream is longer than " + MAX_PARTS + " parts of " + partSize
                  + " bytes, the most one upload may have; set a larger partSize.");
        }
        byte[] buf;
        int n = 0;
        if (nextNumber == 1) {
          // The first part may be all there is: grow its buffer instead of allocating partSize.
          buf = new byte[(int) Math.min(partSize, 64 * 1024)];
        } else {
          byte[] reused;
          synchronized (spare) {
            reused = spare.pollFirst();
          }
          buf = reused != null ? reused : new byte[(int) partSize];
        }
        if (pushback >= 0) {
          buf[n++] = (byte) pushback;
          pushback = -1;
        }
        while (n < partSize) {
          if (n == buf.length) {
            buf = Arrays.copyOf(buf, (int) Math.min(partSize, (long) buf.length * 2));
          }
          int r = in.read(buf, n, buf.length - n);
          if (r < 0) {
            break;
          }
          n += r;
        }
        boolean last = n < partSize;
        if (!last) {
          int probe = in.read();
          if (probe < 0) {
            last = true;
          } else {
            pushback = probe;
          }
        }
        read += n;
        int number = nextNumber++;
        if (last) {
          size = read;
          count = number;
          ended = true;
          synchronized (spare) {
            spare.clear();
          }
        }
        return new Part(number, RequestBody.of(buf, 0, n), n, Digests.of(buf, 0, n, sha256, algorithm), buf);
      } catch (IOException e) {
        throw new RequestBodyException(
            "Cannot read the upload's input stream (part " + nextNumber + "): " + e.getMessage(), e);
      } finally {
        lock.unlock();
      }
    }
  }
}
