package io.ambidex.blob.internal;

import io.ambidex.control.CoreRuntime;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An object's bytes as an {@link AsyncIterator} of buffers: the request is sent on the first
 * {@code hasNext()}, each buffer handed out is one the caller owns, and the last {@code
 * hasNext()} checks the bytes against the object's checksum ({@link DownloadVerifier}), failing
 * with {@link io.ambidex.blob.BlobIntegrityException} instead of answering false if they do not
 * match. Closing it early closes the connection.
 *
 * <p>With a {@link RangeFetcher}, an object larger than the threshold is read in ranges: the
 * first response is closed once its headers are read, and ranges of {@code rangeSize} bytes are
 * fetched {@code window} at a time, each into an array of its own that is handed out whole, in
 * order (at most {@code window + 1} ranges in memory). The ranges are fetched alongside the reader
 * through the runtime's {@link CoreRuntime#fork} (on threads of their own on the blocking path,
 * where a fetch would otherwise run to its end on the reader's thread, one range after another),
 * and the reader waits for the next one with {@link CoreRuntime#await}. The checksum is computed
 * in order as the ranges are handed out, so every kind of checksum is checked. Not API.
 */
public final class DownloadStream implements AsyncIterator<ByteBuffer> {
  /** Fetches one range of an object. */
  @FunctionalInterface
  public interface RangeFetcher {
    /**
     * Fetches {@code length} bytes from {@code start}, failing if the object's ETag is no longer
     * {@code etag}, or if the server sends another number of bytes.
     */
    CompletionStage<byte[]> fetch(long start, int length, String etag);
  }

  private final Supplier<? extends CompletionStage<HttpResponse>> send;
  private final String what;
  private final boolean ranged;
  private final @Nullable RangeFetcher ranges;
  private final @Nullable CoreRuntime runtime;
  private final long threshold;
  private final int window;
  private final long rangeSize;
  private final ArrayDeque<CompletableFuture<byte[]>> inFlight = new ArrayDeque<>();
  private long size = -1; // > 0 once reading in ranges
  private String etag = "";
  private long nextStart; // the start of the next range to fetch
  private byte @Nullable [] current;
  private @Nullable CompletableFuture<HttpResponse> sending;
  private volatile @Nullable AsyncIterator<ByteBuffer> chunks;
  private @Nullable DownloadVerifier verifier;
  private volatile boolean closed;
  private boolean ended;

  /**
   * Creates the stream.
   *
   * @param send sends the GET and returns its response once the head has arrived
   * @param what names the download, for messages
   * @param ranged true for a ranged download (not checked against the ETag)
   */
  public DownloadStream(
      Supplier<? extends CompletionStage<HttpResponse>> send, String what, boolean ranged) {
    this(send, what, ranged, null, null, Long.MAX_VALUE, 1, 1);
  }

  /**
   * Creates the stream of a whole object, read in ranges above {@code threshold} bytes.
   *
   * @param send sends the GET of the whole object and returns its response once the head arrived
   * @param what names the download, for messages
   * @param runtime runs the range fetches alongside the reader
   * @param ranges fetches one range
   * @param threshold the size above which the object is read in ranges
   * @param window how many ranges are fetched at once
   * @param rangeSize the size of each range but the last, at most {@code Integer.MAX_VALUE}
   */
  public DownloadStream(
      Supplier<? extends CompletionStage<HttpResponse>> send,
      String what,
      CoreRuntime runtime,
      RangeFetcher ranges,
      long threshold,
      int window,
      long rangeSize) {
    this(send, what, false, runtime, ranges, threshold, window, rangeSize);
  }

  private DownloadStream(
      Supplier<? extends CompletionStage<HttpResponse>> send,
      String what,
      boolean ranged,
      @Nullable CoreRuntime runtime,
      @Nullable RangeFetcher ranges,
      long threshold,
      int window,
      long rangeSize) {
    this.send = send;
    this.what = what;
    this.ranged = ranged;
    this.ranges = ranges;
    this.runtime = runtime;
    this.threshold = threshold;
    this.window = window;
    this.rangeSize = Math.min(rangeSize, Integer.MAX_VALUE - 16);
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    if (closed) {
      throw new IllegalStateException("The download stream of " + what + " is closed.");
    }
    if (size > 0) {
      return nextRange();
    }
    AsyncIterator<ByteBuffer> c = chunks;
    if (c != null) {
      return checkEnd(c.hasNext());
    }
    if (sending == null) {
      sending = send.get().toCompletableFuture();
    }
    return Chains.then(
        sending,
        response -> {
          if (closed) {
            response.close();
            throw new CancellationException("The download stream of " + what + " was closed.");
          }
          verifier = DownloadVerifier.of(what, response.headers(), ranged);
          long length = response.body().contentLength();
          if (ranges != null && length > threshold) {
            etag = response.headers().firstValue("etag").orElse("");
            response.close(); // its headers are all the ranges need
            size = length;
            return nextRange();
          }
          AsyncIterator<ByteBuffer> opened = response.body().chunks();
          chunks = opened;
          return checkEnd(opened.hasNext());
        });
  }

  /* Keeps `window` ranges in flight and answers once the next one has arrived. */
  private CompletionStage<Boolean> nextRange() {
    RangeFetcher f = Objects.requireNonNull(ranges, "ranges");
    CoreRuntime r = Objects.requireNonNull(runtime, "runtime");
    while (inFlight.size() < window && nextStart < size) {
      long start = nextStart;
      int length = (int) Math.min(rangeSize, size - start);
      nextStart += length;
      inFlight.addLast(
          r.fork("GET " + what + " (range at " + start + ")", () -> f.fetch(start, length, etag))
              .toCompletableFuture());
    }
    CompletableFuture<byte[]> head = inFlight.peekFirst();
    if (head == null) {
      return checkEnd(CompletableFuture.completedFuture(false));
    }
    return Chains.then(
        r.await("GET " + what, head),
        bytes -> {
          current = bytes;
          return CompletableFuture.completedFuture(true);
        });
  }

  private CompletionStage<Boolean> checkEnd(CompletionStage<Boolean> has) {
    return has.thenApply(
        more -> {
          if (!more && !ended) {
            ended = true;
            DownloadVerifier v = verifier;
            if (v != null) {
              v.finish();
            }
          }
          return more;
        });
  }

  @Override
  public ByteBuffer next() {
    byte[] range = current;
    if (range != null) {
      current = null;
      inFlight.pollFirst();
      ByteBuffer b = ByteBuffer.wrap(range);
      DownloadVerifier v = verifier;
      if (v != null) {
        v.update(b);
      }
      return b; // the range's own array: nobody else holds it
    }
    AsyncIterator<ByteBuffer> c = chunks;
    if (c == null) {
      throw new NoSuchElementException("hasNext() did not answer true");
    }
    ByteBuffer chunk = c.next();
    DownloadVerifier v = verifier;
    if (v != null) {
      v.update(chunk);
    }
    ByteBuffer copy = ByteBuffer.allocate(chunk.remaining());
    copy.put(chunk.duplicate()).flip();
    return copy;
  }

  @Override
  public CompletionStage<Void> close() {
    closed = true;
    for (CompletableFuture<byte[]> f; (f = inFlight.pollFirst()) != null; ) {
      f.cancel(true);
    }
    AsyncIterator<ByteBuffer> c = chunks;
    if (c != null) {
      return c.close();
    }
    CompletableFuture<HttpResponse> s = sending;
    if (s != null) {
      s.cancel(true);
      s.thenAccept(HttpResponse::close); // arrived anyway: release it
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public String toString() {
    return "DownloadStream[" + what + (ranged ? ", ranged" : "") + "]";
  }
}
