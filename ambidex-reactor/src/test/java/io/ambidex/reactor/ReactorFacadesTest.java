package io.ambidex.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;

/** The adapters' failure contract: what the call throws arrives unwrapped, on Mono and Flux. */
@Timeout(30)
class ReactorFacadesTest {

  /*
   * Found by the exploration of the other flavours (RxJava and Mutiny skipped their hooks):
   * Reactor's own factories pass every Mono through Mono.onAssembly, where Hooks.onEachOperator
   * decorations and the debug mode's assembly traces apply; the facade's Mono skipped it.
   */
  @Test
  void mono_passesThroughTheAssemblyHook_asReactorsOwnDo() {
    AtomicInteger assembled = new AtomicInteger();
    Hooks.onEachOperator(
        "ambidex-test",
        publisher -> {
          assembled.incrementAndGet();
          return publisher;
        });
    try {
      Mono<String> mono = ReactorFacades.mono(() -> CompletableFuture.completedFuture("v"));
      assertThat(assembled).as("the facade's Mono through the hook").hasValue(1);
      assertThat(mono.block()).isEqualTo("v");
    } finally {
      Hooks.resetOnEachOperator("ambidex-test");
    }
  }

  @Test
  void flux_callThrowsCompletionException_arrivesUnwrapped() throws Exception {
    UncheckedIOException cause = new UncheckedIOException(new IOException("bad prefix p"));
    CompletableFuture<Throwable> error = new CompletableFuture<>();

    ReactorFacades.<String>flux(
            () -> {
              Flow.Publisher<String> never = null;
              if (cause != null) {
                throw new CompletionException(cause);
              }
              return never;
            })
        .subscribe(v -> {}, error::complete);

    assertThat(error.get(10, TimeUnit.SECONDS)).isSameAs(cause);
  }

  @Test
  void mono_callThrowsCompletionException_arrivesUnwrapped() throws Exception {
    UncheckedIOException cause = new UncheckedIOException(new IOException("bad key k"));
    CompletableFuture<Throwable> error = new CompletableFuture<>();

    ReactorFacades.<String>mono(
            () -> {
              throw new CompletionException(cause);
            })
        .subscribe(v -> {}, error::complete);

    assertThat(error.get(10, TimeUnit.SECONDS)).isSameAs(cause);
  }

