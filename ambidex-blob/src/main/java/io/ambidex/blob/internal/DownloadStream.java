package io.ambidex.blob.internal;

import io.ambidex.blob.BlobIntegrityException;
import io.ambidex.control.CoreRuntime;
import io.ambidex.http.HttpHeaders;
import io.ambidex.http.HttpResponse;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An object's bytes as an {@link AsyncIterator} of buffers: the request is sent on the first
 * {@code hasNext()}, each buffer handed out is one the caller owns, and the last {@code
 * hasNext()} checks the bytes against the object's checksum ({@link DownloadVerifier}), failing
 * with {@link io.ambidex.blob.BlobIntegrityException} instead of answering false if they do not
 * match. Closing it early closes the connection.
 *
 * <p>With a {@link RangeFetcher}, an object larger than the threshold is read in ranges of {@code
 * rangeSize} bytes, fetched {@code window} at a time, each into a {@link Range}, and handed out in
 * order as they fill. An object of at least {@value #LEAD_MIN_RANGES} ranges starts with its first
 * response, the lead, read in order as for a small object, and adds ranges only when they would
 * help (a measure, made once, of the reader's waits and of what one ranged GET beside the lead
 * brings, see {@link #spread}). A smaller one above the threshold is read in ranges from the start:
 * its first response is closed once its headers are read (so is the first response of an object
 * whose composite checksum needs its parts' lengths: the HEADs that learn them must not wait for
 * the connection the lead would hold); one up to the threshold is read from its first response
 * alone. Whenever a first response serves the stream, its connection breaking midway is resumed by
 * ranges from where it stopped, when the retry policy allows a retry. A range's bytes go into
 * arrays of {@value #BLOCK} bytes, allocated as the bytes arrive, and the reader takes each array
 * once it is full (or the range's last), while the rest of the range is still arriving; the range
 * lets go of an array once the reader has it. So what a stream holds is the bytes its ranges have
 * received and the reader has not taken: at most {@code window} ranges' worth (the probe's among
 * them), in arrays small enough for any heap; the lead's chunks are copied out one at a time, as
 * for a small object. The ranges are fetched alongside the reader through the runtime's {@link
 * CoreRuntime#fork} (on threads of their own on the blocking path, where a fetch would otherwise
 * run to its end on the reader's thread, one range after another), and the reader waits for more
 * bytes with {@link CoreRuntime#await}. The checksum is computed in order as the slices are handed
 * out, so every kind of checksum is checked. A composite checksum whose parts are unknown (an
 * object another tool uploaded in parts) is checked too, once {@link PartLengths} has told them:
 * above the threshold before the ranges are fetched; up to it, the body is read whole before its
 * first buffer is handed out.
 * Not API.
 */
public final class DownloadStream implements AsyncIterator<ByteBuffer> {
  /**
   * The size of the arrays a range is received into and handed out as (256 KiB): below half of
   * G1's smallest region, so never a humongous allocation.
   */
  static final int BLOCK = 256 * 1024;

  /**
   * Whether the object a response describes may be fetched in ranges: each range carries {@code
   * If-Match} on its ETag, so that an object replaced meanwhile fails instead of mixing two
   * versions, and a response without an ETag cannot be guarded (S3 always sends one).
   *
   * @param headers the first response's headers
   * @return true if they carry a non-empty ETag
   */
  public static boolean guarded(HttpHeaders headers) {
    return !headers.firstValue("etag").orElse("").isEmpty();
  }

  /** The fewest ranges an object must make for its stream to start with one GET, the lead. */
  static final int LEAD_MIN_RANGES = 4;

  /**
   * A lead that brings this many bytes a second (256 MiB/s) serves on alone, unprobed: three times
   * what one connection to S3 is documented to carry (85-90 MB/s), so more connections would not
   * be the gain they are there, while the reader's own work (a copy and the checksum, MD5 near
   * 500 MB/s) and its caller's come close to this rate, and every range is a request the server
   * works for (and S3 bills).
   */
  static final double FAST_ENOUGH = 256.0 * 1024 * 1024;

  /** What the lead serves before it is measured: its connection's and the reader's warm-up. */
  static final long WARM_UP = 1024 * 1024;

  /**
   * How the lead stands: not measured yet, measured with a ranged GET beside it, or decided
   * (serving on alone, with at most the probe's range after it, or given over to ranges).
   */
  private enum Lead {
    MEASURING,
    PROBING,
    ALONE,
    SPREAD
  }

  /** Fetches one range of an object. */
  @FunctionalInterface
  public interface RangeFetcher {
    /**
     * Fetches the {@link Range#length()} bytes of {@code into} from {@code start}, each attempt's
     * body through {@link Range#fill}, failing if the object's ETag is no longer {@code etag}.
     */
    CompletionStage<?> fetch(long start, Range into, String etag);
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
  private final Predicate<Throwable> resume;
  private final ArrayDeque<Fetch> inFlight = new ArrayDeque<>();
  private long size = -1; // > 0 once reading in ranges
  private String etag = "";
  private long nextStart; // the start of the next range to fetch
  private int handedOut; // how much of the first range in flight the reader has taken
  private @Nullable CompletableFuture<HttpResponse> sending;
  private volatile @Nullable CompletableFuture<?> learning; // the part lengths, while asked for
  private volatile @Nullable AsyncIterator<ByteBuffer> chunks;
  private @Nullable DownloadVerifier verifier;
  private volatile boolean closed;
  private boolean ended;
  // The lead, read by the reader's calls one after another (each after the last's stage ended).
  private long total = -1; // the object's length while the lead serves it
  private long leadAt; // what the lead has handed out
  private long leadEnd; // where the lead stops: the end, the probe's start, or where ranges go on
  private Lead lead = Lead.MEASURING;
  private long measuredFrom = -1; // leadAt when the measure began (past WARM_UP)
  private long measuredSince; // System.nanoTime() then
  private long waited; // how long the reader waited on the lead since then, in nanoseconds
  private long aloneBytes; // what the lead served alone while measured
  private long aloneNanos; // in how long
  private long probedSince; // System.nanoTime() when the probe was sent
  private long probedAt; // leadAt then
  private @Nullable Fetch probe; // the last range, fetched beside the lead (inFlight's lock)

  /**
   * Creates the stream.
   *
   * @param send sends the GET and returns its response once the head has arrived
   * @param what names the download, for messages
   * @param ranged true for a ranged download (not checked against the ETag)
   */
  public DownloadStream(
      Supplier<? extends CompletionStage<HttpResponse>> send, String what, boolean ranged) {
    this(send, what, ranged, null, null, null, Long.MAX_VALUE, 1, 1, failure -> false);
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
   * @param resume whether the lead's failure (unwrapped) may be resumed by ranges from where it
   *     stopped: the retry policy's answer for a first attempt
   */
  public DownloadStream(
      Supplier<? extends CompletionStage<HttpResponse>> send,
      String what,
      CoreRuntime runtime,
      RangeFetcher ranges,
      PartLengths partLengths,
      long threshold,
      int window,
      long rangeSize,
      Predicate<Throwable> resume) {
    this(send, what, false, runtime, ranges, partLengths, threshold, window, rangeSize, resume);
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
      long rangeSize,
      Predicate<Throwable> resume) {
    this.send = send;
    this.what = what;
    this.ranged = ranged;
    this.ranges = ranges;
    this.partLengths = partLengths;
    this.runtime = runtime;
    this.threshold = threshold;
    this.window = window;
    this.rangeSize = Math.min(rangeSize, Integer.MAX_VALUE - 16);
    this.resume = resume;
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
      return total > 0 ? lead(c) : checkEnd(c.hasNext());
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
          // An object without an ETag is served by this response alone (guarded).
          boolean guarded = guarded(response.headers());
          if (ranges != null && length > threshold && guarded) {
            etag = response.headers().firstValue("etag").orElseThrow();
            if (toLearn == 0 && length >= LEAD_MIN_RANGES * rangeSize) {
              total = length;
              leadEnd = length;
              AsyncIterator<ByteBuffer> opened = response.body().chunks();
              chunks = opened;
              return lead(opened);
            }
            response.close(); // its headers are all the ranges need
            size = length;
            if (toLearn == 0 || learn == null) {
              return nextRange();
            }
            return Chains.then(learn(learn, toLearn, length, v), ignored -> nextRange());
          }
          if (toLearn > 0 && learn != null && length > 0 && length <= threshold) {
            /*
             * Up to the threshold, read whole before its first byte is handed out: the parts are
             * learnt once the body is in (its connection back in the pool), then the body is the
             * one range of this stream, checked as it is handed out.
             */
            size = length;
            nextStart = length; // no range to fetch
            Range whole = new Range((int) length, "body of " + what);
            inFlight.addLast(
                new Fetch(
                    whole,
                    Chains.then(
                            whole.fill(response.body().chunks()),
                            ignored -> learn(learn, toLearn, length, v))
                        .toCompletableFuture(),
                    true));
            return nextRange();
          }
          AsyncIterator<ByteBuffer> opened = response.body().chunks();
          chunks = opened;
          if (ranges != null && length > 0 && guarded) {
            // A lead that is never measured: it serves the object, and a break is resumed.
            etag = response.headers().firstValue("etag").orElseThrow();
            total = length;
            leadEnd = length;
            lead = Lead.ALONE;
            return lead(opened);
          }
          return checkEnd(opened.hasNext());
        });
  }

  /*
   * The lead's next: measures and decides on the way (the reader calls this before each buffer),
   * then waits for the lead's next chunk, or leaves the lead once it has served its part.
   */
  private CompletionStage<Boolean> lead(AsyncIterator<ByteBuffer> c) {
    long now = System.nanoTime();
    if (lead == Lead.MEASURING && leadAt >= WARM_UP) {
      if (measuredFrom < 0) {
        measuredFrom = leadAt;
        measuredSince = now;
      } else if (leadAt - measuredFrom >= 2 * rangeSize) {
        probeOrNot(now);
      }
    } else if (lead == Lead.PROBING) {
      Fetch p;
      synchronized (inFlight) {
        p = probe;
      }
      if (p != null && p.done.isDone()) {
        decide(p, now);
      }
    }
    if (leadAt >= leadEnd && leadEnd < total) {
      return leave(c);
    }
    return c.hasNext()
        .handle(
            (more, failure) -> {
              if (measuredFrom >= 0) {
                waited += System.nanoTime() - now;
              }
              if (failure == null && more) {
                return CompletableFuture.completedFuture(true);
              }
              if (failure == null && leadAt == total) {
                return checkEnd(CompletableFuture.completedFuture(false));
              }
              Throwable cause =
                  failure != null
                      ? Chains.unwrap(failure)
                      : new BlobIntegrityException(
                          "The body of " + what + " ended after " + leadAt + " of its " + total
                              + " bytes.",
                          Long.toString(total),
                          Long.toString(leadAt));
              if (closed || !resume.test(cause)) {
                return CompletableFuture.<Boolean>failedFuture(cause);
              }
              // Its connection broke: ranges go on from where it stopped, each retried on its own.
              lead = Lead.SPREAD;
              leadEnd = leadAt;
              return leave(c);
            })
        .thenCompose(next -> next);
  }

  /*
   * After WARM_UP bytes and two ranges' worth measured: a reader that waited on the lead for at
   * least a third of that time may gain from more connections, so the object's last range is
   * fetched beside the lead (the lead then stops where it starts); one that did not is the bound
   * itself, and the lead serves on alone.
   */
  private void probeOrNot(long now) {
    long start = total - rangeSize;
    long bytes = leadAt - measuredFrom;
    long nanos = now - measuredSince;
    if (window < 2
        || start <= leadAt
        || waited * 3 < nanos
        || (double) bytes / nanos * 1e9 >= FAST_ENOUGH) {
      lead = Lead.ALONE;
      return;
    }
    RangeFetcher f = Objects.requireNonNull(ranges, "ranges");
    CoreRuntime r = Objects.requireNonNull(runtime, "runtime");
    Range range = new Range((int) rangeSize, "range at " + start + " of " + what);
    synchronized (inFlight) {
      if (closed) {
        return; // the reader's next wait fails
      }
      CompletableFuture<?> fetched =
          r.fork("GET " + what + " (range at " + start + ")", () -> f.fetch(start, range, etag))
              .toCompletableFuture();
      fetched.whenComplete((ignored, e) -> range.end());
      probe = new Fetch(range, fetched, false);
    }
    lead = Lead.PROBING;
    leadEnd = start;
    aloneBytes = bytes;
    aloneNanos = nanos;
    probedSince = now;
    probedAt = leadAt;
  }

  /* The probe has ended: ranges take over from here if the two together were worth it. */
  private void decide(Fetch p, long now) {
    if (p.done.isCompletedExceptionally()) {
      synchronized (inFlight) {
        probe = null; // the lead serves the end too, and the probe's failure is not the stream's
      }
      lead = Lead.ALONE;
      leadEnd = total;
      return;
    }
    long together = leadAt - probedAt + p.range.length();
    if (spread(aloneBytes, aloneNanos, together, now - probedSince)) {
      lead = Lead.SPREAD;
      leadEnd = leadAt;
    } else {
      lead = Lead.ALONE;
    }
  }

  /**
   * Whether ranges beside the lead are worth it: the bytes that arrived while one ranged GET ran
   * beside the lead came at least 1.5 times as fast as the lead's alone. (A reader that does not
   * wait on the lead is not measured this way: {@code probeOrNot}.)
   */
  static boolean spread(long aloneBytes, long aloneNanos, long togetherBytes, long togetherNanos) {
    if (aloneNanos <= 0 || togetherNanos <= 0) {
      return false;
    }
    return (double) togetherBytes / togetherNanos >= 1.5 * aloneBytes / aloneNanos;
  }

  /*
   * The lead has served its part (up to the probe, to where ranges go on, or where it broke): its
   * connection is closed mid-body (a pooled connection cannot be given back with bytes unread),
   * and the ranges go on from there, the probe last.
   */
  private CompletionStage<Boolean> leave(AsyncIterator<ByteBuffer> c) {
    chunks = null;
    nextStart = leadAt;
    handedOut = 0;
    size = total;
    if (lead == Lead.PROBING) {
      lead = Lead.ALONE; // reached the probe before it ended: nothing left to decide
    }
    c.close(); // its failures are the closed lead's, not the stream's
    return nextRange();
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

  /*
   * Keeps `window` ranges in flight and answers true once the first one has an array for the
   * reader: its next block is full (or it is the range's last, complete). A range is dropped once
   * the reader has taken all of it and its fetch has ended (so that a fetch that fails after its
   * last byte, on a body longer than asked for, is not missed).
   */
  private CompletionStage<Boolean> nextRange() {
    RangeFetcher f = Objects.requireNonNull(ranges, "ranges");
    CoreRuntime r = Objects.requireNonNull(runtime, "runtime");
    while (true) {
      Fetch head;
      synchronized (inFlight) { // close() may run on another thread, as a wait of ours ends
        if (closed) {
          throw new CancellationException("The download stream of " + what + " was closed.");
        }
        Fetch last = probe; // the probe goes last, and counts against the window meanwhile
        long end = last != null ? size - last.range.length() : size;
        while (inFlight.size() + (last != null ? 1 : 0) < window && nextStart < end) {
          long start = nextStart;
          int n = (int) Math.min(rangeSize, end - start);
          Range range = new Range(n, "range at " + start + " of " + what);
          nextStart += range.length();
          CompletableFuture<?> fetched =
              r.fork("GET " + what + " (range at " + start + ")", () -> f.fetch(start, range, etag))
                  .toCompletableFuture();
          fetched.whenComplete((ignored, e) -> range.end());
          inFlight.addLast(new Fetch(range, fetched, false));
        }
        if (last != null && nextStart == end) {
          inFlight.addLast(last);
          probe = null;
          nextStart = size;
        }
        head = inFlight.peekFirst();
      }
      if (head == null) {
        return checkEnd(CompletableFuture.completedFuture(false));
      }
      int filled = head.range.filled();
      int length = head.range.length();
      int blockEnd = Math.min(length, (handedOut / BLOCK + 1) * BLOCK);
      boolean fetched = head.done.isDone() && !head.done.isCompletedExceptionally();
      if (handedOut < length && filled >= blockEnd && (fetched || !head.whole)) {
        return CompletableFuture.completedFuture(true);
      }
      if (handedOut == length && fetched) {
        synchronized (inFlight) {
          inFlight.pollFirst();
        }
        handedOut = 0;
        continue;
      }
      CompletionStage<?> more =
          head.whole || filled == length || head.done.isCompletedExceptionally()
              ? head.done
              : head.range.awaitFilled(blockEnd);
      return Chains.then(r.await("GET " + what, more), ignored -> nextRange());
    }
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
    Fetch head;
    synchronized (inFlight) {
      head = size > 0 ? inFlight.peekFirst() : null;
    }
    if (head != null) {
      int length = head.range.length();
      if (handedOut >= length
          || head.range.filled() < Math.min(length, (handedOut / BLOCK + 1) * BLOCK)) {
        throw new NoSuchElementException("hasNext() did not answer true");
      }
      // The block's own array: the fetch is done with it, and the range lets go of it.
      ByteBuffer b = ByteBuffer.wrap(head.range.take(handedOut / BLOCK));
      handedOut += b.remaining();
      DownloadVerifier v = verifier;
      if (v != null) {
        v.update(b);
      }
      return b;
    }
    AsyncIterator<ByteBuffer> c = chunks;
    if (c == null) {
      throw new NoSuchElementException("hasNext() did not answer true");
    }
    ByteBuffer chunk = c.next();
    if (total > 0) {
      // The lead hands out up to where it stops; the rest of its chunk is not the stream's.
      int n = (int) Math.min(chunk.remaining(), leadEnd - leadAt);
      chunk = chunk.slice(chunk.position(), n);
      leadAt += n;
    }
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
    List<Fetch> cancelled;
    synchronized (inFlight) {
      cancelled = new ArrayList<>(inFlight);
      inFlight.clear();
      if (probe != null) {
        cancelled.add(probe);
        probe = null;
      }
    }
    for (Fetch f : cancelled) {
      f.done.cancel(true);
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

  /* A range in flight: where its bytes go, its fetch, and whether it is handed out only whole. */
  private record Fetch(Range range, CompletableFuture<?> done, boolean whole) {}

  /**
   * The bytes of one range of an object, received in order by its fetch (one attempt after
   * another) into arrays of {@value #BLOCK} bytes allocated as the bytes arrive, while the
   * stream's reader takes the full ones. One fetch writes and one reader reads: the count of
   * bytes received is published after the bytes, and the fetch writes only past it.
   */
  public static final class Range {
    private final int length;
    private final @Nullable byte[][] blocks;
    private final String name;
    private volatile int filled;
    private int attempts; // guarded by this
    private boolean ended; // guarded by this
    private @Nullable CompletableFuture<@Nullable Void> waiter; // guarded by this
    private int waitingFor; // guarded by this

    /* `name` is what messages call it: "range at 0 of ...", "body of ...". */
    Range(int length, String name) {
      this.length = length;
      this.blocks = new byte[(length + BLOCK - 1) / BLOCK][];
      this.name = name;
    }

    /** Returns how many bytes the range has. */
    public int length() {
      return length;
    }

    /* How many bytes, from the range's start, have arrived. */
    int filled() {
      return filled;
    }

    /* Hands block `i` (received whole) to the reader, and lets go of it. */
    byte[] take(int i) {
      byte[] block = Objects.requireNonNull(blocks[i], "block");
      blocks[i] = null;
      return block;
    }

    /**
     * Reads one attempt's body, which holds the range from its start: bytes that an earlier
     * attempt already put in place are skipped (a retry must not rewrite what the reader may
     * have taken; the server guarantees the same object by {@code If-Match}), the rest is put
     * after them. An earlier attempt still reading is refused from then on. Fails if the body
     * holds more than the range, or ends before it.
     *
     * @param chunks the attempt's body
     * @return a stage that completes once the body has ended with the whole range in place
     */
    public CompletionStage<@Nullable Void> fill(AsyncIterator<ByteBuffer> chunks) {
      int attempt;
      synchronized (this) {
        attempt = ++attempts;
      }
      long[] at = {0};
      return Chains.then(
          AsyncIterators.forEach(chunks, chunk -> receive(attempt, at, chunk)),
          ignored -> {
            if (at[0] != length) {
              throw new BlobIntegrityException(
                  "The " + name + " ended after " + at[0] + " of its " + length + " bytes.",
                  Long.toString(length),
                  Long.toString(at[0]));
            }
            return Chains.done(null);
          });
    }

    private void receive(int attempt, long[] at, ByteBuffer chunk) {
      int n = chunk.remaining();
      if (n > length - at[0]) {
        throw new IllegalStateException(
            "The server sent more than the " + length + " bytes of the " + name + ".");
      }
      int from = (int) at[0];
      at[0] += n;
      CompletableFuture<@Nullable Void> wake;
      synchronized (this) {
        if (attempt != attempts) {
          throw new CancellationException("A later attempt took over the " + name + ".");
        }
        int have = filled;
        if (from + n <= have) {
          return; // already in place, from an earlier attempt
        }
        int skip = Math.max(0, have - from);
        chunk.position(chunk.position() + skip);
        for (int pos = from + skip; pos < from + n; ) {
          int i = pos / BLOCK;
          byte[] block = blocks[i];
          if (block == null) {
            block = new byte[Math.min(BLOCK, length - i * BLOCK)];
            blocks[i] = block;
          }
          int k = Math.min(from + n - pos, block.length - pos % BLOCK);
          chunk.get(block, pos % BLOCK, k);
          pos += k;
        }
        filled = from + n;
        wake = waiter;
        if (wake == null || filled < waitingFor) {
          return;
        }
        waiter = null;
      }
      wake.complete(null);
    }

    /*
     * A stage that completes once `target` bytes have arrived or the fetch has ended (then the
     * caller looks at the fetch). For the one reader.
     */
    CompletionStage<@Nullable Void> awaitFilled(int target) {
      synchronized (this) {
        if (filled >= target || ended) {
          return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<@Nullable Void> w = new CompletableFuture<>();
        waiter = w;
        waitingFor = target;
        return w;
      }
    }

    /* The fetch has ended, well or not: wakes the reader, which looks at how it ended. */
    void end() {
      CompletableFuture<@Nullable Void> wake;
      synchronized (this) {
        ended = true;
        attempts++; // refuses a straggling attempt
        wake = waiter;
        waiter = null;
      }
      if (wake != null) {
        wake.complete(null);
      }
    }
  }
}
