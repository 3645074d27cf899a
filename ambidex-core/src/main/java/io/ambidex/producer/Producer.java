package io.ambidex.producer;

import io.ambidex.producer.internal.BufferedRun;
import io.ambidex.producer.internal.FlowRun;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadFactory;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * A two-phase producer: a body of plain blocking code that does its setup, signals the end of it
 * (optionally with a value), then sends items, and that runs on its own thread only when a
 * consumer asks. It is trio's {@code nursery.start()} / {@code task_status.started(value)} for
 * streams, with the consumer side as a Java iterator, stream, async iterator or {@link
 * Flow.Publisher}.
 *
 * <pre>{@code
 * Producer<Row, Connection> rows = Producer.of(ctx -> {
 *   try (Connection c = open()) {       // setup
 *     ctx.started(c);                   // setup done: hand over the connection
 *     for (Row r : c.query()) {
 *       ctx.send(r);                    // returns when the consumer wants more
 *     }
 *   }                                   // runs when the consumer closes early, too
 * });
 * try (ProducerIterator<Row, Connection> it = rows.iterator()) {
 *   Connection c = it.setup();          // setup has finished; no item produced yet
 *   while (it.hasNext()) { ... it.next() ... }
 * }
 * }</pre>
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>A recipe, run once per consumer</b>: a {@code Producer} is immutable and reusable.
 *       Each {@link #iterator()}, {@link #asyncIterator()}, {@link #stream()} and each
 *       subscription to {@link #publisher()} runs the body once, on its own thread, for that
 *       consumer alone.
 *   <li><b>Lazy</b>: nothing runs, and no thread starts, before the consumer asks: the first
 *       {@code setup()}, {@code hasNext()}/{@code next()}, or {@code request(n)}.
 *   <li><b>Thread</b>: the body runs on a new thread from the {@linkplain Builder#threadFactory
 *       thread factory} (virtual by default), one per run, which ends when the body returns.
 *       One daemon thread for the whole process, started with the first iterator, cancels the
 *       runs of iterators dropped unclosed.
 *   <li><b>Backpressure</b>: {@code started} and {@code send} return only when the consumer has
 *       demand. Iterators buffer at most {@linkplain Builder#bufferSize bufferSize} items (256 by
 *       default) and hand them over in batches; the publisher delivers exactly what is requested
 *       and buffers nothing.
 *   <li><b>Failures</b> of the body surface where the consumer waits: at the setup value or the
 *       first pull for a failure during setup, after the items sent before it otherwise. Its type
 *       is kept (see the consumer types for the translation on the blocking side).
 *   <li><b>Cancellation</b>: closing or cancelling the consumer makes the body's pending or next
 *       {@code send} throw {@link ProducerCancelledException}, so its {@code finally} blocks run;
 *       closing waits for that at most the {@linkplain Builder#cleanupGrace cleanup grace}. An
 *       iterator or stream dropped without a close is cancelled the same way once the garbage
 *       collector finds it unreachable, with a warning logged to {@code io.ambidex.producer};
 *       until then its body holds what its setup opened, so close what you take.
 *   <li><b>Nulls</b>: items must not be null; the setup value may be.
 * </ul>
 *
 * <p>When <em>not</em> to use a producer: when the source is already asynchronous (an async
 * transport's pages, a {@code Flow.Publisher}), write a plain {@link
 * io.ambidex.stream.AsyncIterator} over it; it needs no thread at all. A producer is for sources
 * that can only be read by blocking code.
 *
 * @param <T> the item type
 * @param <S> the setup value's type ({@link Void} for none)
 */
public final class Producer<T, S extends @Nullable Object> {
  /**
   * The body of a producer: blocking code that calls {@link ProducerContext#started} once, then
   * {@link ProducerContext#send} for each item, and returns to end the stream or throws to fail
   * it.
   *
   * @param <T> the item type
   * @param <S> the setup value's type
   */
  @FunctionalInterface
  public interface Body<T, S extends @Nullable Object> {
    /**
     * Runs the producer, on the producer's thread.
     *
     * @param context where to signal the end of setup and send the items
     * @throws Exception to fail the stream; the consumer receives this exception
     */
    void run(ProducerContext<T, S> context) throws Exception;
  }

  static final int DEFAULT_BUFFER_SIZE = 256;
  static final Duration DEFAULT_CLEANUP_GRACE = Duration.ofSeconds(1);
  private static final ThreadFactory DEFAULT_THREADS =
      Thread.ofVirtual().name("ambidex-producer-", 0).factory();

  private final Body<T, S> body;
  private final ThreadFactory threadFactory;
  private final int bufferSize;
  private final Duration cleanupGrace;

  private Producer(Body<T, S> body, ThreadFactory threadFactory, int bufferSize, Duration grace) {
    this.body = body;
    this.threadFactory = threadFactory;
    this.bufferSize = bufferSize;
    this.cleanupGrace = grace;
  }

  /**
   * Returns a producer with the default settings: virtual threads, a buffer of 256 items, a
   * cleanup grace of 1 second.
   *
   * @param body the producer's body
   * @throws NullPointerException if {@code body} is null
   */
  public static <T, S extends @Nullable Object> Producer<T, S> of(Body<T, S> body) {
    return builder().build(body);
  }

  /** Returns a builder for producers with other settings. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Returns a blocking iterator over a new run of the body. Nothing runs until it is used.
   *
   * @return an iterator to close after use
   */
  public ProducerIterator<T, S> iterator() {
    return new BufferedRun<T, S>(body, threadFactory, bufferSize, cleanupGrace).blocking();
  }

  /**
   * Returns an async iterator over a new run of the body. Nothing runs until it is used.
   *
   * @return an async iterator to close after use
   */
  public AsyncProducerIterator<T, S> asyncIterator() {
    return new BufferedRun<T, S>(body, threadFactory, bufferSize, cleanupGrace).async();
  }

  /**
   * Returns a stream over a new run of the body; closing it closes the run. Same as {@code
   * iterator().stream()}. Use it in try-with-resources.
   */
  public Stream<T> stream() {
    return iterator().stream();
  }

  /**
   * Returns a publisher that runs the body once for each subscriber, following the Reactive
   * Streams rules:
   *
   * <ul>
   *   <li>{@code onSubscribe} is called on the subscribing thread. The body's thread is created
   *       then, and started at the first {@code request(n)}; a thread factory that fails is
   *       reported at once with {@code onError}. An {@code onSubscribe} that throws cancels the
   *       subscription (rule 2.13): the body never runs, and {@code subscribe} returns normally
   *       (rule 1.9), logging the violation; an {@code onComplete} or {@code onError} that throws
   *       is logged too.
   *   <li>{@code onNext}, {@code onComplete} and {@code onError} are called on the body's thread,
   *       one at a time, never more items than requested; each {@code send} returns once the
   *       subscriber has outstanding demand. Nothing is buffered.
   *   <li>{@code request(n)} with {@code n <= 0} cancels the body and signals {@code onError}
   *       with {@link IllegalArgumentException}. {@code cancel()} cancels the body; no signal
   *       follows it.
   *   <li>A body that returns without calling {@code started()} ends with {@code onError}
   *       ({@link IllegalStateException}); the setup value is not used.
   * </ul>
   */
  public Flow.Publisher<T> publisher() {
    return subscriber -> FlowRun.subscribe(body, threadFactory, cleanupGrace, subscriber);
  }

  @Override
  public String toString() {
    return "Producer[bufferSize=" + bufferSize + ", cleanupGrace=" + cleanupGrace + ", body="
        + body + "]";
  }

  /** Builds {@link Producer}s. Not thread-safe; reusable. */
  public static final class Builder {
    private ThreadFactory threadFactory = DEFAULT_THREADS;
    private int bufferSize = DEFAULT_BUFFER_SIZE;
    private Duration cleanupGrace = DEFAULT_CLEANUP_GRACE;

    private Builder() {}

    /**
     * Sets the factory of the threads that run the body, one per run. The default makes virtual
     * threads named {@code ambidex-producer-N}.
     *
     * @param threadFactory must return a new, unstarted thread for every call; if it returns null
     *     or a thread that was already started, the consumer's first call (or the subscriber's
     *     {@code onError}) reports an {@link IllegalStateException} and the body never runs
     * @return this builder
     */
    public Builder threadFactory(ThreadFactory threadFactory) {
      this.threadFactory = Objects.requireNonNull(threadFactory, "threadFactory");
      return this;
    }

    /**
     * Sets how many items the body may send ahead of an iterator's consumer. Items sent ahead are
     * handed over in batches, so a larger buffer costs fewer thread wake-ups per item. With 1,
     * producer and consumer move in lock step: {@code send(x)} returns only when the consumer
     * asks for the item after {@code x}. Default 256. The publisher ignores it: its subscriber's
     * requests are the only buffer.
     *
     * <p>It is a cap, not an allocation: a buffer of up to 1024 items is allocated when the
     * iterator is made; a larger one starts at 1024 slots and doubles when the body gets that far
     * ahead of the consumer, so memory follows the most items buffered at once during the run
     * (it does not shrink before the run ends), never more than the power of two holding
     * {@code bufferSize}.
     *
     * @param bufferSize between 1 and 2^30
     * @return this builder
     */
    public Builder bufferSize(int bufferSize) {
      if (bufferSize < 1 || bufferSize > 1 << 30) {
        throw new IllegalArgumentException(
            "bufferSize must be between 1 and 2^30, but was " + bufferSize);
      }
      this.bufferSize = bufferSize;
      return this;
    }

    /**
     * Sets how long closing a consumer waits for the body to finish its cleanup after the
     * cancellation. Past it, close returns and the cleanup finishes in the background. Default 1
     * second; zero means do not wait.
     *
     * @param cleanupGrace zero or positive
     * @return this builder
     */
    public Builder cleanupGrace(Duration cleanupGrace) {
      Objects.requireNonNull(cleanupGrace, "cleanupGrace");
      if (cleanupGrace.isNegative()) {
        throw new IllegalArgumentException(
            "cleanupGrace must not be negative, but was " + cleanupGrace);
      }
      this.cleanupGrace = cleanupGrace;
      return this;
    }

    /**
     * Builds a producer running {@code body} with this builder's settings.
     *
     * @param body the producer's body
     * @return the producer
     */
    public <T, S extends @Nullable Object> Producer<T, S> build(Body<T, S> body) {
      Objects.requireNonNull(body, "body");
      return new Producer<>(body, threadFactory, bufferSize, cleanupGrace);
    }
  }
}
