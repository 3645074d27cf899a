package io.ambidex.test;

import io.ambidex.facade.FlavourCalls;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * One run of a {@link ParityTest}: the facade under test (blocking or async) and a way to call an
 * operation on it that gives the same outcome whichever facade it is.
 *
 * <p>Each helper takes two lambdas, one per facade, and runs only the one for this run's facade.
 * It comes in two forms that do the same:
 *
 * <pre>{@code
 * String value = parity.call(c -> c.get("k"), a -> a.get("k"));          // assignments, statements
 * assertThat(parity.call(c -> c.get("k")).async(a -> a.get("k"))).isEqualTo("v");  // arguments
 * }</pre>
 *
 * <p>Use the chained form as an argument of an overloaded method such as AssertJ's {@code
 * assertThat}: there Java cannot infer the result type from two lambdas, and reports the call as
 * ambiguous. Outcomes:
 *
 * <ul>
 *   <li>blocking: the lambda's value is returned; what it throws is thrown as it is;
 *   <li>flavour (an async run registered with {@link ParityExtension.Builder#flavour}): the
 *       async lambda is made at subscription of the flavour's lazy result over it (see {@link
 *       FlavourLens}), and that result is waited for as below; what the lambda throws arrives
 *       through it, as a generated flavour facade signals it, and is thrown unwrapped;
 *   <li>async: the lambda's stage is waited for (at most the extension's timeout, then it is
 *       cancelled and the test fails); its value is returned; the exception it failed with is
 *       thrown <em>unwrapped</em> from {@code CompletionException}/{@code ExecutionException}, so
 *       one assertion checks that both facades fail with the same exception type. What the
 *       lambda itself throws (argument errors rejected at the call) is thrown as it is.
 * </ul>
 *
 * @param <B> the blocking facade's type
 * @param <A> the async facade's type
 */
public final class Parity<B, A> {
  /** Which facade a run is for. */
  public enum Side {
    /** The blocking facade. */
    BLOCKING,
    /** The async facade. */
    ASYNC
  }

  /**
   * An operation on the blocking facade.
   *
   * @param <F> the facade type
   * @param <T> the result type
   */
  @FunctionalInterface
  public interface BlockingCall<F, T extends @Nullable Object> {
    /**
     * Calls the operation.
     *
     * @param facade the blocking facade
     * @return the result
     * @throws Exception what the operation throws
     */
    T call(F facade) throws Exception;
  }

  /**
   * An operation without a result on the blocking facade.
   *
   * @param <F> the facade type
   */
  @FunctionalInterface
  public interface BlockingRun<F> {
    /**
     * Calls the operation.
     *
     * @param facade the blocking facade
     * @throws Exception what the operation throws
     */
    void run(F facade) throws Exception;
  }

  /**
   * An operation on the async facade.
   *
   * @param <F> the facade type
   * @param <T> the result type
   */
  @FunctionalInterface
  public interface AsyncCall<F, T extends @Nullable Object> {
    /**
     * Starts the operation.
     *
     * @param facade the async facade
     * @return the operation's stage
     * @throws Exception what the call throws before returning a stage
     */
    CompletionStage<? extends T> call(F facade) throws Exception;
  }

  /**
   * A streaming operation on the async facade.
   *
   * @param <F> the facade type
   * @param <T> the item type
   */
  @FunctionalInterface
  public interface AsyncItems<F, T> {
    /**
     * Starts the operation.
     *
     * @param facade the async facade
     * @return the publisher of its items
     * @throws Exception what the call throws before returning a publisher
     */
    Flow.Publisher<? extends T> call(F facade) throws Exception;
  }

  private final Side side;
  private final String variant;
  private final @Nullable B blocking;
  private final @Nullable A async;
  private final @Nullable FlavourLens flavour;
  private final Duration timeout;

