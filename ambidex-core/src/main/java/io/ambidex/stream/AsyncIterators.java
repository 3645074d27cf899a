package io.ambidex.stream;

import io.ambidex.CallFuture;
import io.ambidex.control.internal.Results;
import io.ambidex.stream.internal.BatchIterator;
import io.ambidex.stream.internal.BlockingIterator;
import io.ambidex.stream.internal.Consume;
import io.ambidex.stream.internal.FailedSource;
import io.ambidex.stream.internal.FilterIterator;
import io.ambidex.stream.internal.FlatMapIterableIterator;
import io.ambidex.stream.internal.FlatMapIterator;
import io.ambidex.stream.internal.IterableSource;
import io.ambidex.stream.internal.IteratorPublisher;
import io.ambidex.stream.internal.MapIterator;
import io.ambidex.stream.internal.PageIterator;
import io.ambidex.stream.internal.PublisherIterator;
import io.ambidex.stream.internal.ResumeOnIterator;
import io.ambidex.stream.internal.TakeIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collector;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * Factories, operators, terminal operations and bridges for {@link AsyncIterator}: what a core
 * needs to produce and consume results that arrive over time, written once for both paths.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Inline when immediate</b>: an operator reads a source stage that is already complete in
 *       place, so over a sync source every stage it returns is complete, a million items run on
 *       the calling thread without growing the stack, and {@code hasNext()} allocates nothing per
 *       item (the answer is a shared completed stage).
 *   <li><b>Non-blocking when async</b>: no operator or terminal operation blocks a thread; an
 *       incomplete source stage is continued by the thread that completes it (by an executor of
 *       the caller's choosing under {@link #resumeOn}). Only the blocking bridges ({@link
 *       #blockingIterator}, {@link #blockingStream}) park, and only when a stage
 *       is incomplete.
 *   <li><b>Ownership</b>: an operator takes ownership of its source. Closing the derived iterator
 *       closes the source (and cancels its fetch in flight); the derived iterator's close stage
 *       completes when the source's has. Terminal operations and bridges own their source too:
 *       they close it when they reach the end, fail, or are cancelled or closed.
 *   <li><b>Laziness</b>: nothing is pulled from a source before the first {@code hasNext()} of
 *       the derived iterator (or the start of a terminal operation, or a subscription).
 *   <li><b>Functions</b> passed to operators run on the thread that runs the step (the caller of
 *       {@code hasNext()}/{@code next()}, or the thread completing a source stage). If one throws,
 *       the call that ran it fails: {@code next()} for {@link #map}, the {@code hasNext()} stage
 *       (and every later one) for the others, the returned future for terminal operations.
 *   <li><b>Arguments</b> are checked at the call: a null argument throws {@link
 *       NullPointerException} naming it, an illegal size {@link IllegalArgumentException}.
 *   <li><b>Misuse</b>: every iterator made here throws {@link IllegalStateException} from {@code
 *       hasNext()} and {@code next()} once closed, and {@link java.util.NoSuchElementException}
 *       from a {@code next()} that no {@code hasNext()} true preceded ({@link #map} and {@link
 *       #take} leave that check to their source).
 * </ul>
 */
public final class AsyncIterators {
  /** The default number of items {@link #fromPublisher(Flow.Publisher)} requests ahead. */
  public static final int DEFAULT_PREFETCH = 256;

  private AsyncIterators() {}

  // ---- factories ----

  /**
   * Returns an iterator over the items of {@code items}; its {@code iterator()} is called on the
   * first {@code hasNext()}. Every stage it returns is already complete.
   *
   * @param items the items, read lazily
   * @return an iterator over them
   */
  public static <T extends @Nullable Object> AsyncIterator<T> fromIterable(
      Iterable<? extends T> items) {
    Objects.requireNonNull(items, "items");
    return new IterableSource<>(items);
  }

  /**
   * Returns an iterator over the given items. Every stage it returns is already complete.
   *
   * @param items the items (copied)
   * @return an iterator over them
   */
  @SafeVarargs
  public static <T extends @Nullable Object> AsyncIterator<T> of(T... items) {
    Objects.requireNonNull(items, "items");
    List<T> copy = new ArrayList<>(items.length);
    for (T item : items) {
      copy.add(item);
    }
    return new IterableSource<>(copy);
  }

  /** Returns an iterator with no items: its {@code hasNext()} completes with false at once. */
  public static <T extends @Nullable Object> AsyncIterator<T> empty() {
    return new IterableSource<>(List.of());
  }

  /**
   * Returns an iterator whose every {@code hasNext()} fails with {@code failure}, at once.
   *
   * @param failure the failure
   * @return a failed iterator
   */
  public static <T extends @Nullable Object> AsyncIterator<T> failed(Throwable failure) {
    Objects.requireNonNull(failure, "failure");
    return new FailedSource<>(failure);
  }

  /**
   * Returns a shared, already completed stage of {@code value}, for {@link AsyncIterator#hasNext()}
   * implementations that know the answer at once (a source on a sync transport): returning it
   * allocates nothing. The stage is a {@link CallFuture}, so no caller can complete or obtrude it.
   *
   * @param value the answer of hasNext()
   * @return the shared completed stage of {@code value}
   */
  public static CompletionStage<Boolean> completedStage(boolean value) {
    return value ? Results.TRUE : Results.FALSE;
  }

  // ---- pagination ----

  /**
   * Returns the items of a paginated listing: the one way a core writes pagination.
   *
   * <p>Policies:
   *
   * <ul>
   *   <li><b>Lazy</b>: the first page is fetched on the first {@code hasNext()}, and each next page
   *       only when the items of the previous one have been taken; no page is fetched ahead.
   *   <li><b>Tokens</b>: the first fetch gets {@code firstToken} (null to start at the beginning);
   *       each later fetch gets the previous page's {@link Page#nextToken()}. The listing ends
   *       after a page without a next token. Empty pages are skipped. A page whose next token
   *       equals the token that fetched it fails the iteration with {@link
   *       IllegalStateException}, instead of looping forever; so does a token that comes back
   *       after other pages (a cycle such as a, b, a), found within about twice the pages before
   *       and in the cycle (the pages fetched meanwhile are delivered again). Tokens are compared
   *       with {@code equals}; no list of them is kept.
   *   <li><b>Failures</b>: a fetch that throws, returns null or whose stage fails fails that
   *       {@code hasNext()} and every later one, after the items of the earlier pages.
   *   <li><b>Close</b> cancels a fetch in flight: the pending {@code hasNext()} fails with {@link
   *       java.util.concurrent.CancellationException}.
   *   <li><b>Threads</b>: a fetch is started by the thread that calls {@code hasNext()}. Under a
   *       sync transport every stage is complete and a blocking consumer iterates with no thread
   *       and {@code hasNext()} answers with a shared completed stage.
   *   <li><b>Type inference</b>: when {@code firstToken} is null, Java cannot infer {@code K} from
   *       an implicitly typed lambda; pass a method reference ({@code core::listPage}) or declare
   *       the parameter ({@code (String token) -> ...}).
   * </ul>
   *
   * @param firstToken the token of the first page, or null
   * @param fetchPage fetches the page of a token; it receives null for the first page if {@code
   *     firstToken} is null
   * @return an iterator over the items of every page, in order
   */
  public static <T extends @Nullable Object, K> AsyncIterator<T> paginate(
      @Nullable K firstToken,
      Function<? super @Nullable K, ? extends CompletionStage<Page<T, K>>> fetchPage) {
    return flatMapIterable(pages(firstToken, fetchPage), Page::items);
  }

  /**
   * Returns the pages of a paginated listing, with {@link #paginate}'s policies (empty pages are
   * returned, not skipped). Use it when the caller needs the tokens, for example to resume a
   * listing later.
   *
   * @param firstToken the token of the first page, or null
   * @param fetchPage fetches the page of a token
   * @return an iterator over the pages
   */
  public static <T extends @Nullable Object, K> AsyncIterator<Page<T, K>> pages(
      @Nullable K firstToken,
      Function<? super @Nullable K, ? extends CompletionStage<Page<T, K>>> fetchPage) {
    Objects.requireNonNull(fetchPage, "fetchPage");
    return new PageIterator<>(firstToken, fetchPage);
  }

  // ---- operators ----

  /**
   * Returns an iterator of {@code mapper}'s results. {@code hasNext()} is the source's own stage;
   * {@code mapper} runs in {@code next()}, on the caller's thread, and a throw comes out of it.
   *
   * @param source the source, owned by the result
   * @param mapper maps one item
   * @return the mapped iterator
   */
  public static <T extends @Nullable Object, R extends @Nullable Object> AsyncIterator<R> map(
      AsyncIterator<T> source, Function<? super T, ? extends R> mapper) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(mapper, "mapper");
    return new MapIterator<>(source, mapper);
  }

  /**
   * Returns an iterator of the items that pass {@code predicate}. {@code hasNext()} pulls until an
   * item passes or the source ends.
   *
   * @param source the source, owned by the result
   * @param predicate selects the items to keep
   * @return the filtered iterator
   */
  public static <T extends @Nullable Object> AsyncIterator<T> filter(
      AsyncIterator<T> source, Predicate<? super T> predicate) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(predicate, "predicate");
    return new FilterIterator<>(source, predicate);
  }

  /**
   * Returns the items of the iterators that {@code mapper} makes from each source item, in order.
   * Each inner iterator is pulled to its end and closed before the next source item is taken;
   * closing the result closes the current inner iterator and the source.
   *
   * @param source the source, owned by the result
   * @param mapper makes the inner iterator of one item; the result owns it
   * @return the flattened iterator
   */
  public static <T extends @Nullable Object, R extends @Nullable Object> AsyncIterator<R> flatMap(
      AsyncIterator<T> source, Function<? super T, ? extends AsyncIterator<? extends R>> mapper) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(mapper, "mapper");
    return new FlatMapIterator<>(source, mapper, List.of());
  }

  /**
   * Returns the elements of the {@code Iterable}s that {@code mapper} makes from each source item,
   * in order: pages to items.
   *
   * @param source the source, owned by the result
   * @param mapper returns the elements of one item
   * @return the flattened iterator
   */
  public static <T extends @Nullable Object, R extends @Nullable Object>
      AsyncIterator<R> flatMapIterable(
          AsyncIterator<T> source, Function<? super T, ? extends Iterable<? extends R>> mapper) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(mapper, "mapper");
    return new FlatMapIterableIterator<>(source, mapper);
  }

  /**
   * Returns the items of each iterator of {@code iterators}, one iterator after the other.
   *
   * @param iterators the iterators, owned by the result
   * @return the concatenation
   */
  public static <T extends @Nullable Object> AsyncIterator<T> concat(
      AsyncIterator<? extends AsyncIterator<? extends T>> iterators) {
    Objects.requireNonNull(iterators, "iterators");
    return new FlatMapIterator<AsyncIterator<? extends T>, T>(
        narrow(iterators), Function.identity(), List.of());
  }

  /**
   * Returns the items of each of {@code iterators}, one after the other. Closing the result closes
   * every iterator of the list that was not closed yet.
   *
   * @param iterators the iterators, owned by the result
   * @return the concatenation
   */
  public static <T extends @Nullable Object> AsyncIterator<T> concat(
      List<? extends AsyncIterator<? extends T>> iterators) {
    Objects.requireNonNull(iterators, "iterators");
    List<AsyncIterator<? extends T>> all = List.copyOf(iterators);
    return new FlatMapIterator<AsyncIterator<? extends T>, T>(
        new IterableSource<>(all), Function.identity(), all);
  }

  @SuppressWarnings("unchecked")
  private static <T extends @Nullable Object> AsyncIterator<AsyncIterator<? extends T>> narrow(
      AsyncIterator<? extends AsyncIterator<? extends T>> iterators) {
    // Safe: the iterator is only read from, and its items are only read from.
    return (AsyncIterator<AsyncIterator<? extends T>>) iterators;
  }

  /**
   * Returns the first {@code n} items of the source. Once the {@code n}-th item is taken the
   * source is closed at once, without waiting for the result's close; the next {@code hasNext()}
   * completes with false when that close has completed (or fails with its failure).
   *
   * @param source the source, owned by the result
   * @param n the number of items to take, zero or more
   * @return the truncated iterator
   */
  public static <T extends @Nullable Object> AsyncIterator<T> take(AsyncIterator<T> source, long n) {
    Objects.requireNonNull(source, "source");
    if (n < 0) {
      throw new IllegalArgumentException("n must not be negative, but was " + n);
    }
    return new TakeIterator<>(source, n);
  }

  /**
   * Returns the source's items in unmodifiable lists of {@code size} items; the last list may be
   * shorter, and no list is empty. If the source fails after part of a batch was gathered, that
   * partial batch comes first and the failure from the following {@code hasNext()}.
   *
   * @param source the source, owned by the result
   * @param size the number of items per batch, at least 1
   * @return the batching iterator
   */
  public static <T extends @Nullable Object> AsyncIterator<List<T>> batch(
      AsyncIterator<T> source, int size) {
    Objects.requireNonNull(source, "source");
    if (size < 1) {
      throw new IllegalArgumentException("size must be at least 1, but was " + size);
    }
    return new BatchIterator<>(source, size);
  }

  /**
   * Returns the source's items with its consumer kept off the thread that produces them: a {@code
   * hasNext()} that the source has not answered yet completes on {@code executor}, so whoever
   * waited for it goes on there rather than on the thread that completed the source's stage (an
   * async transport's I/O thread, which must not run blocking writes, hashing or a user's
   * callbacks). A {@code hasNext()} the source answers at once is passed through as it is: a
   * consumer that keeps up pays one hand-off per wait, not one per item, and goes on on its own
   * thread, which after the first wait is one of the executor's.
   *
   * <p>A consumer that must not start on the producing thread either (it is called there) starts
   * with {@link io.ambidex.control.Async#startOn}. Cancelling a {@code hasNext()} stage cancels
   * the source's; closing the iterator closes the source and then cancels a pending {@code
   * hasNext()}. The caller's context (see {@link io.ambidex.context.ContextPropagation}) is
   * restored around each hand-off. If the executor refuses a hand-off (it was shut down), that
   * {@code hasNext()} fails with {@link IllegalStateException} naming the cause.
   *
   * @param source the source, owned by the result
   * @param executor runs the consumer's continuations; it must accept tasks until the iterator is
   *     closed or at its end
   * @return an iterator over the same items
   */
  public static <T extends @Nullable Object> AsyncIterator<T> resumeOn(
      AsyncIterator<T> source, Executor executor) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(executor, "executor");
    return new ResumeOnIterator<>(source, executor);
  }

  // ---- terminal operations ----

  /**
   * Runs {@code action} on each item, in order, then closes the source.
   *
   * <p>The returned future completes after the source's close. It fails with the first failure
   * of the source or of {@code action} (the source is closed first, and a failure of that close
   * is attached as suppressed), or with the close's failure. Cancelling it stops the iteration,
   * cancels the source stage in flight and closes the source; its {@link CallFuture#settled()}
   * completes once that close has completed (a failure of the close is logged).
   *
   * @param source the items, owned by the operation
   * @param action called with each item, on the thread that runs the step
   * @return a future that completes after the last item and the close
   */
  public static <T extends @Nullable Object> CallFuture<@Nullable Void> forEach(
      AsyncIterator<T> source, Consumer<? super T> action) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(action, "action");
    return new Consume<T, @Nullable Void>("forEach", source) {
      @Override
      public @Nullable CompletionStage<?> accept(T item) {
        action.accept(item);
        return null;
      }

      @Override
      public @Nullable Void finish() {
        return null;
      }
    }.start();
  }

  /**
   * Like {@link #forEach}, for an action that is itself asynchronous: the next item is pulled
   * only after the stage {@code action} returned has completed, and cancelling the result
   * cancels that stage too. The same shape as {@link io.ambidex.control.Async#forEach}, over an
   * async source.
   *
   * @param source the items, owned by the operation
   * @param action returns the stage of the work on one item
   * @return a future that completes after the last item's stage and the close
   */
  public static <T extends @Nullable Object> CallFuture<@Nullable Void> forEachStage(
      AsyncIterator<T> source, Function<? super T, ? extends CompletionStage<?>> action) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(action, "action");
    return new Consume<T, @Nullable Void>("forEachStage", source) {
      @Override
      public CompletionStage<?> accept(T item) {
        CompletionStage<?> stage = action.apply(item);
        if (stage == null) {
          throw new NullPointerException("The forEachStage action returned null, not a stage");
        }
        return stage;
      }

      @Override
      public @Nullable Void finish() {
        return null;
      }
    }.start();
  }

  /**
   * Folds the items into one value, {@code acc = accumulator(acc, item)} from {@code initial},
   * then closes the source. Failure, close and cancellation as for {@link #forEach}.
   *
   * @param source the items, owned by the operation
   * @param initial the initial value
   * @param accumulator combines the value so far with one item
   * @return a future of the final value, completed after the close
   */
  public static <T extends @Nullable Object, A extends @Nullable Object> CallFuture<A> fold(
      AsyncIterator<T> source, A initial, BiFunction<? super A, ? super T, ? extends A> accumulator) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(accumulator, "accumulator");
    return new Consume<T, A>("fold", source) {
      private A value = initial;

      @Override
      public @Nullable CompletionStage<?> accept(T item) {
        value = accumulator.apply(value, item);
        return null;
      }

      @Override
      public A finish() {
        return value;
      }
    }.start();
  }

  /**
   * Collects the items with a {@link Collector}, then closes the source. Failure, close and
   * cancellation as for {@link #forEach}.
   *
   * @param source the items, owned by the operation
   * @param collector the collector, for example {@code Collectors.toList()}
   * @return a future of the collector's result, completed after the close
   */
  public static <T extends @Nullable Object, A extends @Nullable Object, R extends @Nullable Object>
      CallFuture<R> collect(AsyncIterator<T> source, Collector<? super T, A, R> collector) {
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(collector, "collector");
    return new Consume<T, R>("collect", source) {
      private final A container = collector.supplier().get();

      @Override
      public @Nullable CompletionStage<?> accept(T item) {
        collector.accumulator().accept(container, item);
        return null;
      }

      @Override
      public R finish() {
        return collector.finisher().apply(container);
      }
    }.start();
  }

  // ---- blocking bridges ----

  /**
   * Returns a blocking {@link CloseableIterator} over the source.
   *
   * <p>Policies:
   *
   * <ul>
   *   <li><b>Threads</b>: {@code hasNext()} reads a source stage that is already complete in place,
   *       on the caller's thread (no thread, no park, no guard: a sync source costs nothing);
   *       otherwise it waits like {@link io.ambidex.BlockingWait}: the {@link
   *       io.ambidex.BlockingGuard} is consulted, the caller parks, an interrupt cancels the stage
   *       and throws {@link io.ambidex.CallInterruptedException}.
   *   <li><b>Failures</b> are thrown as the bridges throw them (see the package's translation
   *       table), from {@code hasNext()} and again from any later {@code hasNext()}.
   *   <li><b>Close</b>: {@code close()} closes the source and waits for that close (a fetch in
   *       flight is cancelled; a blocked {@code hasNext()} on another thread then throws {@link
   *       java.util.concurrent.CancellationException}). Reaching the end, or a failure, closes the
   *       source too, so a loop that runs to the end needs no close; a partial iteration must be
   *       closed. After {@code close()}, {@code hasNext()} and {@code next()} throw {@link
   *       IllegalStateException}.
   * </ul>
   *
   * @param source the source, owned by the result
   * @return a blocking iterator
   */
  public static <T extends @Nullable Object> CloseableIterator<T> blockingIterator(
      AsyncIterator<T> source) {
    Objects.requireNonNull(source, "source");
    return new BlockingIterator<>(source);
  }

  /**
   * Returns a sequential, ordered {@link Stream} over the source, with {@link #blockingIterator}'s
   * policies. {@link Stream#close()} (or try-with-resources) closes the source, also after a
   * partial iteration; a terminal operation that reaches the end closes it too.
   *
   * @param source the source, owned by the result
   * @return a stream of its items
   */
  public static <T extends @Nullable Object> Stream<T> blockingStream(AsyncIterator<T> source) {
    CloseableIterator<T> items = blockingIterator(source);
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(items, Spliterator.ORDERED), false)
        .onClose(items::close);
  }

  // ---- Flow bridges ----

  /**
   * Returns a single-use {@link Flow.Publisher} of the source's items.
   *
   * <p>Policies:
   *
   * <ul>
   *   <li><b>One subscriber</b>: the source can be iterated once, so a second {@code subscribe}
   *       receives {@code onSubscribe} and then {@code onError} with {@link
   *       IllegalStateException}. Use {@link #toPublisher(Supplier)} for a publisher that can be
   *       subscribed to many times.
   *   <li><b>Demand</b>: {@code next()} is called, and {@code onNext} signalled, only under
   *       demand. The publisher looks one item ahead: it calls {@code hasNext()} when the
   *       subscription starts and after each item, so the end ({@code onComplete}) and a failure
   *       ({@code onError}) are signalled without waiting for demand. Nothing is buffered beyond
   *       that one item.
   *   <li><b>Threads</b>: signals run on the thread that calls {@code subscribe} or {@code
   *       request}, or on the thread that completes a source stage. The publisher holds no thread
   *       while it waits.
   *   <li><b>Close</b>: the source is closed on {@code cancel}, at the end and on a failure; {@code
   *       onComplete} or {@code onError} is signalled after that close has completed, and a
   *       failure of the close is signalled (or attached as suppressed).
   *   <li><b>Rules</b>: the publisher passes the Reactive Streams TCK. {@code request(n <= 0)}
   *       signals {@code onError(IllegalArgumentException)} (rule 3.9); a null item from the
   *       source signals {@code onError(NullPointerException)} (2.13).
   * </ul>
   *
   * @param source the source, owned by the publisher
   * @return a publisher of its items
   */
  public static <T> Flow.Publisher<T> toPublisher(AsyncIterator<? extends T> source) {
    Objects.requireNonNull(source, "source");
    AtomicBoolean used = new AtomicBoolean();
    return new IteratorPublisher<T>(
        () -> {
          if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException(
                "A publisher made by toPublisher(AsyncIterator) can be subscribed to once, because"
                    + " its source can be iterated once; this was a second subscription to it."
                    + " Use toPublisher(Supplier) to open a new source per subscriber.");
          }
          return source;
        });
  }

  /**
   * Returns a {@link Flow.Publisher} that opens a new source for each subscriber, with {@link
   * #toPublisher(AsyncIterator)}'s policies otherwise. If {@code sources} throws or returns null,
   * that subscriber receives {@code onSubscribe} and then {@code onError}.
   *
   * @param sources opens the source of one subscription, on the subscribing thread
   * @return a publisher that may be subscribed to any number of times
   */
  public static <T> Flow.Publisher<T> toPublisher(
      Supplier<? extends AsyncIterator<? extends T>> sources) {
    Objects.requireNonNull(sources, "sources");
    return new IteratorPublisher<>(sources);
  }

  /**
   * Returns an iterator over the items of {@code publisher}, requesting {@value #DEFAULT_PREFETCH}
   * ahead; see {@link #fromPublisher(Flow.Publisher, int)}.
   *
   * @param publisher the publisher
   * @return an iterator over its items
   */
  public static <T> AsyncIterator<T> fromPublisher(Flow.Publisher<? extends T> publisher) {
    return fromPublisher(publisher, DEFAULT_PREFETCH);
  }

  /**
   * Returns an iterator over the items of {@code publisher}.
   *
   * <p>Policies:
   *
   * <ul>
   *   <li><b>Lazy</b>: the first {@code hasNext()} subscribes, on the calling thread.
   *   <li><b>Bounded prefetch</b>: {@code prefetch} items are requested at once, and each time
   *       half of them (rounded up) have been taken by {@code next()}, that many more. At most
   *       {@code prefetch} items are ever buffered; a publisher that sends more than requested
   *       fails the iterator with {@link IllegalStateException} (rule 1.1) and is cancelled. The
   *       buffer grows with the items actually buffered: {@code prefetch} is a cap, not an
   *       allocation, so {@link Integer#MAX_VALUE} for "no limit" costs nothing up front.
   *   <li><b>Threads</b>: items that are buffered are answered at once with a shared completed
   *       stage; otherwise the {@code hasNext()} stage completes on the publisher's thread (in its
   *       {@code onNext}, {@code onComplete} or {@code onError}), which then runs the consumer's
   *       continuation. No thread of its own.
   *   <li><b>End and failure</b>: every item sent before {@code onComplete} or {@code onError} is
   *       delivered first; then {@code hasNext()} completes with false, or fails with the error.
   *   <li><b>Close</b> cancels the subscription, fails a pending {@code hasNext()} with {@link
   *       java.util.concurrent.CancellationException} and drops the buffered items; its stage is
   *       already complete.
   * </ul>
   *
   * @param publisher the publisher
   * @param prefetch the number of items requested ahead, at least 1
   * @return an iterator over its items
   */
  public static <T> AsyncIterator<T> fromPublisher(Flow.Publisher<? extends T> publisher, int prefetch) {
    Objects.requireNonNull(publisher, "publisher");
    if (prefetch < 1) {
      throw new IllegalArgumentException("prefetch must be at least 1, but was " + prefetch);
    }
    return new PublisherIterator<>(publisher, prefetch);
  }
}
