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
 * in order as the ranges are handed out, so every kind of checksum is checked. A composite checksum
 * whose parts are unknown (an object another tool uploaded in parts) is checked too, once {@link
 * PartLengths} has told them: above the threshold before the ranges are fetched; up to it, the
 * body is read whole first and handed out as one buffer. Not API.
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

  /** Learns the lengths of an object's parts, for a composite checksum another tool left. */
  @FunctionalInterface
  public interface PartLengths {
    /**
     * Returns the lengths of the object's {@code parts} parts, in order, or null if the server
     * does not tell them (the object is then checked by its length only).
     */
    CompletionStage<long @Nullable []> of(int parts, long size);
  }

  private final Supplier<? extends CompletionStage<HttpResponse>> send;
  private final String what;
  private final boolean ranged;
  private final @Nullable RangeFetcher ranges;
  private final @Nullable PartLengths partLengths;
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
  private volatile @Nullable CompletableFuture<?> learning; // the part lengths, while asked for
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
    this(send, what, ranged, null, null, null, Long.MAX_VALUE, 1, 1);
  }

  /**
   * Creates the stream of a whole object, read in ranges above {@code threshold} bytes.
   *
   * @param send sends the GET of the whole object and returns its response once the head arrived
   * @param what names the download, for messages
   * @param runtime runs the range fetches alongside the reader
   * @param ranges fetches one range
   * @param partLengths learns the parts of a composite checksum another tool left
   * @param threshold the size above which the object is read in ranges
   * @param window how many ranges are fetched at once
   * @param rangeSize the size of each range but the last, at most {@code Integer.MAX_VALUE}
   */
  public DownloadStream(
      Supplier<? extends CompletionStage<HttpResponse>> send,
      String what,
      CoreRuntime runtime,
      RangeFetcher ranges,
      PartLengths partLengths,
      long threshold,
      int window,
      long rangeSize) {
    this(send, what, false, runtime, ranges, partLengths, threshold, window, rangeSize);
  }

  private DownloadStream(
      Supplier<? extends CompletionStage<HttpResponse>> send,
      String what,
      boolean ranged,
      @Nullable CoreRuntime runtime,
      @Nullable RangeFetcher ranges,
      @Nullable PartLengths partLengths,
      long threshold,
      int window,
      long rangeSize) {
    this.send = send;
    this.what = what;
    this.ranged = ranged;
    this.ranges = ranges;
    this.partLengths = partLengths;
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
          DownloadVerifier v = DownloadVerifier.of(what, response.headers(), ranged);
          verifier = v;
          long length = response.body().contentLength();
          int toLearn = v.partsToLearn();
          PartLengths learn = partLengths;
          if (ranges != null && length > threshold) {
            etag = response.headers().firstValue("etag").orElse("");
            response.close(); // its headers are all the ranges need
            size = length;
            if (toLearn == 0 || learn == null) {
              return nextRange();
            }
            return Chains.then(learn(learn, toLearn, length, v), ignored -> nextRange());
          }
          if (toLearn > 0 && learn != null && length > 0) {
            /*
             * Up to the threshold, read whole before its first byte is handed out: the parts are
             * learnt once the body is in (its connection back in the pool), then the body is the
             * one range of this stream, checked as it is handed out.
             */
            size = length;
            nextStart = length; // no range to fetch
            inFlight.addLast(
                Chains.then(
                    response.body().readAllBytes(length),
                    bytes ->
                        Chains.then(
                            learn(learn, toLearn, length, v), ignored -> Chains.done(bytes))));
            return nextRange();
          }
          AsyncIterator<ByteBuffer> opened = response.body().chunks();
          chunks = opened;
          return checkEnd(opened.hasNext());
        });
  }

  /* Learns the parts of `v`'s composite; the verifier becomes the one that checks it. */
  private CompletionStage<@Nullable Void> learn(
      PartLengths learn, int parts, long length, DownloadVerifier v) {
    CompletableFuture<long @Nullable []> asked = learn.of(parts, length).toCompletableFuture();
    learning = asked;
    if (closed) {
      asked.cancel(true);
    }
    return Chains.then(
        asked,
        lengths -> {
          learning = null;
          if (lengths != null) {
            verifier = v.withParts(lengths);
          }
          return Chains.done(null);
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
    CompletableFuture<?> l = learning;
    if (l != null) {
      l.cancel(true);
    }
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