  Parity(
      Side side,
      String variant,
      @Nullable B blocking,
      @Nullable A async,
      @Nullable FlavourLens flavour,
      Duration timeout) {
    this.side = side;
    this.variant = variant;
    this.blocking = blocking;
    this.async = async;
    this.flavour = flavour;
    this.timeout = timeout;
  }

  /**
   * Returns the flavour this async run goes through ({@link ParityExtension.Builder#flavour}), or
   * null when it calls the async facade directly.
   */
  public @Nullable FlavourLens flavour() {
    return flavour;
  }

  /** Returns which facade this run is for. */
  public Side side() {
    return side;
  }

  /** Returns whether this run is for the blocking facade. */
  public boolean isBlocking() {
    return side == Side.BLOCKING;
  }

  /** Returns the name of this run's registration, such as "sync transport". */
  public String variant() {
    return variant;
  }

  /**
   * Returns the blocking facade, for checks that only make sense on it.
   *
   * @throws IllegalStateException if this run is for the async facade
   */
  public B blocking() {
    if (blocking == null) {
      throw new IllegalStateException(
          "This run (" + this + ") is for the async facade; check isBlocking() first.");
    }
    return blocking;
  }

  /**
   * Returns the async facade, for checks that only make sense on it.
   *
   * @throws IllegalStateException if this run is for the blocking facade
   */
  public A async() {
    if (async == null) {
      throw new IllegalStateException(
          "This run (" + this + ") is for the blocking facade; check isBlocking() first.");
    }
    return async;
  }

  /**
   * Calls an operation on this run's facade and returns its result.
   *
   * @param onBlocking the call on the blocking facade
   * @param onAsync the call on the async facade
   * @return the operation's result
   * @throws Exception the exception the operation failed with, unwrapped
   */
  public <T extends @Nullable Object> T call(
      BlockingCall<? super B, ? extends T> onBlocking, AsyncCall<? super A, ? extends T> onAsync)
      throws Exception {
    Objects.requireNonNull(onBlocking, "onBlocking");
    Objects.requireNonNull(onAsync, "onAsync");
    if (isBlocking()) {
      return onBlocking.call(blocking());
    }
    FlavourLens lens = flavour;
    if (lens != null) {
      A facade = async();
      return await(lens.<T>single(() -> onAsync.call(facade).toCompletableFuture()));
    }
    return await(onAsync.call(async()));
  }

  /**
   * Starts the chained form of {@link #call(BlockingCall, AsyncCall)}: {@code
   * parity.call(c -> c.get("k")).async(a -> a.get("k"))}.
   *
   * @param onBlocking the call on the blocking facade
   * @return the second half, which takes the call on the async facade and runs one of them
   */
  public <T extends @Nullable Object> Call<T> call(BlockingCall<? super B, ? extends T> onBlocking) {
    return new Call<>(Objects.requireNonNull(onBlocking, "onBlocking"));
  }

  /**
   * Starts the chained form of {@link #run(BlockingRun, AsyncCall)}: {@code
   * parity.run(c -> c.delete("k")).async(a -> a.delete("k"))}.
   *
   * @param onBlocking the call on the blocking facade
   * @return the second half, which takes the call on the async facade and runs one of them
   */
  public Run run(BlockingRun<? super B> onBlocking) {
    return new Run(Objects.requireNonNull(onBlocking, "onBlocking"));
  }

  /**
   * Starts the chained form of {@link #items(BlockingCall, AsyncItems)}: {@code
   * parity.items(c -> c.list()).async(a -> a.list())}.
   *
   * @param onBlocking the call on the blocking facade
   * @return the second half, which takes the call on the async facade and runs one of them
   */
  public <T> Items<T> items(BlockingCall<? super B, ? extends Stream<? extends T>> onBlocking) {
    return new Items<>(Objects.requireNonNull(onBlocking, "onBlocking"));
  }

