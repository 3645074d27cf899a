package io.ambidex.producer;

import io.ambidex.producer.Producer;
import io.ambidex.producer.ProducerCancelledException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.testing.CountingVirtualThreadFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The publisher view of a producer, beyond what the TCK checks. */
@Timeout(30)
class ProducerPublisherTest {
  private final CountingVirtualThreadFactory threads = new CountingVirtualThreadFactory("pub-");

  @AfterEach
  void noThreadOutlivesTheTest() {
    await().atMost(Duration.ofSeconds(5)).until(() -> !threads.anyAlive());
    assertThat(threads.alive()).isZero();
  }

  /** Records every signal, as "onNext:x", "onError:Type:message", "onComplete". */
  static class Recorder<T> implements Flow.Subscriber<T> {
    final List<String> signals = new CopyOnWriteArrayList<>();
    final AtomicReference<@Nullable Throwable> error = new AtomicReference<>();
    final CountDownLatch terminated = new CountDownLatch(1);
    volatile Flow.@Nullable Subscription subscription;
    volatile @Nullable Thread onNextThread;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      signals.add("onSubscribe");
    }

    @Override
    public void onNext(T item) {
      onNextThread = Thread.currentThread();
      signals.add("onNext:" + item);
    }

    @Override
    public void onError(Throwable t) {
      error.set(t);
      signals.add("onError:" + t.getClass().getSimpleName());
      terminated.countDown();
    }

    @Override
    public void onComplete() {
      signals.add("onComplete");
      terminated.countDown();
    }