  /**
   * What {@code mono} guarantees when the future's completion races a cancel: at most one
   * signal, and nothing dropped to Reactor's hooks by the Mono itself. (A completion that won the
   * race is delivered, possibly after {@code cancel()} returned, as Reactive Streams rule 3.12
   * allows; Reactor's own lambda subscriber, {@code subscribe(onNext, onError)}, drops such a
   * signal to {@code Hooks.onErrorDropped}/{@code onNextDropped}: found by exploratory testing,
   * 16-19 in 20,000 races. That is the subscriber's doing, see docs/flavours.md.)
   */
  @Test
  void mono_completionRacingCancel_atMostOneSignal_nothingDropped() throws Exception {
    AtomicInteger dropped = new AtomicInteger();
    Hooks.onErrorDropped(e -> dropped.incrementAndGet());
    Hooks.onNextDropped(v -> dropped.incrementAndGet());
    ExecutorService threads = Executors.newFixedThreadPool(2);
    AtomicInteger doubleSignals = new AtomicInteger();
    try {
      for (int i = 0; i < 5_000; i++) {
        CompletableFuture<String> future = new CompletableFuture<>();
        AtomicInteger signals = new AtomicInteger();
        AtomicReference<Subscription> subscription = new AtomicReference<>();
        ReactorFacades.<String>mono(() -> future)
            .subscribe(
                new CoreSubscriber<String>() {
                  @Override
                  public void onSubscribe(Subscription s) {
                    subscription.set(s);
                    s.request(1);
                  }

                  @Override
                  public void onNext(String v) {
                    late();
                  }

                  @Override
                  public void onError(Throwable t) {
                    late();
                  }

                  @Override
                  public void onComplete() {}

                  private void late() {
                    if (signals.incrementAndGet() > 1) {
                      doubleSignals.incrementAndGet();
                    }
                  }
                });
        boolean fail = (i & 1) == 0;
        CountDownLatch go = new CountDownLatch(1);
        Future<?> complete =
            threads.submit(
                () -> {
                  go.await();
                  return fail
                      ? future.completeExceptionally(new IllegalStateException("boom"))
                      : future.complete("v");
                });
        Future<?> cancel =
            threads.submit(
                () -> {
                  go.await();
                  subscription.get().cancel();
                  return null;
                });
        go.countDown();
        complete.get(10, TimeUnit.SECONDS);
        cancel.get(10, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
      Hooks.resetOnErrorDropped();
      Hooks.resetOnNextDropped();
    }
    assertThat(doubleSignals).as("subscriptions signalled twice").hasValue(0);
    assertThat(dropped).as("signals dropped to Reactor's hooks").hasValue(0);
  }

  /*
   * Found by exploratory testing, 2026-12-06: a subscriber that throws from onNext, onComplete or
   * onError when the future completes on another thread (a fatal error from a map(), a throwing
   * onErrorDropped hook) threw into CompletableFuture.whenComplete, which keeps it in a future
   * nobody reads: no signal, no log, nothing. Mono.fromFuture reports it to Hooks.onErrorDropped.
   */
  @Test
  void mono_subscriberThrowsOnALaterCompletion_reportedToOnErrorDropped_notLost() {
    List<Throwable> dropped = new CopyOnWriteArrayList<>();
    Hooks.onErrorDropped(dropped::add);
    try {
      for (boolean fail : new boolean[] {false, true}) {
        CompletableFuture<String> future = new CompletableFuture<>();
        IllegalStateException thrown = new IllegalStateException("subscriber broke rule 2.13");
        ReactorFacades.mono(() -> future)
            .subscribe(
                new CoreSubscriber<String>() {
                  @Override
                  public void onSubscribe(Subscription s) {
                    s.request(1);
                  }

                  @Override
                  public void onNext(String v) {
                    throw thrown;
                  }

                  @Override
                  public void onError(Throwable t) {
                    throw thrown;
                  }

                  @Override
                  public void onComplete() {}
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
      Hooks.resetOnErrorDropped();
    }
  }

  /*
   * Found by exploratory testing, 2026-12-06: a facade's Mono signals on the thread that completes
   * the call, for the blob client an HTTP I/O thread, which the BlockingGuard refuses to park. A
   * block() there (say in a map() after a get) was not refused, because Reactor only knew its own
   * NonBlocking threads: it parked the I/O thread, and with one I/O thread the inner call could
   * never complete.
   */
  @Test
  void block_onAThreadTheBlockingGuardRefuses_isRefusedByReactorToo() throws Exception {
    io.ambidex.BlockingGuard.Registration loops =
        io.ambidex.BlockingGuard.register(
            "a test event loop", thread -> thread.getName().equals("ambidex-test-event-loop"));
    ExecutorService loop =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "ambidex-test-event-loop"));
    try {
      CompletableFuture<String> never = new CompletableFuture<>();
      Mono<String> mono = ReactorFacades.mono(() -> never);
      Future<Throwable> refused =
          loop.submit(
              () -> {
                try {
                  mono.block(java.time.Duration.ofSeconds(5));
                  return null;
                } catch (Throwable t) {
                  return t;
                }
              });
      assertThat(refused.get(25, TimeUnit.SECONDS))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("ambidex-test-event-loop")
          .hasMessageContaining("not supported");
      // Reactor checks after subscribing and does not cancel: the call stays in flight.
    } finally {
      loop.shutdownNow();
      loops.close();
    }
  }

  /*
   * Found by exploratory testing, 2026-12-06: the Javadoc and flavours.md said signals arrive on
   * the thread that completes the call or on the subscribing thread; a value that is ready before
   * the demand is emitted by request(), on the thread that requests it.
   */
  @Test
  void mono_valueReadyBeforeTheRequest_arrivesOnTheRequestingThread() throws Exception {
    CompletableFuture<String> future = new CompletableFuture<>();
    AtomicReference<Subscription> subscription = new AtomicReference<>();
    AtomicReference<String> signalledOn = new AtomicReference<>();
    CountDownLatch signalled = new CountDownLatch(1);
    ReactorFacades.mono(() -> future)
        .subscribe(
            new CoreSubscriber<String>() {
              @Override
              public void onSubscribe(Subscription s) {
                subscription.set(s);
              }

              @Override
              public void onNext(String v) {
                signalledOn.set(Thread.currentThread().getName());
                signalled.countDown();
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onComplete() {}
            });
    Thread completer = new Thread(() -> future.complete("v"), "ambidex-test-completer");
    completer.start();
    completer.join(10_000);
    assertThat(future).isCompleted();
    assertThat(signalledOn).as("nothing before the demand").hasValue(null);
    ExecutorService requester =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "ambidex-test-requester"));
    try {
      requester.submit(() -> subscription.get().request(1)).get(10, TimeUnit.SECONDS);
    } finally {
      requester.shutdownNow();
    }
    assertThat(signalled.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(signalledOn).hasValue("ambidex-test-requester");
  }

  /*
   * Found by exploratory testing, 2026-12-06: a core method that returns its own Flow.Publisher
   * is relayed as it is by the async facade, and a publisher built on stages fails with their
   * CompletionException. The blocking facade's stream unwraps it (Failures.rethrow); the Flux
   * relayed it wrapped, so onErrorResume(IOException.class, ...) missed it.
   */
  @Test
  void flux_publisherFailsWithCompletionException_arrivesUnwrapped() {
    IOException cause = new IOException("refused");
    AtomicReference<Throwable> failure = new AtomicReference<>();
    ReactorFacades.<String>flux(
            () ->
                reactor.adapter.JdkFlowAdapter.publisherToFlowPublisher(
                    reactor.core.publisher.Flux.<String>error(new CompletionException(cause))))
        .onErrorResume(
            e -> {
              failure.set(e);
              return reactor.core.publisher.Flux.empty();
            })
        .blockLast(java.time.Duration.ofSeconds(10));
    assertThat(failure).hasValue(cause);
  }
}