  /**
   * The second half of {@link #call(BlockingCall)}.
   *
   * @param <T> the result type, fixed by the blocking half
   */
  public final class Call<T extends @Nullable Object> {
    private final BlockingCall<? super B, ? extends T> onBlocking;

    private Call(BlockingCall<? super B, ? extends T> onBlocking) {
      this.onBlocking = onBlocking;
    }

    /**
     * Runs the call for this run's facade and returns its result.
     *
     * @param onAsync the call on the async facade
     * @return the operation's result
     * @throws Exception the exception the operation failed with, unwrapped
     */
    public T async(AsyncCall<? super A, ? extends T> onAsync) throws Exception {
      return Parity.this.call(onBlocking, onAsync);
    }
  }

  /** The second half of {@link #run(BlockingRun)}. */
  public final class Run {
    private final BlockingRun<? super B> onBlocking;

    private Run(BlockingRun<? super B> onBlocking) {
      this.onBlocking = onBlocking;
    }

    /**
     * Runs the call for this run's facade.
     *
     * @param onAsync the call on the async facade
     * @throws Exception the exception the operation failed with, unwrapped
     */
    public void async(AsyncCall<? super A, ?> onAsync) throws Exception {
      Parity.this.run(onBlocking, onAsync);
    }
  }

  /**
   * The second half of {@link #items(BlockingCall)}.
   *
   * @param <T> the item type, fixed by the blocking half
   */
  public final class Items<T> {
    private final BlockingCall<? super B, ? extends Stream<? extends T>> onBlocking;

    private Items(BlockingCall<? super B, ? extends Stream<? extends T>> onBlocking) {
      this.onBlocking = onBlocking;
    }

    /**
     * Runs the streaming call for this run's facade and returns all its items.
     *
     * @param onAsync the call on the async facade
     * @return the items, in order
     * @throws Exception the exception the stream failed with, unwrapped
     */
    public List<T> async(AsyncItems<? super A, ? extends T> onAsync) throws Exception {
      return Parity.this.items(onBlocking, onAsync);
    }
  }

  /**
   * Calls an operation without a result on this run's facade.
   *
   * @param onBlocking the call on the blocking facade
   * @param onAsync the call on the async facade
   * @throws Exception the exception the operation failed with, unwrapped
   */
  public void run(BlockingRun<? super B> onBlocking, AsyncCall<? super A, ?> onAsync)
      throws Exception {
    Objects.requireNonNull(onBlocking, "onBlocking");
    Objects.requireNonNull(onAsync, "onAsync");
    if (isBlocking()) {
      onBlocking.run(blocking());
    } else if (flavour != null) {
      A facade = async();
      await(flavour.single(() -> onAsync.call(facade).toCompletableFuture()));
    } else {
      await(onAsync.call(async()));
    }
  }

  /**
   * Calls a streaming operation on this run's facade and returns all its items: the blocking
   * facade's stream is read to the end and closed; the async facade's publisher is subscribed to
   * and asked for one item at a time.
   *
   * @param onBlocking the call on the blocking facade
   * @param onAsync the call on the async facade
   * @return the items, in order
   * @throws Exception the exception the stream failed with, unwrapped
   */
  public <T> List<T> items(
      BlockingCall<? super B, ? extends Stream<? extends T>> onBlocking,
      AsyncItems<? super A, ? extends T> onAsync)
      throws Exception {
    Objects.requireNonNull(onBlocking, "onBlocking");
    Objects.requireNonNull(onAsync, "onAsync");
    if (isBlocking()) {
      try (Stream<? extends T> stream = onBlocking.call(blocking())) {
        return List.copyOf(stream.toList());
      }
    }
    FlavourLens lens = flavour;
    if (lens != null) {
      A facade = async();
      return collect(lens.<T>stream(() -> onAsync.call(facade)));
    }
    return collect(onAsync.call(async()));
  }