    Flow.Subscription s() {
      return java.util.Objects.requireNonNull(subscription);
    }
  }

  private Producer.Builder producer() {
    return Producer.builder().threadFactory(threads);
  }

  @Test
  void subscribe_withoutRequest_doesNotRunTheBody() {
    AtomicBoolean ran = new AtomicBoolean();
    Producer<Integer, Void> p = producer().build(ctx -> ran.set(true));
    Recorder<Integer> r = new Recorder<>();
    p.publisher().subscribe(r);
    assertThat(r.signals).containsExactly("onSubscribe");
    assertThat(ran).isFalse();
    r.s().cancel();
    assertThat(threads.anyAlive()).isFalse();
  }

  @Test
  void request_deliversExactlyTheDemand_onTheBodysThread() throws InterruptedException {
    AtomicInteger returnedSends = new AtomicInteger();
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          for (int i = 0; i < 5; i++) {
            ctx.send(i);
            returnedSends.incrementAndGet();
          }
        });
    Recorder<Integer> r = new Recorder<>();
    p.publisher().subscribe(r);
    r.s().request(2);
    await().until(() -> threads.last().getState() == Thread.State.WAITING);
    assertThat(r.signals).containsExactly("onSubscribe", "onNext:0", "onNext:1");
    assertThat(returnedSends).hasValue(1); // send(1) waits for demand for the next item
    assertThat(r.onNextThread).isSameAs(threads.last());
    r.s().request(Long.MAX_VALUE);
    r.terminated.await();
    assertThat(r.signals)
        .containsExactly(
            "onSubscribe", "onNext:0", "onNext:1", "onNext:2", "onNext:3", "onNext:4",
            "onComplete");
  }

  @Test
  void setupFailure_isSignalledWithTheSameException() throws InterruptedException {
    IllegalStateException boom = new IllegalStateException("no connection");
    Producer<Integer, Void> p = producer().build(ctx -> {
      throw boom;
    });
    Recorder<Integer> r = new Recorder<>();
    p.publisher().subscribe(r);
    r.s().request(1);
    r.terminated.await();
    assertThat(r.error.get()).isSameAs(boom);
  }

  @Test
  void bodyWithoutStarted_failsWithIllegalState() throws InterruptedException {
    Recorder<Integer> r = new Recorder<>();
    producer().<Integer, Void>build(ctx -> {}).publisher().subscribe(r);
    r.s().request(1);
    r.terminated.await();
    assertThat(r.error.get())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("without calling started()");
  }

  @Test
  void requestZero_whileRunning_cancelsTheBodyAndSignalsIllegalArgument()
      throws InterruptedException {
    AtomicBoolean cleaned = new AtomicBoolean();
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          try {
            ctx.started();
            for (int i = 0; ; i++) {
              ctx.send(i);
            }
          } finally {
            cleaned.set(true);
          }
        });
    Recorder<Integer> r = new Recorder<>();
    p.publisher().subscribe(r);
    r.s().request(1);
    await().until(() -> r.signals.contains("onNext:0"));
    r.s().request(0);
    r.terminated.await();
    assertThat(r.error.get())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("3.9");
    assertThat(cleaned).isTrue();
  }

  @Test
  void cancel_runsTheBodysCleanup_andStopsSignals() {
    AtomicBoolean cleaned = new AtomicBoolean();
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          try {
            ctx.started();
            for (int i = 0; ; i++) {
              ctx.send(i);
            }
          } finally {
            cleaned.set(true);
          }
        });
    Recorder<Integer> r = new Recorder<>();
    p.publisher().subscribe(r);
    r.s().request(3);
    await().until(() -> r.signals.size() == 4);
    r.s().cancel();
    await().until(cleaned::get);
    r.s().request(10); // a no-op after cancel
    assertThat(r.signals).containsExactly("onSubscribe", "onNext:0", "onNext:1", "onNext:2");
  }

  @Test
  void eachSubscriber_runsTheBodyOnce() throws InterruptedException {
    AtomicInteger runs = new AtomicInteger();
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          ctx.send(runs.incrementAndGet());
        });
    Recorder<Integer> a = new Recorder<>();
    Recorder<Integer> b = new Recorder<>();
    p.publisher().subscribe(a);
    p.publisher().subscribe(b);
    a.s().request(5);
    b.s().request(5);
    a.terminated.await();
    b.terminated.await();
    assertThat(runs).hasValue(2);
    assertThat(List.of(a.signals.get(1), b.signals.get(1)))
        .containsExactlyInAnyOrder("onNext:1", "onNext:2");
  }

  @Test
  void subscriberWhoseOnNextThrows_cancelsTheBody() {
    AtomicReference<Throwable> inBody = new AtomicReference<>();
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          try {
            ctx.send(1);
          } catch (ProducerCancelledException e) {
            inBody.set(e);
            throw e;
          }
        });
    p.publisher().subscribe(new Recorder<Integer>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        s.request(1);
      }

      @Override
      public void onNext(Integer item) {
        throw new IllegalStateException("subscriber bug");
      }
    });
    await().until(() -> inBody.get() != null);
    assertThat(inBody.get().getCause()).hasMessage("subscriber bug");
  }

  @Test
  void nullSubscriber_isRejectedAtTheCall() {
    Flow.Publisher<Integer> publisher = producer().<Integer, Void>build(ctx -> {}).publisher();
    assertThatThrownBy(() -> publisher.subscribe(null)).isInstanceOf(NullPointerException.class);
    assertThat(threads.created()).isZero();
  }

  @Test
  void refusingThreadFactory_isSignalledAfterOnSubscribe() {
    RuntimeException refused = new RuntimeException("no threads");
    Flow.Publisher<Integer> publisher =
        Producer.builder().threadFactory(r -> {
          throw refused;
        }).<Integer, Void>build(ctx -> ctx.started()).publisher();
    Recorder<Integer> r = new Recorder<>();
    publisher.subscribe(r);
    assertThat(r.signals).containsExactly("onSubscribe", "onError:RuntimeException");
    assertThat(r.error.get()).isSameAs(refused);
  }

  @Test
  void subscriberWhoseOnSubscribeThrows_subscribeReturnsNormally_andTheBodyNeverRuns() {
    AtomicBoolean ran = new AtomicBoolean();
    Producer<Integer, Void> p = producer().build(ctx -> {
      ran.set(true);
      ctx.started();
      ctx.send(1);
    });
    Recorder<Integer> r = new Recorder<Integer>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        super.onSubscribe(s);
        throw new IllegalStateException("subscriber bug");
      }
    };
    // Rule 1.9: subscribe returns normally; rule 2.13: the subscription is considered cancelled.
    p.publisher().subscribe(r);
    r.s().request(1);
    assertThat(ran).isFalse();
    assertThat(r.signals).containsExactly("onSubscribe");
    assertThat(threads.threads()).allMatch(t -> t.getState() == Thread.State.NEW);
  }

  @Test
  void refusingThreadFactory_subscriberWhoseOnSubscribeAndOnErrorThrow_subscribeReturnsNormally() {
    Flow.Publisher<Integer> publisher =
        Producer.builder().threadFactory(r -> {
          throw new RuntimeException("no threads");
        }).<Integer, Void>build(ctx -> ctx.started()).publisher();
    List<String> seen = new CopyOnWriteArrayList<>();
    publisher.subscribe(new Recorder<Integer>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        seen.add("onSubscribe");
        throw new IllegalStateException("subscriber bug in onSubscribe");
      }

      @Override
      public void onError(Throwable t) {
        seen.add("onError");
        throw new IllegalStateException("subscriber bug in onError");
      }
    });
    assertThat(seen).containsExactly("onSubscribe", "onError");
  }

  @Test
  void subscriberWhoseOnCompleteOrOnErrorThrows_isLogged_notThrownOnTheBodysThread()
      throws InterruptedException {
    List<Throwable> uncaught = new CopyOnWriteArrayList<>();
    List<Thread> made = new CopyOnWriteArrayList<>();
    Producer.Builder builder = Producer.builder().threadFactory(r -> {
      Thread t = threads.newThread(r);
      t.setUncaughtExceptionHandler((thread, e) -> uncaught.add(e));
      made.add(t);
      return t;
    });
    Producer<Integer, Void> completes = builder.build(ctx -> ctx.started());
    Producer<Integer, Void> fails = builder.build(ctx -> {
      throw new IllegalStateException("body failure");
    });
    for (Producer<Integer, Void> p : List.of(completes, fails)) {
      p.publisher().subscribe(new Recorder<Integer>() {
        @Override
        public void onSubscribe(Flow.Subscription s) {
          s.request(1);
        }

        @Override
        public void onComplete() {
          throw new IllegalStateException("subscriber bug in onComplete");
        }

        @Override
        public void onError(Throwable t) {
          throw new IllegalStateException("subscriber bug in onError");
        }
      });
    }
    assertThat(made).hasSize(2);
    for (Thread t : made) {
      t.join();
    }
    assertThat(uncaught).isEmpty();
  }
}
