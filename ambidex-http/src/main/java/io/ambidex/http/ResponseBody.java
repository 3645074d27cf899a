package io.ambidex.http;

import io.ambidex.http.error.BodyTooLargeException;
import io.ambidex.http.error.HttpIOException;
import io.ambidex.http.error.HttpProtocolException;
import io.ambidex.http.error.TruncatedBodyException;
import io.ambidex.control.Async;
import io.ambidex.control.AsyncCallback;
import io.ambidex.AsyncCloseable;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.BlockingWait;
import io.ambidex.control.CoreRuntime;
import io.ambidex.http.internal.Chunks;
import io.ambidex.http.internal.Futures;
import io.ambidex.http.internal.ProgressChunks;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The body of a response, streamed from the connection. Read it once, in one of these ways:
 * {@link #chunks()}, {@link #readAllBytes}, {@link #readString}, {@link #transferTo} or {@link
 * #asInputStream()}; or {@link #close()} it unread.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Verified</b>: the bytes delivered are counted; a body that ends before its {@code
 *       Content-Length} fails with {@link TruncatedBodyException}, one that holds more with {@link
 *       HttpProtocolException}. A truncated body is never reported as a complete one.
 *   <li><b>Bounded memory</b>: chunks are passed on as they arrive (the async transport buffers at
 *       most 128 KiB, plus one read of up to 64 KiB, ahead of the reader); only {@link
 *       #readAllBytes} gathers the body, up to the limit the caller gives.
 *   <li><b>Which thread</b>: under the sync transport every stage is complete and every read
 *       happens on the caller's thread. Under the async transport, stages complete on the
 *       transport's I/O threads: continuations must not block.
 *   <li><b>Close</b>: after the last byte, the connection is already back in the pool and {@code
 *       close()} does nothing more; before it, {@code close()} closes the connection rather than
 *       draining an unknown amount of data. Idempotent. The helpers close the body themselves.
 * </ul>
 */
public final class ResponseBody implements AsyncCloseable {
  private final AsyncIterator<ByteBuffer> source;
  private final long contentLength;
  private final @Nullable String contentType;
  private final String exchange;
  private final @Nullable CoreRuntime runtime;
  private final @Nullable AsyncCallback<? super TransferProgress> progress;
  private final AtomicReference<@Nullable String> consumedBy = new AtomicReference<>();

  ResponseBody(
      AsyncIterator<ByteBuffer> source,
      long contentLength,
      @Nullable String contentType,
      String exchange,
      @Nullable CoreRuntime runtime,
      @Nullable AsyncCallback<? super TransferProgress> progress) {
    this.source = source;
    this.contentLength = contentLength;
    this.contentType = contentType;
    this.exchange = exchange;
    this.runtime = runtime;
    this.progress = progress;
  }

  /**
   * Returns a body of the given bytes, for fake transports in tests.
   *
   * @param bytes the content, not copied
   * @param contentType the media type, or null
   */
  public static ResponseBody of(byte[] bytes, @Nullable String contentType) {
    Objects.requireNonNull(bytes, "bytes");
    AsyncIterator<ByteBuffer> it = RequestBody.of(bytes).open(null);
    return new ResponseBody(it, bytes.length, contentType, "a fake response", null, null);
  }

  /**
   * Returns a body of the chunks of an async source, for fake transports in tests. Closing the
   * body closes the source.
   *
   * @param chunks the source
   * @param contentLength the declared length, or -1 if unknown
   * @param contentType the media type, or null
   */
  public static ResponseBody ofChunks(
      AsyncIterator<ByteBuffer> chunks, long contentLength, @Nullable String contentType) {
    Objects.requireNonNull(chunks, "chunks");
    if (contentLength < -1) {
      throw new IllegalArgumentException(
          "contentLength must be -1 (unknown) or at least 0, but was " + contentLength);
    }
    return new ResponseBody(chunks, contentLength, contentType, "a fake response", null, null);
  }

  /** The transport's source of the bytes, unwrapped (for the transports' tests). */
  AsyncIterator<ByteBuffer> source() {
    return source;
  }

  /** Returns the declared length ({@code Content-Length}), or -1 if unknown (chunked). */
  public long contentLength() {
    return contentLength;
  }

  /** Returns the {@code Content-Type}, or null. */
  public @Nullable String contentType() {
    return contentType;
  }

  /**
   * Returns the body as an async iterator of chunks. Each chunk is valid until the next {@code
   * hasNext()}. Closing the iterator closes the body.
   *
   * @throws IllegalStateException if the body was already consumed
   */
  public AsyncIterator<ByteBuffer> chunks() {
    claim("chunks()");
    return iterator();
  }

  private AsyncIterator<ByteBuffer> iterator() {
    AsyncIterator<ByteBuffer> it = new Verified(source, contentLength, exchange);
    if (runtime != null && progress != null) {
      it =
          new ProgressChunks(
              it, runtime, progress, TransferProgress.Direction.DOWNLOAD, contentLength);
    }
    return it;
  }

  /**
   * Reads the whole body into an array, then closes it.
   *
   * @param maxBytes the largest body accepted
   * @return a stage of the bytes; failed with {@link BodyTooLargeException} if the body is longer
   *     than {@code maxBytes} (the connection is closed, not drained)
   * @throws IllegalArgumentException if {@code maxBytes} is negative
   * @throws IllegalStateException if the body was already consumed
   */
  public CompletionStage<byte[]> readAllBytes(long maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must not be negative, but was " + maxBytes);
    }
    claim("readAllBytes");
    if (contentLength > maxBytes) {
      close();
      return CompletableFuture.failedFuture(tooLarge(maxBytes, contentLength));
    }
    int initial = contentLength >= 0 ? (int) contentLength : (int) Math.min(maxBytes, 8192);
    Gather gather = new Gather(initial, maxBytes);
    AsyncIterator<ByteBuffer> it = iterator();
    return drain(it, gather).thenApply(ignored -> gather.result());
  }

  /**
   * Reads the whole body and decodes it with the charset of its {@code Content-Type} (UTF-8 if
   * none is named), then closes it.
   *
   * @param maxBytes the largest body accepted
   * @return a stage of the text; failed with {@link BodyTooLargeException} as {@link
   *     #readAllBytes}
   */
  public CompletionStage<String> readString(long maxBytes) {
    Charset charset = charset(contentType);
    return readAllBytes(maxBytes).thenApply(bytes -> new String(bytes, charset));
  }

  /**
   * Writes the body to {@code file} (created or truncated), then closes the body. If the transfer
   * fails, the partial file is deleted, so a complete-looking file is always a complete body.
   * Writes happen on the thread that delivers each chunk.
   *
   * @param file the target
   * @return a stage of the number of bytes written
   * @throws IllegalStateException if the body was already consumed
   */
  public CompletionStage<Long> transferTo(Path file) {
    Objects.requireNonNull(file, "file");
    claim("transferTo");
    FileChannel channel;
    try {
      channel =
          FileChannel.open(
              file,
              StandardOpenOption.CREATE,
              StandardOpenOption.TRUNCATE_EXISTING,
              StandardOpenOption.WRITE);
    } catch (IOException e) {
      close();
      return CompletableFuture.failedFuture(
          new UncheckedIOException("Cannot write the body of " + exchange + " to " + file, e));
    }
    long[] written = new long[1];
    AsyncIterator<ByteBuffer> it = iterator();
    return drain(
            it,
            chunk -> {
              try {
                while (chunk.hasRemaining()) {
                  written[0] += channel.write(chunk);
                }
              } catch (IOException e) {
                throw new UncheckedIOException(
                    "Cannot write the body of " + exchange + " to " + file, e);
              }
            })
        .handle(
            (ignored, failure) -> {
              try {
                channel.close();
              } catch (IOException e) {
                if (failure == null) {
                  failure = new UncheckedIOException("Cannot close " + file, e);
                }
              }
              if (failure != null) {
                try {
                  Files.deleteIfExists(file);
                } catch (IOException e) {
                  failure.addSuppressed(e);
                }
                throw Futures.unwrap(failure) instanceof RuntimeException r
                    ? r
                    : new java.util.concurrent.CompletionException(Futures.unwrap(failure));
              }
              return written[0];
            });
  }

  /**
   * Returns a blocking {@link InputStream} over the body. Each read takes a chunk that has
   * already arrived in place, and waits with {@link BlockingWait} (which refuses to block an
   * event-loop thread) only when none has. Failures are thrown as an {@link IOException} whose
   * cause is the {@link HttpIOException}; closing the stream closes the body.
   *
   * @throws IllegalStateException if the body was already consumed
   */
  public InputStream asInputStream() {
    claim("asInputStream");
    return new BodyInputStream(iterator());
  }

  /**
   * Closes the body: a no-op after the last byte (the connection is back in the pool), otherwise
   * the connection is closed. Idempotent.
   */
  @Override
  public CompletionStage<Void> close() {
    return source.close();
  }

  ResponseBody withProgress(
      CoreRuntime runtime, @Nullable AsyncCallback<? super TransferProgress> listener) {
    return new ResponseBody(source, contentLength, contentType, exchange, runtime, listener);
  }

  /** Reads at most {@code limit} bytes as text, for error messages, then closes the body. */
  CompletionStage<String> snippet(int limit) {
    Charset charset = charset(contentType);
    Gather gather = new Gather(Math.min(limit, 1024), Long.MAX_VALUE);
    AsyncIterator<ByteBuffer> it = new Verified(source, contentLength, exchange);
    return Async.loop(
            Boolean.TRUE,
            more -> more && gather.size < limit,
            ignored ->
                it.hasNext()
                    .thenApply(
                        has -> {
                          if (has) {
                            ByteBuffer b = it.next();
                            int n = Math.min(b.remaining(), limit - gather.size);
                            b.limit(b.position() + n);
                            gather.accept(b);
                          }
                          return has;
                        }))
        .handle(
            (v, e) -> {
              it.close();
              return new String(gather.result(), charset);
            });
  }

  private void claim(String how) {
    if (!consumedBy.compareAndSet(null, how)) {
      throw new IllegalStateException(
          "The body of " + exchange + " was already consumed by " + consumedBy.get()
              + "; a response body can be read only once.");
    }
  }

  private CompletionStage<Void> drain(AsyncIterator<ByteBuffer> it, Consumer<ByteBuffer> sink) {
    CompletionStage<Boolean> loop =
        Async.loop(
            Boolean.TRUE,
            more -> more,
            ignored ->
                it.hasNext()
                    .thenApply(
                        has -> {
                          if (has) {
                            sink.accept(it.next());
                          }
                          return has;
                        }));
    return loop.handle((v, e) -> e)
        .thenCompose(
            failure ->
                Futures.asFuture(it.close())
                    .handle(
                        (v, closeFailure) -> {
                          if (failure != null) {
                            Throwable f = Futures.unwrap(failure);
                            throw f instanceof RuntimeException r
                                ? r
                                : new java.util.concurrent.CompletionException(f);
                          }
                          return null;
                        }));
  }

  private BodyTooLargeException tooLarge(long maxBytes, long size) {
    return new BodyTooLargeException(
        "The body of " + exchange
            + (size >= 0
                ? " is " + size + " bytes, more than the limit of "
                : " is longer than the limit of ")
            + maxBytes + " bytes the reader set; the connection was closed. Stream it (chunks(),"
            + " transferTo, asInputStream) or raise the limit.",
        new IOException("response body over the limit"));
  }

  static Charset charset(@Nullable String contentType) {
    if (contentType != null) {
      for (String param : contentType.split(";")) {
        String p = param.strip();
        if (p.toLowerCase(Locale.ROOT).startsWith("charset=")) {
          String name = p.substring(8).strip().replace("\"", "");
          try {
            return Charset.forName(name);
          } catch (IllegalCharsetNameException | UnsupportedCharsetException unknown) {
            return StandardCharsets.UTF_8;
          }
        }
      }
    }
    return StandardCharsets.UTF_8;
  }

  @Override
  public String toString() {
    return "ResponseBody[" + exchange + ", "
        + (contentLength < 0 ? "unknown length" : contentLength + " bytes") + "]";
  }

  /** Accumulates bytes up to a limit. */
  private final class Gather implements Consumer<ByteBuffer> {
    private byte[] buffer;
    private int size;
    private final long max;

    Gather(int initial, long max) {
      this.buffer = new byte[Math.max(initial, 16)];
      this.max = max;
    }

    @Override
    public void accept(ByteBuffer b) {
      int n = b.remaining();
      if (size + (long) n > max) {
        throw tooLarge(max, -1);
      }
      if (size + n > buffer.length) {
        buffer = Arrays.copyOf(buffer, (int) Math.min(max, Math.max(size + n, buffer.length * 2L)));
      }
      b.get(buffer, size, n);
      size += n;
    }

    byte[] result() {
      return size == buffer.length ? buffer : Arrays.copyOf(buffer, size);
    }
  }

  /** Counts the bytes and checks them against the declared length. */
  private static final class Verified implements AsyncIterator<ByteBuffer> {
    private final AsyncIterator<ByteBuffer> source;
    private final long length;
    private final String exchange;
    private long seen;

    Verified(AsyncIterator<ByteBuffer> source, long length, String exchange) {
      this.source = source;
      this.length = length;
      this.exchange = exchange;
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      CompletionStage<Boolean> s = source.hasNext();
      if (length < 0) {
        return s;
      }
      CompletableFuture<Boolean> f = Futures.asFuture(s);
      if (f.isDone() && !f.isCompletedExceptionally() && f.join()) {
        return s; // fast path: another chunk
      }
      return s.thenApply(
          has -> {
            if (!has && seen < length) {
              source.close();
              throw new TruncatedBodyException(
                  "The body of " + exchange + " ended after " + seen + " of its " + length
                      + " bytes (Content-Length): the connection closed early. The data is"
                      + " incomplete and was not returned as a success.",
                  new EOFException("body ended early"),
                  length,
                  seen);
            }
            return has;
          });
    }

    @Override
    public ByteBuffer next() {
      ByteBuffer b = source.next();
      seen += b.remaining();
      if (length >= 0 && seen > length) {
        source.close();
        throw new HttpProtocolException(
            "The body of " + exchange + " holds more than its Content-Length of " + length
                + " bytes; the response is malformed.",
            new IOException("body longer than Content-Length"));
      }
      return b;
    }

    @Override
    public CompletionStage<Void> close() {
      return source.close();
    }
  }

  /** The blocking adapter of {@link #asInputStream()}. */
  private static final class BodyInputStream extends InputStream {
    private final AsyncIterator<ByteBuffer> it;
    private @Nullable ByteBuffer current;
    private boolean eof;
    private boolean closed;

    BodyInputStream(AsyncIterator<ByteBuffer> it) {
      this.it = it;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (closed) {
        throw new IOException("read on a closed response body stream");
      }
      if (len == 0) {
        return 0;
      }
      ByteBuffer c = current;
      while (c == null || !c.hasRemaining()) {
        if (eof) {
          return -1;
        }
        boolean has;
        try {
          has = Chunks.awaitHasNext(it);
        } catch (HttpIOException e) {
          throw new IOException(e.getMessage(), e);
        }
        if (!has) {
          eof = true;
          return -1;
        }
        c = current = it.next();
      }
      int n = Math.min(len, c.remaining());
      c.get(b, off, n);
      return n;
    }

    @Override
    public int available() {
      ByteBuffer c = current;
      return c == null ? 0 : c.remaining();
    }

    @Override
    public void close() throws IOException {
      if (!closed) {
        closed = true;
        current = null;
        try {
          Chunks.awaitClose(it.close());
        } catch (HttpIOException e) {
          throw new IOException(e.getMessage(), e);
        }
      }
    }
  }
}
