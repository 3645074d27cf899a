package io.ambidex.rxjava3;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.facade.FacadeSupport;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.FlowableSubscriber;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import io.reactivex.rxjava3.subscribers.TestSubscriber;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;

/** The sources {@link RxJavaFacades} makes, used as an RxJava application uses them. */
@Timeout(60)
class RxJavaFacadesTest {
  private final List<Throwable> undeliverable = new CopyOnWriteArrayList<>();

  RxJavaFacadesTest() {
    RxJavaPlugins.setErrorHandler(undeliverable::add);
  }

  @AfterEach
  void resetPlugins() {
    RxJavaPlugins.reset();
  }

  /**
   * Every source RxJava's own factories make passes through the {@code RxJavaPlugins} assembly
   * hooks, which assembly tracking and tracing instrumentations (context propagation into the
   * callbacks) install; a facade's sources must too.
   */
  @Test
  void everySource_passesThroughTheAssemblyHooks() {
    Single<String> trackedSingle = Single.just("tracked");
    Maybe<String> trackedMaybe = Maybe.just("tracked");
    Completable trackedCompletable = Completable.complete();
    RxJavaPlugins.setOnSingleAssembly(single -> trackedSingle);
    RxJavaPlugins.setOnMaybeAssembly(maybe -> trackedMaybe);
    RxJavaPlugins.setOnCompletableAssembly(completable -> trackedCompletable);

    assertThat(RxJavaFacades.single(() -> CompletableFuture.completedFuture("v")))
        .isSameAs(trackedSingle);
    assertThat(RxJavaFacades.maybe(() -> CompletableFuture.completedFuture("v")))
        .isSameAs(trackedMaybe);
    assertThat(RxJavaFacades.completable(() -> CompletableFuture.completedFuture("v")))
        .isSameAs(trackedCompletable);
  }

