package io.ambidex.http;

import io.ambidex.http.error.RequestBodyException;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.http.internal.Chunks;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * The body of a request: its bytes, its length if known, and whether it can be sent again.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Streaming, bounded memory</b>: transports read a body in chunks of at most 64 KiB and
 *       write each before reading the next; no body is buffered whole (a byte array body is sent
 *       from the array itself).
 *   <li><b>Known length</b> ({@link #contentLength()} at least 0) is sent with {@code
 *       Content-Length}; unknown length ({@code -1}) with {@code Transfer-Encoding: chunked}. A
 *       source that ends before its declared length, or holds more, fails the exchange with
 *       {@link RequestBodyException} (the server would otherwise wait, or read a corrupt body).
 *   <li><b>Replayable</b> bodies (bytes, files) can be sent any number of times, so a {@link
 *       RequestClient} may retry them. One-shot bodies (an {@code InputStream}, an {@link
 *       AsyncIterator}) are consumed by the first attempt that opens them and are never retried
 *       after that.
 *   <li><b>Blocking sources</b>: the sync transport reads an {@code InputStream} on the caller's
 *       thread; the async transport reads it on a virtual thread, never on an I/O thread. Files
 *       are read on the thread that writes the request.
 * </ul>
 */
public abstract class RequestBody {
  /** The largest chunk a transport reads from a body at once. */
  static final int CHUNK_SIZE = 64 * 1024;

  private static final RequestBody EMPTY = new BytesBody(new byte[0], 0, 0);

  private final Map<String, byte[]> digests = new ConcurrentHashMap<>();

  RequestBody() {}

  /** Returns the empty body (length 0, replayable). */
  public static RequestBody empty() {
    return EMPTY;
  }

  /**
   * Returns a replayable body of the array's bytes. The array is not copied: do not change it
   * while requests that use it may be sent.
   */
  public static RequestBody of(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    return bytes.length == 0 ? EMPTY : new BytesBody(bytes, 0, bytes.length);
  }

  /**
   * Returns a replayable body of {@code length} bytes of the array from {@code offset}, not
   * copied.
   *
   * @throws IndexOutOfBoundsException if the range is not within the array
   */
  public static RequestBody of(byte[] bytes, int offset, int length) {
    Objects.requireNonNull(bytes, "bytes");
    Objects.checkFromIndexSize(offset, length, bytes.length);
    return new BytesBody(bytes, offset, length);
  }

  /** Returns a replayable body of the string encoded in UTF-8. */
  public static RequestBody of(String text) {
    return of(Objects.requireNonNull(text, "text").getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Returns a replayable body of the whole file. Its size is read now; a file that then changes
   * size fails the exchange with {@link RequestBodyException}.
   *
   * @throws UncheckedIOException if the file does not exist or its size cannot be read (a {@link
   *     NoSuchFileException} is the cause of a missing file)
   * @throws IllegalArgumentException if the path is a directory
   */
  public static RequestBody ofFile(Path file) {
    Objects.requireNonNull(file, "file");
    if (Files.isDirectory(file)) {
      throw new IllegalArgumentException("Cannot send " + file + " as a body: it is a directory.");
    }
    try {
      return new FileBody(file, 0, Files.size(file));
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot send " + file + " as a body: " + e, e);
    }
  }

  /**
   * Returns a replayable body of {@code length} bytes of the file from {@code offset}: one part
   * of a multipart upload, for instance.
   *
   * @throws IllegalArgumentException if {@code offset} or {@code length} is negative
   */
  public static RequestBody ofFile(Path file, long offset, long length) {
    Objects.requireNonNull(file, "file");
    if (offset < 0 || length < 0) {
      throw new IllegalArgumentException(
          "offset and length must not be negative, but were " + offset + " and " + length);
    }
    return new FileBody(file, offset, length);
  }

  /**
   * Returns a one-shot body read from {@code in}, which the exchange closes when done.
   *
   * @param in the source
   * @param length the number of bytes it holds, or -1 if unknown (sent chunked)
   * @throws IllegalArgumentException if {@code length} is below -1
   */
  public static RequestBody ofInputStream(InputStream in, long length) {
    Objects.requireNonNull(in, "in");
    checkLength(length);
    return new StreamBody(in, length);
  }

  /**
   * Returns a one-shot body of the chunks an async source produces, for bodies produced by
   * another async operation. Each chunk must stay unchanged until {@code hasNext()} is called
   * again. The exchange closes the iterator when done.
   *
   * @param chunks the source
   * @param length the total number of bytes, or -1 if unknown (sent chunked)
   * @throws IllegalArgumentException if {@code length} is below -1
   */
  public static RequestBody ofChunks(AsyncIterator<ByteBuffer> chunks, long length) {
    Objects.requireNonNull(chunks, "chunks");
    checkLength(length);
    return new ChunksBody(chunks, length);
  }

  /** Returns the number of bytes, or -1 if unknown. */
  public abstract long contentLength();

  /** Returns true if the body can be sent more than once (bytes, files). */
  public abstract boolean isReplayable();

  /**
   * Returns the digest of the body's bytes, e.g. {@code digest("SHA-256")} for a request signer's
   * payload hash. Computed once per body and algorithm, by reading the body on the calling thread
   * (a file body reads its file).
   *
   * @param algorithm a {@link MessageDigest} algorithm name
   * @return a new array holding the digest
   * @throws IllegalStateException if the body is not replayable: reading it here would consume it
   *     (sign such a body as an unsigned payload)
   * @throws IllegalArgumentException if the algorithm is unknown
   * @throws RequestBodyException if the body's source cannot be read
   */
  public byte[] digest(String algorithm) {
    Objects.requireNonNull(algorithm, "algorithm");
    if (!isReplayable()) {
      throw new IllegalStateException(
          "Cannot compute the digest of a one-shot body (" + this + "): reading it would consume"
              + " it before it is sent. Use a replayable body (bytes, file) or an unsigned payload.");
    }
    return digests.computeIfAbsent(algorithm, this::computeDigest).clone();
  }

  private byte[] computeDigest(String algorithm) {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalArgumentException("Unknown digest algorithm '" + algorithm + "'", e);
    }
    updateDigest(md);
    return md.digest();
  }

  abstract void updateDigest(MessageDigest md);

  /**
   * Opens the body's bytes as chunks. Each chunk stays valid until the next {@code hasNext()}.
   *
   * @param blockingReads where to run reads that may block for long (an {@code InputStream}), or
   *     null to run them on the calling thread
   * @throws IllegalStateException if a one-shot body was opened before
   */
  abstract AsyncIterator<ByteBuffer> open(@Nullable Executor blockingReads);

  private static void checkLength(long length) {
    if (length < -1) {
      throw new IllegalArgumentException(
          "length must be -1 (unknown) or at least 0, but was " + length);
    }
  }


  // ---- implementations ----

  private static final class BytesBody extends RequestBody {
    private final byte[] bytes;
    private final int offset;
    private final int length;

    BytesBody(byte[] bytes, int offset, int length) {
      this.bytes = bytes;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public boolean isReplayable() {
      return true;
    }

    @Override
    void updateDigest(MessageDigest md) {
      md.update(bytes, offset, length);
    }

    @Override
    AsyncIterator<ByteBuffer> open(@Nullable Executor blockingReads) {
      return new Chunks.Immediate() {
        private int pos = offset;
        private final int end = offset + length;

        @Override
        protected @Nullable ByteBuffer read() {
          if (pos >= end) {
            return null;
          }
          int n = Math.min(CHUNK_SIZE, end - pos);
          ByteBuffer b = ByteBuffer.wrap(bytes, pos, n);
          pos += n;
          return b;
        }
      };
    }

    @Override
    public String toString() {
      return "RequestBody[" + length + " bytes]";
    }
  }

  private static final class FileBody extends RequestBody {
    private final Path file;
    private final long offset;
    private final long length;

    FileBody(Path file, long offset, long length) {
      this.file = file;
      this.offset = offset;
      this.length = length;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public boolean isReplayable() {
      return true;
    }

    @Override
    void updateDigest(MessageDigest md) {
      AsyncIterator<ByteBuffer> it = open(null);
      try {
        while (Chunks.immediateHasNext(it)) {
          md.update(it.next());
        }
      } finally {
        it.close();
      }
    }

    @Override
    AsyncIterator<ByteBuffer> open(@Nullable Executor blockingReads) {
      return new Chunks.Immediate() {
        private @Nullable FileChannel channel;
        private final ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(CHUNK_SIZE, Math.max(1, length)));
        private long done;

        @Override
        protected @Nullable ByteBuffer read() throws IOException {
          if (done >= length) {
            return null;
          }
          FileChannel ch = channel;
          if (ch == null) {
            try {
              ch = channel = FileChannel.open(file, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
              throw new RequestBodyException(
                  "Cannot read the request body: file " + file + " does not exist (any more).", e);
            }
          }
          buffer.clear();
          buffer.limit((int) Math.min(buffer.capacity(), length - done));
          int n = ch.read(buffer, offset + done);
          if (n < 0) {
            throw Chunks.sourceEnded(FileBody.this, length, done);
          }
          done += n;
          buffer.flip();
          return buffer;
        }

        @Override
        protected void release() throws IOException {
          FileChannel ch = channel;
          channel = null;
          if (ch != null) {
            ch.close();
          }
        }

        @Override
        public String toString() {
          return FileBody.this.toString(); // failures name the body, not this class
        }
      };
    }

    @Override
    public String toString() {
      return "RequestBody[file " + file + (offset == 0 ? "" : " from " + offset) + ", " + length
          + " bytes]";
    }
  }

  /* A body that can be read once: a stream, or the caller's iterator. */
  private abstract static class OneShotBody extends RequestBody {
    final long length;
    private final AtomicBoolean opened = new AtomicBoolean();

    OneShotBody(long length) {
      this.length = length;
    }

    @Override
    public long contentLength() {
      return length;
    }

    @Override
    public boolean isReplayable() {
      return false;
    }

    @Override
    void updateDigest(MessageDigest md) {
      throw new AssertionError("not replayable");
    }

    @Override
    final AsyncIterator<ByteBuffer> open(@Nullable Executor blockingReads) {
      if (!opened.compareAndSet(false, true)) {
        throw alreadyConsumed(this);
      }
      return openOnce(blockingReads);
    }

    abstract AsyncIterator<ByteBuffer> openOnce(@Nullable Executor blockingReads);

    final String describe(String source) {
      return "RequestBody[" + source + ", " + (length < 0 ? "unknown length" : length + " bytes")
          + "]";
    }
  }

  private static final class StreamBody extends OneShotBody {
    private final InputStream in;

    StreamBody(InputStream in, long length) {
      super(length);
      this.in = in;
    }

    @Override
    AsyncIterator<ByteBuffer> openOnce(@Nullable Executor blockingReads) {
      Chunks.Blocking source =
          new Chunks.Blocking() {
            private final byte[] buffer = new byte[CHUNK_SIZE];
            private long done;

            @Override
            protected @Nullable ByteBuffer read() throws IOException {
              if (length >= 0 && done >= length) {
                if (in.read() >= 0) {
                  throw Chunks.sourceLonger(StreamBody.this, length);
                }
                return null;
              }
              int want = length < 0 ? buffer.length : (int) Math.min(buffer.length, length - done);
              int n = in.read(buffer, 0, want);
              if (n < 0) {
                if (length >= 0) {
                  throw Chunks.sourceEnded(StreamBody.this, length, done);
                }
                return null;
              }
              done += n;
              return ByteBuffer.wrap(buffer, 0, n);
            }

            @Override
            protected void release() throws IOException {
              in.close();
            }

            @Override
            public String toString() {
              return StreamBody.this.toString(); // failures name the body, not this class
            }
          };
      return blockingReads == null ? source : source.on(blockingReads);
    }

    @Override
    public String toString() {
      return describe("InputStream");
    }
  }

  private static final class ChunksBody extends OneShotBody {
    private final AsyncIterator<ByteBuffer> chunks;

    ChunksBody(AsyncIterator<ByteBuffer> chunks, long length) {
      super(length);
      this.chunks = chunks;
    }

    @Override
    AsyncIterator<ByteBuffer> openOnce(@Nullable Executor blockingReads) {
      return length < 0 ? chunks : new Chunks.LengthChecked(chunks, length, this);
    }

    @Override
    public String toString() {
      return describe("AsyncIterator");
    }
  }

  private static IllegalStateException alreadyConsumed(RequestBody body) {
    return new IllegalStateException(
        "The one-shot body " + body + " was already sent (or opened) once and cannot be read"
            + " again; use a replayable body (bytes, file) to send it more than once.");
  }
}