  /**
   * Collects a publisher's items as {@link #items} does on the async side: it subscribes, asks
   * for one item at a time, and waits at most the extension's timeout for the end. Past the
   * timeout, or if this thread is interrupted, the subscription is cancelled before the test
   * fails, so the stream does not outlive it. Useful for a publisher obtained outside {@link
   * #items}, such as one from a second client that a test builds with a configuration of its own.
   *
   * @param publisher the stream to read; subscribed to once
   * @return the items, in order
   * @throws Exception the exception the stream failed with, unwrapped
   */
  public <T> List<T> collect(Flow.Publisher<? extends T> publisher) throws Exception {
    Objects.requireNonNull(publisher, "publisher");
    CollectingSubscriber<T> subscriber = new CollectingSubscriber<>();
    publisher.subscribe(subscriber);
    try {
      return await(subscriber.result);
    } finally {
      subscriber.cancel();
    }
  }

  /**
   * Waits for a stage as {@link #call} does: at most the extension's timeout, throwing the
   * failure unwrapped (a cancelled stage throws the {@code CancellationException} it holds, as
   * the blocking facade does, not the copy that {@code get()} makes of it since JDK 23).
   * A stage still pending at the timeout is cancelled ({@code cancel(true)} on its {@code
   * toCompletableFuture()}) before the test fails, so the call does not outlive the test.
   * Useful for stages obtained outside {@link #call}.
   *
   * @param stage the stage
   * @return its value
   * @throws Exception the exception it failed with, unwrapped
   */
  public <T extends @Nullable Object> T await(CompletionStage<? extends T> stage)
      throws Exception {
    return await(stage, timeout, "The async call of " + this);
  }

  /*
   * The kit's one way to wait for a stage (a call, a facade's close): its value, or its failure
   * unwrapped by the blocking facades' rule; past the timeout the stage is cancelled and an
   * AssertionError names `what` and the timeout.
   */
  static <T extends @Nullable Object> T await(
      CompletionStage<? extends T> stage, Duration timeout, String what) throws Exception {
    CompletableFuture<? extends T> future = stage.toCompletableFuture();
    try {
      return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (ExecutionException | CompletionException | CancellationException failure) {
      // Since JDK 23, get() throws a new CancellationException("get") around the stored one.
      throw unwrap(failure);
    } catch (TimeoutException timedOut) {
      // The test fails here; the call must not run on into the next test (nor keep a flavour's
      // subscription): a CallFuture's cancel reaches the core's stage in flight.
      future.cancel(true);
      throw new AssertionError(
          what + " did not complete within " + timeout + "; it was cancelled.", timedOut);
    }
  }

  private static Exception unwrap(Exception failure) {
    Throwable cause = FlavourCalls.unwrap(failure); // the blocking facades' own rule
    if (cause instanceof Exception exception) {
      return exception;
    }
    if (cause instanceof Error error) {
      throw error;
    }
    return failure;
  }

  @Override
  public String toString() {
    String kind =
        flavour != null ? flavour.name() : side.name().toLowerCase(java.util.Locale.ROOT);
    return "[" + kind + "] " + variant;
  }

  /* Requests one item at a time, like a careful consumer, and collects them. */
  private static final class CollectingSubscriber<T> implements Flow.Subscriber<T> {
    final CompletableFuture<List<T>> result = new CompletableFuture<>();
    private final List<T> items = Collections.synchronizedList(new ArrayList<>());
    private volatile Flow.@Nullable Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(T item) {
      items.add(item);
      Flow.Subscription s = subscription;
      if (s != null) {
        s.request(1);
      }
    }

    @Override
    public void onError(Throwable failure) {
      result.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      synchronized (items) {
        result.complete(List.copyOf(items));
      }
    }

    /* After the stream ended, nothing; before, or after a timeout cancelled the result: cancel. */
    void cancel() {
      Flow.Subscription s = subscription;
      if (s != null && (!result.isDone() || result.isCancelled())) {
        s.cancel();
      }
    }
  }
}
