package io.ambidex.mutiny;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.facade.FacadeSupport;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.IOException;
import java.time.Duration;
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
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code Uni} and {@code Multi} {@link MutinyFacades} makes, used as a Mutiny application does. */
@Timeout(60)
class MutinyFacadesTest {

  /**
   * Every {@code Uni} Mutiny's own factories make passes through {@code
   * Infrastructure.onUniCreation}, where the registered {@code UniInterceptor}s (context
   * propagation's, for one) decorate it; a facade's {@code Uni} must too.
   */
  @Test
  void uni_passesThroughTheCreationInterceptors() {
    Uni<String> own = Uni.createFrom().completionStage(() -> CompletableFuture.completedFuture("v"));
    Uni<String> facades = MutinyFacades.uni(() -> CompletableFuture.completedFuture("v"));

    assertThat(RecordingUniInterceptor.sawCreation(own)).as("Mutiny's own Uni").isTrue();
    assertThat(RecordingUniInterceptor.sawCreation(facades)).as("the facade's Uni").isTrue();
  }

  /*
   * A facade's Uni signals on the thread that completes the call (an HTTP I/O thread for the blob
   * client); await() there parks the thread the awaited call may need. With the check installed,
   * Mutiny refuses it as Reactor's block() is refused; a thread the guard accepts still awaits.
   */
  @Test
  void await_withTheCheckInstalled_isRefusedOnAThreadTheBlockingGuardRefuses() throws Exception {
    io.ambidex.BlockingGuard.Registration loops =
        io.ambidex.BlockingGuard.register(
            "a test event loop", thread -> thread.getName().equals("ambidex-test-event-loop"));
    ExecutorService loop =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "ambidex-test-event-loop"));
    Infrastructure.setCanCallerThreadBeBlockedSupplier(MutinyFacades::callerThreadMayBlock);
    try {
      CompletableFuture<String> never = new CompletableFuture<>();
      Uni<String> uni = MutinyFacades.uni(() -> never);
      Future<Throwable> refused =
          loop.submit(
              () -> {
                try {
                  uni.await().atMost(Duration.ofSeconds(5));
                  return null;
                } catch (Throwable t) {
                  return t;
                }
              });
      assertThat(refused.get(25, TimeUnit.SECONDS))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ambidex-test-event-loop");
      assertThat(MutinyFacades.uni(() -> CompletableFuture.completedFuture("v")).await()
              .atMost(Duration.ofSeconds(5)))
          .as("on a thread the guard accepts")
          .isEqualTo("v");

      io.ambidex.BlockingGuard.Mode previous =
          io.ambidex.BlockingGuard.setMode(io.ambidex.BlockingGuard.Mode.WARN);
      try {
        Future<Boolean> warned = loop.submit(MutinyFacades::callerThreadMayBlock);
        assertThat(warned.get(25, TimeUnit.SECONDS)).as("WARN leaves await() alone").isTrue();
      } finally {
        io.ambidex.BlockingGuard.setMode(previous);
      }
    } finally {
      Infrastructure.resetCanCallerThreadBeBlockedSupplier();
      loop.shutdownNow();
      loops.close();
    }
  }

  @Test
  void uni_isLazy_nullIsAnItem_andEachSubscriptionCalls() {
    AtomicInteger calls = new AtomicInteger();
    Uni<String> uni =
        MutinyFacades.uni(
            () -> {
              calls.incrementAndGet();
              return CompletableFuture.completedFuture(null);
            });
    assertThat(calls).hasValue(0);

    uni.subscribe().withSubscriber(UniAssertSubscriber.create()).assertCompleted().assertItem(null);
    uni.subscribe().withSubscriber(UniAssertSubscriber.create()).assertCompleted();

    assertThat(calls).hasValue(2);
  }

  @Test
  void uni_failures_arriveUnwrapped_whetherThrownByTheCallOrFailingItsFuture() {
    MutinyFacades.<String>uni(() -> { throw new IOException("refused"); })
        .subscribe()
        .withSubscriber(UniAssertSubscriber.create())
        .assertFailedWith(IOException.class, "refused");
    MutinyFacades.<String>uni(
            () -> CompletableFuture.failedFuture(new CompletionException(new IOException("lost"))))
        .subscribe()
        .withSubscriber(UniAssertSubscriber.create())
        .assertFailedWith(IOException.class, "lost");
  }

  @Test
  void uni_cancelAndTimeout_cancelTheFuture_andACancelByTheCoreIsAFailure() {
    CompletableFuture<String> cancelled = new CompletableFuture<>();
    MutinyFacades.uni(() -> cancelled).subscribe().with(v -> {}, e -> {}).cancel();
    assertThat(cancelled).isCancelled();

    CompletableFuture<String> slow = new CompletableFuture<>();
    Uni<String> timed = MutinyFacades.uni(() -> slow).ifNoItem().after(Duration.ofMillis(10)).fail();
    UniAssertSubscriber<String> timedOut = timed.subscribe().withSubscriber(UniAssertSubscriber.create());
    timedOut.awaitFailure(Duration.ofSeconds(10));
    assertThat(slow).isCancelled();

    CompletableFuture<String> cancelledByTheCore = new CompletableFuture<>();
    UniAssertSubscriber<String> subscriber =
        MutinyFacades.uni(() -> cancelledByTheCore).subscribe().withSubscriber(UniAssertSubscriber.create());
    cancelledByTheCore.cancel(true);
    subscriber.assertFailedWith(CancellationException.class);
  }

  @Test
  void uni_cancelRacingCompletion_atMostOneEvent_andNothingDropped() throws Exception {
    List<Throwable> dropped = new CopyOnWriteArrayList<>();
    Infrastructure.setDroppedExceptionHandler(dropped::add);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    AtomicInteger events = new AtomicInteger();
    int races = 2_000;
    try {
      for (int i = 0; i < races; i++) {
        CompletableFuture<String> call = new CompletableFuture<>();
        boolean fail = i % 2 == 0;
        var cancellable =
            MutinyFacades.uni(() -> call)
                .subscribe()
                .with(v -> events.incrementAndGet(), e -> events.incrementAndGet());
        CyclicBarrier start = new CyclicBarrier(2);
        Future<?> complete =
            threads.submit(
                () -> {
                  start.await();
                  return fail
                      ? call.completeExceptionally(new IOException("lost"))
                      : call.complete("v");
                });
        Future<?> cancel =
            threads.submit(
                () -> {
                  start.await();
                  cancellable.cancel();
                  return null;
                });
        complete.get(10, TimeUnit.SECONDS);
        cancel.get(10, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
      Infrastructure.resetDroppedExceptionHandler();
    }
    assertThat(events).hasValueLessThanOrEqualTo(races);
    assertThat(dropped).isEmpty();
  }

  @Test
  void multi_requestOneAtATime_over100000ItemsDeliveredSynchronously_thenClosesTheSource() {
    int n = 100_000;
    AtomicBoolean closed = new AtomicBoolean();
    Multi<Integer> numbers =
        MutinyFacades.multi(
            () ->
                FacadeSupport.publisher(
                    "numbers",
                    closing(
                        AsyncIterators.fromIterable(IntStream.range(0, n).boxed().toList()),
                        closed)));
    AtomicInteger received = new AtomicInteger();
    CompletableFuture<Void> done = new CompletableFuture<>();

    numbers.subscribe()
        .withSubscriber(
            new Flow.Subscriber<Integer>() {
              private Flow.Subscription subscription;

              @Override
              public void onSubscribe(Flow.Subscription s) {
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

    assertThat(done).succeedsWithin(Duration.ofSeconds(30));
    assertThat(received).hasValue(n);
    assertThat(closed).isTrue();
  }

  @Test
  void multi_firstItems_emitOn_cancelBeforeRequest_eachCloseTheirOwnSource() {
    List<AtomicBoolean> opened = new CopyOnWriteArrayList<>();
    Multi<Integer> numbers =
        MutinyFacades.multi(
            () -> {
              AtomicBoolean closed = new AtomicBoolean();
              opened.add(closed);
              return FacadeSupport.publisher(
                  "numbers", closing(AsyncIterators.fromIterable(List.of(1, 2, 3)), closed));
            });
    ExecutorService elsewhere = Executors.newSingleThreadExecutor();
    try {
      assertThat(numbers.select().first(2).collect().asList().await().atMost(Duration.ofSeconds(10)))
          .containsExactly(1, 2);
      assertThat(
              numbers.emitOn(elsewhere).collect().with(Collectors.counting()).await().atMost(Duration.ofSeconds(10)))
          .isEqualTo(3);
      AssertSubscriber<Integer> idle = numbers.subscribe().withSubscriber(AssertSubscriber.create(0));
      idle.cancel();
      idle.assertHasNotReceivedAnyItem();
    } finally {
      elsewhere.shutdownNow();
    }

    assertThat(opened).hasSize(3);
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(new ArrayList<>(opened)).allMatch(AtomicBoolean::get));
  }

  @Test
  void multi_callThatThrows_failsTheMulti_unwrapped() {
    MutinyFacades.<Integer>multi(() -> { throw new CompletionException(new IOException("refused")); })
        .subscribe()
        .withSubscriber(AssertSubscriber.create(1))
        .assertFailedWith(IOException.class, "refused");
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

  /*
   * Found by exploratory testing, 2026-12-06: a subscriber that throws from onItem or onFailure
   * when the future completes on another thread threw into CompletableFuture.whenComplete, which
   * keeps it in a future nobody reads: no event, no log. It goes to Mutiny's dropped-exception
   * handler instead.
   */
  @Test
  void uni_subscriberThrowsOnALaterCompletion_goesToTheDroppedExceptionHandler() {
    List<Throwable> dropped = new CopyOnWriteArrayList<>();
    Infrastructure.setDroppedExceptionHandler(dropped::add);
    try {
      for (boolean fail : new boolean[] {false, true}) {
        CompletableFuture<String> future = new CompletableFuture<>();
        IllegalStateException thrown = new IllegalStateException("subscriber threw");
        MutinyFacades.uni(() -> future)
            .subscribe()
            .withSubscriber(
                new io.smallrye.mutiny.subscription.UniSubscriber<String>() {
                  @Override
                  public void onSubscribe(io.smallrye.mutiny.subscription.UniSubscription s) {}

                  @Override
                  public void onItem(String item) {
                    throw thrown;
                  }

                  @Override
                  public void onFailure(Throwable failure) {
                    throw thrown;
                  }
                });
        if (fail) {
          future.completeExceptionally(new IOException("failed"));
        } else {
          future.complete("v");
        }
        assertThat(dropped).as("fail=" + fail).containsExactly(thrown);
        dropped.clear();
      }
    } finally {
      Infrastructure.resetDroppedExceptionHandler();
    }
  }

  /*
   * Found by exploratory testing, 2026-12-06: a core's own Flow.Publisher, relayed as it is by the
   * async facade, may fail with a stage's CompletionException, which the blocking facade's stream
   * unwraps; the Multi relayed it wrapped.
   */
  @Test
  void multi_publisherFailsWithCompletionException_arrivesUnwrapped() {
    IOException cause = new IOException("refused");
    Flow.Publisher<String> failing =
        subscriber -> {
          subscriber.onSubscribe(
              new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
              });
          subscriber.onError(new CompletionException(cause));
        };
    MutinyFacades.<String>multi(() -> failing)
        .subscribe()
        .withSubscriber(AssertSubscriber.create(1))
        .awaitFailure(Duration.ofSeconds(10))
        .assertFailedWith(IOException.class, "refused");
  }
}