  /*
   * Found by the exploration of the adapters: a fatal error (RxJava's Exceptions.throwIfFatal: a
   * VirtualMachineError, a LinkageError) thrown by the call was thrown out of subscribe() for a
   * Single, as RxJava's own sources do, but signalled as onError for a Flowable.
   */
  @Test
  void aFatalErrorOfTheCall_isThrownFromSubscribe_byEverySource() {
    LinkageError fatal = new LinkageError("a class did not link");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> RxJavaFacades.<String>single(() -> { throw fatal; }).test())
        .isSameAs(fatal);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> RxJavaFacades.<String>flowable(() -> { throw fatal; }).test())
        .isSameAs(fatal);
  }

  @Test
  void flowable_passesThroughTheAssemblyHook() {
    AtomicInteger assembled = new AtomicInteger();
    RxJavaPlugins.setOnFlowableAssembly(
        flowable -> {
          assembled.incrementAndGet();
          return flowable;
        });

    RxJavaFacades.flowable(() -> FacadeSupport.publisher("list", AsyncIterators.fromIterable(List.of(1))));

    assertThat(assembled).hasPositiveValue();
  }

  @Test
  void single_nullResult_failsSayingToDeclareItNullable_andMaybeCompletesEmpty() {
    RxJavaFacades.<String>single(() -> CompletableFuture.completedFuture(null))
        .test()
        .assertError(
            e -> e instanceof NullPointerException && e.getMessage().contains("@Nullable"));
    RxJavaFacades.<String>maybe(() -> CompletableFuture.completedFuture(null))
        .test()
        .assertComplete()
        .assertNoValues();
  }

  @Test
  void failures_arriveUnwrapped_whetherThrownByTheCallOrFailingItsFuture() {
    RxJavaFacades.<String>single(() -> { throw new IOException("refused"); })
        .test()
        .assertError(IOException.class);
    RxJavaFacades.completable(
            () -> CompletableFuture.failedFuture(new CompletionException(new IOException("lost"))))
        .test()
        .assertError(e -> e instanceof IOException && e.getMessage().equals("lost"));
  }

  @Test
  void dispose_cancelsTheFuture_andACancelByTheCoreIsOnError() {
    CompletableFuture<String> call = new CompletableFuture<>();
    RxJavaFacades.single(() -> call).test().dispose();
    assertThat(call).isCancelled();

    CompletableFuture<String> cancelledByTheCore = new CompletableFuture<>();
    var observer = RxJavaFacades.maybe(() -> cancelledByTheCore).test();
    cancelledByTheCore.cancel(true);
    observer.assertError(CancellationException.class);
    assertThat(undeliverable).isEmpty();
  }

  @Test
  void disposeRacingCompletion_atMostOneSignal_andNothingUndeliverable() throws Exception {
    ExecutorService threads = Executors.newFixedThreadPool(2);
    AtomicInteger signals = new AtomicInteger();
    int races = 2_000;
    try {
      for (int i = 0; i < races; i++) {
        CompletableFuture<String> call = new CompletableFuture<>();
        boolean fail = i % 2 == 0;
        Disposable d =
            RxJavaFacades.single(() -> call)
                .subscribe(v -> signals.incrementAndGet(), e -> signals.incrementAndGet());
        CyclicBarrier start = new CyclicBarrier(2);
        Future<?> complete =
            threads.submit(
                () -> {
                  start.await();
                  return fail
                      ? call.completeExceptionally(new IOException("lost"))
                      : call.complete("v");
                });
        Future<?> dispose =
            threads.submit(
                () -> {
                  start.await();
                  d.dispose();
                  return null;
                });
        complete.get(10, TimeUnit.SECONDS);
        dispose.get(10, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(signals).hasValueLessThanOrEqualTo(races);
    assertThat(undeliverable).isEmpty();
  }

  @Test
  void flowable_requestOneAtATime_over100000ItemsDeliveredSynchronously_thenClosesTheSource() {
    int n = 100_000;
    AtomicBoolean closed = new AtomicBoolean();
    Flowable<Integer> numbers =
        RxJavaFacades.flowable(
            () ->
                FacadeSupport.publisher(
                    "numbers",
                    closing(
                        AsyncIterators.fromIterable(IntStream.range(0, n).boxed().toList()),
                        closed)));
    AtomicInteger received = new AtomicInteger();
    CompletableFuture<Void> done = new CompletableFuture<>();

    numbers.subscribe(
        new FlowableSubscriber<Integer>() {
          private Subscription subscription;

          @Override
          public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(1);
          }

          @Override
          public void onNext(Integer item) {
            received.incrementAndGet();
            subscription.request(1); // inside onNext: the source must not recurse
          }

          @Override
          public void onError(Throwable failure) {
            done.completeExceptionally(failure);
          }

          @Override
          public void onComplete() {
            done.complete(null);
          }
        });

    assertThat(done).succeedsWithin(java.time.Duration.ofSeconds(30));
    assertThat(received).hasValue(n);
    assertThat(closed).isTrue();
  }

  @Test
  void flowable_take_cancelBeforeRequest_andEachSubscription_closeTheirOwnSource() {
    List<AtomicBoolean> opened = new ArrayList<>();
    Flowable<Integer> numbers =
        RxJavaFacades.flowable(
            () -> {
              AtomicBoolean closed = new AtomicBoolean();
              opened.add(closed);
              return FacadeSupport.publisher(
                  "numbers", closing(AsyncIterators.fromIterable(List.of(1, 2, 3)), closed));
            });

    numbers.take(2).test().assertValues(1, 2).assertComplete();
    TestSubscriber<Integer> idle = numbers.test(0);
    idle.cancel();

    assertThat(opened).hasSize(2).allMatch(AtomicBoolean::get);
    idle.assertNoValues();
  }

  @Test
  void flowable_sourceThatFailsOnClose_deliversTheItemsThenTheCloseFailure() {
    AsyncIterator<String> items = AsyncIterators.fromIterable(List.of("a"));
    AsyncIterator<String> failingClose =
        new AsyncIterator<>() {
          @Override
          public CompletionStage<Boolean> hasNext() {
            return items.hasNext();
          }

          @Override
          public String next() {
            return items.next();
          }

          @Override
          public CompletionStage<Void> close() {
            return CompletableFuture.failedFuture(new IOException("close failed"));
          }
        };

    RxJavaFacades.flowable(() -> FacadeSupport.publisher("one", failingClose))
        .test()
        .assertValues("a")
        .assertError(IOException.class);
    assertThat(undeliverable).isEmpty();
  }

  private static <T> AsyncIterator<T> closing(AsyncIterator<T> source, AtomicBoolean closed) {
    return new AsyncIterator<>() {
      @Override
      public CompletionStage<Boolean> hasNext() {
        return source.hasNext();
      }

      @Override
      public T next() {
        return source.next();
      }

      @Override
      public CompletionStage<Void> close() {
        closed.set(true);
        return source.close();
      }
    };
  }

  /* A core's own publisher may fail with a stage's CompletionException: unwrapped, as elsewhere. */
  @Test
  void flowable_publisherFailsWithCompletionException_arrivesUnwrapped() {
    IOException cause = new IOException("refused");
    java.util.concurrent.SubmissionPublisher<String> failing =
        new java.util.concurrent.SubmissionPublisher<>(Runnable::run, 4);
    failing.closeExceptionally(new CompletionException(cause));

    TestSubscriber<String> test = RxJavaFacades.<String>flowable(() -> failing).test();

    test.awaitDone(10, TimeUnit.SECONDS);
    test.assertError(cause);
  }

}
