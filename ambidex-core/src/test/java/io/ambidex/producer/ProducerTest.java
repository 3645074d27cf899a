package io.ambidex.producer;

import io.ambidex.BlockingGuard;
import io.ambidex.BlockingNotAllowedException;
import io.ambidex.BlockingWait;
import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.CallerStackTrace;
import io.ambidex.control.Async;
import io.ambidex.producer.AsyncProducerIterator;
import io.ambidex.producer.Producer;
import io.ambidex.producer.ProducerCancelledException;
import io.ambidex.producer.ProducerIterator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.testing.CountingVirtualThreadFactory;
import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Producers beyond the seed's four tests: the iterator views, blocking and async. */
@Timeout(30)
class ProducerTest {
  private final CountingVirtualThreadFactory threads = new CountingVirtualThreadFactory("prod-");

  @AfterEach
  void noThreadOutlivesTheTest() {
    await().atMost(Duration.ofSeconds(5)).until(() -> !threads.anyAlive());
    assertThat(threads.alive()).isZero();
  }

  private void assertNoProducerThread() {
    assertThat(threads.anyAlive()).as("a producer thread outlived its iterator").isFalse();
  }

  private Producer.Builder producer() {
    return Producer.builder().threadFactory(threads);
  }

  private Producer<Integer, Void> counting(int n) {
    return producer().build(ctx -> {
      ctx.started();
      for (int i = 0; i < n; i++) {
        ctx.send(i);
      }
    });
  }

  private static <T> T done(CompletionStage<T> stage) {
    return BlockingWait.get(stage, "test", Duration.ofSeconds(10));
  }

  private static void awaitParked(Thread t) {
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> t.getState() == Thread.State.WAITING);
  }

  // ---- laziness ----

  @Test
  void iterator_neverUsed_startsNoThread() {
    AtomicBoolean ran = new AtomicBoolean();
    Producer<Integer, Void> p = producer().build(ctx -> ran.set(true));
    ProducerIterator<Integer, Void> it = p.iterator();
    AsyncProducerIterator<Integer, Void> ait = p.asyncIterator();
    it.close();
    done(ait.close());
    assertThat(ran).isFalse();
    assertThat(threads.created()).isZero();
  }

  @Test
  void setup_returnsAfterSetupFinished_andAsksForNoItem() {
    AtomicBoolean setupDone = new AtomicBoolean();
    AtomicInteger sends = new AtomicInteger();
    Producer<Integer, String> p =
        producer().build(ctx -> {
          Thread.sleep(20); // a slow setup
          setupDone.set(true);
          ctx.started("connection");
          while (true) {
            sends.incrementAndGet();
            ctx.send(1);
          }
        });
    try (ProducerIterator<Integer, String> it = p.iterator()) {
      assertThat(it.setup()).isEqualTo("connection");
      assertThat(setupDone).isTrue();
      awaitParked(threads.last());
      assertThat(sends).hasValue(0); // parked in started(): nobody asked for an item
      assertThat(it.setup()).isEqualTo("connection"); // same value, no new wait
    }
    assertNoProducerThread();
  }

  @Test
  void hasNext_withoutSetup_runsSetupAndStreams() {
    try (ProducerIterator<Integer, Void> it = counting(3).iterator()) {
      List<Integer> items = new ArrayList<>();
      it.forEachRemaining(items::add);
      assertThat(items).containsExactly(0, 1, 2);
      assertThat(it.hasNext()).isFalse();
      assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    }
    assertNoProducerThread();
  }

  @Test
  void producer_isARecipe_eachIteratorRunsTheBodyAgain() {
    AtomicInteger runs = new AtomicInteger();
    Producer<Integer, Integer> p =
        producer().build(ctx -> {
          int run = runs.incrementAndGet();
          ctx.started(run);
          ctx.send(run * 10);
        });
    try (ProducerIterator<Integer, Integer> a = p.iterator();
        ProducerIterator<Integer, Integer> b = p.iterator()) {
      int first = a.setup();
      int second = b.setup();
      assertThat(List.of(first, second)).containsExactlyInAnyOrder(1, 2);
      assertThat(a.next()).isEqualTo(first * 10);
      assertThat(b.next()).isEqualTo(second * 10);
    }
    assertThat(threads.created()).isEqualTo(2);
  }

  // ---- backpressure ----

  @Test
  void send_returnsOnlyWithDemand_runsAheadAtMostTheBuffer() {
    AtomicInteger entered = new AtomicInteger();
    AtomicInteger returned = new AtomicInteger();
    Producer<Integer, Void> p =
        producer().bufferSize(4).build(ctx -> {
          ctx.started();
          for (int i = 0; ; i++) {
            entered.incrementAndGet();
            ctx.send(i);
            returned.incrementAndGet();
          }
        });
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThat(it.next()).isEqualTo(0);
      awaitParked(threads.last());
      // The first pull granted 4: four items were handed over, the fourth send waits.
      assertThat(entered).hasValue(4);
      assertThat(returned).hasValue(3);
      // Asking for an item while the body waits grants room for one more.
      for (int consumed = 1; consumed <= 3; consumed++) {
        assertThat(it.next()).isEqualTo(consumed);
        awaitParked(threads.last());
        assertThat(entered).hasValue(4 + consumed);
        assertThat(returned).hasValue(3 + consumed);
        assertThat(entered.get() - (consumed + 1)).isLessThanOrEqualTo(4); // never past the buffer
      }
    }
    assertNoProducerThread();
  }

  @Test
  void bufferOfOne_movesInLockStep() {
    AtomicInteger lastSent = new AtomicInteger(-1);
    Producer<Integer, Void> p =
        producer().bufferSize(1).build(ctx -> {
          ctx.started();
          for (int i = 0; i < 100; i++) {
            lastSent.set(i);
            ctx.send(i);
          }
        });
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      for (int i = 0; it.hasNext(); i++) {
        assertThat(it.next()).isEqualTo(i);
        assertThat(lastSent).hasValue(i); // the body waits until the consumer asks again
      }
    }
    assertNoProducerThread();
  }

  @Test
  void largeStream_blocking_deliversEveryItemInOrder() {
    int n = 300_000;
    try (ProducerIterator<Integer, Void> it = counting(n).iterator()) {
      int expected = 0;
      while (it.hasNext()) {
        assertThat(it.next()).isEqualTo(expected++);
      }
      assertThat(expected).isEqualTo(n);
    }
    assertNoProducerThread();
  }

  @Test
  void largeStream_asyncThroughAsyncLoop_isStackSafeAndComplete() {
    int n = 300_000;
    for (int bufferSize : new int[] {1, 7, 256}) {
      AsyncProducerIterator<Integer, Void> it =
          producer().bufferSize(bufferSize).<Integer, Void>build(ctx -> {
            ctx.started();
            for (int i = 0; i < n; i++) {
              ctx.send(i);
            }
          }).asyncIterator();
      AtomicInteger expected = new AtomicInteger();
      List<String> errors = new CopyOnWriteArrayList<>();
      CallFuture<?> done =
          Async.loop(
              true,
              more -> more,
              ignored ->
                  it.hasNext()
                      .thenApply(
                          more -> {
                            if (more) {
                              int item = it.next();
                              if (item != expected.getAndIncrement()) {
                                errors.add("got " + item);
                              }
                            }
                            return more;
                          }));
      done(done);
      assertThat(errors).isEmpty();
      assertThat(expected).hasValue(n);
      done(it.close());
    }
  }

  // ---- failures ----

  @Test
  void checkedSetupFailure_keepsItsType() {
    IOException boom = new IOException("no connection");
    Producer<Integer, String> p = producer().build(ctx -> {
      throw boom;
    });
    try (ProducerIterator<Integer, String> it = p.iterator()) {
      assertThatThrownBy(() -> it.setup(IOException.class))
          .isSameAs(boom)
          .satisfies(
              e ->
                  assertThat(e.getSuppressed())
                      .hasAtLeastOneElementOfType(CallerStackTrace.class));
      assertThatThrownBy(it::setup)
          .isInstanceOf(UndeclaredThrowableException.class)
          .cause().isSameAs(boom);
      assertThatThrownBy(it::hasNext)
          .isInstanceOf(UndeclaredThrowableException.class)
          .cause().isSameAs(boom);
    }
    AsyncProducerIterator<Integer, String> async = p.asyncIterator();
    assertThatThrownBy(() -> async.setup().toCompletableFuture().join()).cause().isSameAs(boom);
    done(async.close());
  }

  @Test
  void streamFailure_comesAfterEveryItemSentBeforeIt_andRepeats() {
    IllegalArgumentException boom = new IllegalArgumentException("bad row");
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          ctx.send(1);
          ctx.send(2);
          throw boom;
        });
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThat(it.next()).isEqualTo(1);
      assertThat(it.next()).isEqualTo(2);
      assertThatThrownBy(it::hasNext).isSameAs(boom);
      assertThatThrownBy(it::hasNext).isSameAs(boom);
      assertNoProducerThread(); // the failure is reported once the thread has ended
    }
  }

  @Test
  void bodyReturningWithoutStarted_failsClearly() {
    Producer<Integer, Void> p = producer().build(ctx -> {});
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThatThrownBy(it::setup)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("returned without calling started()");
    }
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThatThrownBy(it::hasNext)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("returned without calling started()");
    }
  }

  @Test
  void startedTwice_failsTheBodyWithAClearMessage() {
    AtomicReference<Throwable> inBody = new AtomicReference<>();
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          try {
            ctx.started();
          } catch (IllegalStateException e) {
            inBody.set(e);
            throw e;
          }
        });
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      it.setup();
      assertThatThrownBy(it::hasNext)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("started() was called twice");
    }
    assertThat(inBody.get()).hasMessageStartingWith("started() was called twice");
  }

  @Test
  void sendBeforeStarted_andNullItems_areRejectedInTheBody() {
    Producer<Integer, Void> early = producer().build(ctx -> ctx.send(1));
    try (ProducerIterator<Integer, Void> it = early.iterator()) {
      assertThatThrownBy(it::hasNext)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageStartingWith("send() was called before started()");
    }
    Producer<Integer, Void> nulls =
        producer().build(ctx -> {
          ctx.started();
          ctx.send(null);
        });
    try (ProducerIterator<Integer, Void> it = nulls.iterator()) {
      assertThatThrownBy(it::hasNext).isInstanceOf(NullPointerException.class);
    }
  }

  @Test
  void contextUsedFromAnotherThread_isRejected() {
    AtomicReference<Throwable> fromOther = new AtomicReference<>();
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          Thread other = Thread.ofVirtual().start(() -> {
            try {
              ctx.send(1);
            } catch (Throwable t) {
              fromOther.set(t);
            }
          });
          other.join();
        });
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThat(it.hasNext()).isFalse();
    }
    assertThat(fromOther.get())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("which does not run the producer body");
  }

  @Test
  void threadFactoryFailure_isThrownAtTheFirstPull() {
    RuntimeException refused = new RuntimeException("no more threads");
    Producer<Integer, Void> p =
        Producer.builder().threadFactory(r -> {
          throw refused;
        }).build(ctx -> ctx.started());
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThatThrownBy(it::hasNext).isSameAs(refused);
    }
    Producer<Integer, Void> nullFactory =
        Producer.builder().threadFactory(r -> null).build(ctx -> ctx.started());
    try (ProducerIterator<Integer, Void> it = nullFactory.iterator()) {
      assertThatThrownBy(it::setup)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("thread factory returned null");
    }
  }

  /** A factory that breaks its contract the way an executor would: it starts what it makes. */
  private static final class StartingFactory implements ThreadFactory {
    final List<Thread> made = new CopyOnWriteArrayList<>();

    @Override
    public Thread newThread(Runnable r) {
      Thread t = Thread.ofVirtual().name("started-by-factory").unstarted(r);
      made.add(t);
      t.start();
      return t;
    }

    void awaitTheirEnd() throws InterruptedException {
      for (Thread t : made) {
        assertThat(t.join(Duration.ofSeconds(20))).as("the factory's thread ended").isTrue();
      }
    }
  }

  @Test
  @Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // it used to hang
  void threadFactoryReturningAStartedThread_isRefusedAtTheFirstPull_andTheBodyNeverRuns()
      throws Exception {
    StartingFactory factory = new StartingFactory();
    AtomicInteger bodies = new AtomicInteger();
    Producer<Integer, Void> p =
        Producer.builder().threadFactory(factory).build(ctx -> {
          bodies.incrementAndGet();
          ctx.started();
          ctx.send(1);
        });

    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThatThrownBy(it::hasNext)
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("producer's thread factory returned a thread that was already"
              + " started")
          .hasMessageContaining("must return a new, unstarted thread");
    }
    AsyncProducerIterator<Integer, Void> async = p.asyncIterator();
    assertThat(async.hasNext().toCompletableFuture())
        .failsWithin(Duration.ofSeconds(20))
        .withThrowableThat()
        .havingRootCause()
        .isInstanceOf(IllegalStateException.class)
        .withMessageContaining("already started");
    async.close().toCompletableFuture().get(20, TimeUnit.SECONDS);

    List<String> signals = new CopyOnWriteArrayList<>();
    CountDownLatch terminated = new CountDownLatch(1);
    p.publisher().subscribe(new Flow.Subscriber<Integer>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        signals.add("onSubscribe");
        s.request(1);
      }

      @Override
      public void onNext(Integer item) {
        signals.add("onNext " + item);
      }

      @Override
      public void onError(Throwable failure) {
        signals.add("onError " + failure.getMessage().contains("already started"));
        terminated.countDown();
      }

      @Override
      public void onComplete() {
        signals.add("onComplete");
        terminated.countDown();
      }
    });
    assertThat(terminated.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(signals).containsExactly("onSubscribe", "onError true");

    factory.awaitTheirEnd();
    assertThat(factory.made).hasSize(3);
    assertThat(bodies).as("bodies run on a refused thread").hasValue(0);
  }

  // ---- cancellation and close ----

  @Test
  @SuppressWarnings("try")
  void close_midStream_cancelsPendingSend_runsFinallyAndTryWithResources() {
    List<String> events = new CopyOnWriteArrayList<>();
    AtomicReference<Throwable> sendFailure = new AtomicReference<>();
    Producer<Integer, Void> p =
        producer().bufferSize(2).build(ctx -> {
          try (AutoCloseable resource = () -> events.add("resource closed")) {
            ctx.started();
            for (int i = 0; ; i++) {
              ctx.send(i);
            }
          } catch (ProducerCancelledException e) {
            sendFailure.set(e);
            throw e;
          } finally {
            events.add("finally");
          }
        });
    ProducerIterator<Integer, Void> it = p.iterator();
    assertThat(it.next()).isEqualTo(0);
    awaitParked(threads.last());
    it.close();
    assertNoProducerThread(); // cleanup was fast: close waited for it
    assertThat(events).containsExactly("resource closed", "finally");
    assertThat(sendFailure.get()).isInstanceOf(CancellationException.class);
    assertThatThrownBy(it::hasNext)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed producer iterator");
    it.close(); // idempotent
  }

  @Test
  void close_fromAnotherThread_whileTheFirstHasNextStartsTheThread_waitsForTheStart()
      throws Exception {
    // The body's thread is made and assigned, but its start() is held until the closer waits.
    CountDownLatch startEntered = new CountDownLatch(1);
    CountDownLatch releaseStart = new CountDownLatch(1);
    AtomicReference<Thread> bodyThread = new AtomicReference<>();
    Producer<Integer, Void> p =
        Producer.builder()
            .threadFactory(
                task -> {
                  Thread t =
                      new Thread(task, "held-start") {
                        @Override
                        public synchronized void start() {
                          startEntered.countDown();
                          try {
                            releaseStart.await();
                          } catch (InterruptedException e) {
                            throw new AssertionError(e);
                          }
                          super.start();
                        }
                      };
                  t.setDaemon(true);
                  bodyThread.set(t);
                  return t;
                })
            .build(ctx -> {
              ctx.started();
              ctx.send(1);
            });
    ProducerIterator<Integer, Void> it = p.iterator();
    CompletableFuture<Object> consumer = new CompletableFuture<>();
    Thread.ofPlatform().daemon(true).start(() -> {
      try {
        consumer.complete(it.hasNext());
      } catch (Throwable t) {
        consumer.complete(t);
      }
    });
    startEntered.await();
    CompletableFuture<@org.jspecify.annotations.Nullable Throwable> closed =
        new CompletableFuture<>();
    Thread closer = Thread.ofPlatform().daemon(true).start(() -> {
      try {
        it.close();
        closed.complete(null);
      } catch (Throwable t) {
        closed.complete(t);
      }
    });
    // The closer is waiting for the start (or, before the fix, has thrown already).
    await().atMost(Duration.ofSeconds(10))
        .until(() -> closer.getState() == Thread.State.TIMED_WAITING
            || closer.getState() == Thread.State.TERMINATED);
    releaseStart.countDown();
    assertThat(closed.get(10, java.util.concurrent.TimeUnit.SECONDS)).isNull();
    assertThat(consumer.get(10, java.util.concurrent.TimeUnit.SECONDS))
        .isInstanceOf(IllegalStateException.class);
    assertThat((Throwable) consumer.get()).hasMessageContaining("closed by another thread");
    bodyThread.get().join(Duration.ofSeconds(10));
    assertThat(bodyThread.get().isAlive()).isFalse();
  }

  @Test
  void next_afterClose_namesNext() {
    ProducerIterator<Integer, Void> it = counting(3).iterator();
    it.close();
    assertThatThrownBy(it::next)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("next() was called on a closed producer iterator");
    ProducerIterator<Integer, Void> started = counting(3).iterator();
    assertThat(started.next()).isZero();
    started.close();
    assertThatThrownBy(started::next)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageStartingWith("next() was called on a closed producer iterator");
  }

  @Test
  void close_beforeAnyItem_cancelsTheBodyParkedInStarted() {
    AtomicBoolean cleaned = new AtomicBoolean();
    Producer<Integer, String> p =
        producer().build(ctx -> {
          try {
            ctx.started("value");
            ctx.send(1);
          } finally {
            cleaned.set(true);
          }
        });
    ProducerIterator<Integer, String> it = p.iterator();
    assertThat(it.setup()).isEqualTo("value");
    it.close();
    assertThat(cleaned).isTrue();
    assertThat(it.setup()).isEqualTo("value"); // still known after close
    assertNoProducerThread();
  }

  @Test
  void close_withSlowCleanup_returnsAfterTheGrace_cleanupFinishesInBackground()
      throws InterruptedException {
    CountDownLatch releaseCleanup = new CountDownLatch(1);
    AtomicBoolean cleaned = new AtomicBoolean();
    Producer<Integer, Void> p =
        producer().cleanupGrace(Duration.ofMillis(50)).build(ctx -> {
          try {
            ctx.started();
            while (true) {
              ctx.send(1);
            }
          } finally {
            // A slow cleanup that ignores interrupts.
            while (true) {
              try {
                releaseCleanup.await();
                break;
              } catch (InterruptedException ignored) {
                // keep cleaning up
              }
            }
            cleaned.set(true);
          }
        });
    ProducerIterator<Integer, Void> it = p.iterator();
    it.next();
    it.close(); // returns although the cleanup is blocked
    assertThat(cleaned).isFalse();
    assertThat(threads.anyAlive()).isTrue();
    releaseCleanup.countDown();
    await().atMost(Duration.ofSeconds(5)).until(() -> !threads.anyAlive());
    assertThat(cleaned).isTrue();
  }

  @Test
  void close_whileBodyBlocksInItsOwnCode_interruptsIt() throws InterruptedException {
    AtomicReference<Throwable> seen = new AtomicReference<>();
    CountDownLatch inBody = new CountDownLatch(1);
    Producer<Integer, Void> p =
        producer().cleanupGrace(Duration.ofSeconds(30)).build(ctx -> {
          ctx.started();
          ctx.send(1);
          try {
            inBody.countDown();
            new CountDownLatch(1).await(); // a blocking read that never completes
          } catch (InterruptedException e) {
            seen.set(e);
            throw e;
          }
        });
    ProducerIterator<Integer, Void> it = p.iterator();
    assertThat(it.next()).isEqualTo(1);
    inBody.await();
    awaitParked(threads.last());
    it.close(); // would wait for the 30 s grace if the body were not interrupted
    assertThat(seen.get()).isInstanceOf(InterruptedException.class);
    assertNoProducerThread();
  }

  @Test
  void cleanupFailure_isReportedByClose() {
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          try {
            ctx.started();
            while (true) {
              ctx.send(1);
            }
          } finally {
            releaseConnectionFails();
          }
        });
    ProducerIterator<Integer, Void> it = p.iterator();
    it.next();
    assertThatThrownBy(it::close)
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("could not release the connection");
    AsyncProducerIterator<Integer, Void> async = p.asyncIterator();
    assertThat(done(async.hasNext())).isTrue();
    assertThatThrownBy(() -> done(async.close()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("could not release the connection");
  }

  private static void releaseConnectionFails() {
    throw new IllegalStateException("could not release the connection");
  }

  @Test
  void cleanupFailureAfterTheGrace_isLogged() throws Exception {
    java.util.logging.Logger log = java.util.logging.Logger.getLogger(Producer.class.getName());
    List<java.util.logging.LogRecord> records = new CopyOnWriteArrayList<>();
    java.util.logging.Handler handler =
        new java.util.logging.Handler() {
          @Override
          public void publish(java.util.logging.LogRecord r) {
            records.add(r);
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    log.addHandler(handler);
    try {
      CountDownLatch releaseCleanup = new CountDownLatch(1);
      Producer<Integer, Void> p =
          producer().cleanupGrace(Duration.ofMillis(20)).build(ctx -> {
            try {
              ctx.started();
              while (true) {
                ctx.send(1);
              }
            } finally {
              releaseCleanup.await();
              releaseConnectionFails();
            }
          });
      ProducerIterator<Integer, Void> it = p.iterator();
      it.next();
      it.close(); // returns after the grace, without the failure
      releaseCleanup.countDown();
      await().until(() -> !records.isEmpty());
      assertThat(records.get(0).getLevel()).isEqualTo(java.util.logging.Level.WARNING);
      assertThat(records.get(0).getThrown()).hasMessage("could not release the connection");
    } finally {
      log.removeHandler(handler);
    }
  }

  @Test
  void failureBeforeClose_isNotReportedByClose() {
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          ctx.send(1);
          throw new IllegalStateException("stream failure nobody read");
        });
    ProducerIterator<Integer, Void> it = p.iterator();
    it.next();
    await().until(() -> !threads.anyAlive());
    it.close(); // does not throw: the consumer chose to stop before reading it
  }

  @Test
  void interruptedConsumer_getsCallInterrupted_andCancelsTheProducer() throws Exception {
    AtomicBoolean cleaned = new AtomicBoolean();
    CountDownLatch never = new CountDownLatch(1);
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          try {
            ctx.started();
            never.await(); // produces nothing
          } finally {
            cleaned.set(true);
          }
        });
    ProducerIterator<Integer, Void> it = p.iterator();
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread consumer =
        Thread.ofPlatform().start(() -> {
          try {
            it.hasNext();
            outcome.complete(null);
          } catch (Throwable t) {
            outcome.complete(Thread.currentThread().isInterrupted() ? t : new AssertionError(t));
          }
        });
    await().until(() -> consumer.getState() == Thread.State.WAITING);
    consumer.interrupt();
    assertThat(outcome.get()).isInstanceOf(CallInterruptedException.class);
    consumer.join();
    await().until(cleaned::get);
    assertThatThrownBy(it::hasNext).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void closeFromAnotherThread_wakesTheBlockedConsumer() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          never.await();
        });
    ProducerIterator<Integer, Void> it = p.iterator();
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread consumer =
        Thread.ofPlatform().start(() -> {
          try {
            it.hasNext();
            outcome.complete(null);
          } catch (Throwable t) {
            outcome.complete(t);
          }
        });
    await().until(() -> consumer.getState() == Thread.State.WAITING);
    it.close();
    assertThat(outcome.get())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed by another thread");
    consumer.join();
    assertNoProducerThread();
  }

  @Test
  @SuppressWarnings("try")
  void blockingConsumer_onAThreadThatMustNotBlock_failsInsteadOfParking() throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          never.await();
        });
    try (BlockingGuard.Registration r =
            BlockingGuard.register("a test loop", t -> t.getName().equals("test-loop"));
        ProducerIterator<Integer, Void> it = p.iterator()) {
      CompletableFuture<Throwable> outcome = new CompletableFuture<>();
      Thread loop =
          Thread.ofPlatform().name("test-loop").start(() -> {
            try {
              it.hasNext();
              outcome.complete(null);
            } catch (Throwable t) {
              outcome.complete(t);
            }
          });
      assertThat(outcome.get()).isInstanceOf(BlockingNotAllowedException.class);
      loop.join();
    }
    assertNoProducerThread();
  }

  // ---- streams ----

  @Test
  void stream_collectsEverything_andClosesTheRun() {
    try (Stream<Integer> s = counting(5).stream()) {
      assertThat(s.map(i -> i * 2).collect(Collectors.toList())).containsExactly(0, 2, 4, 6, 8);
    }
    assertNoProducerThread();
  }

  @Test
  void stream_partialThenClose_cancelsTheProducer() {
    AtomicBoolean cleaned = new AtomicBoolean();
    Producer<Integer, Void> infinite =
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
    try (Stream<Integer> s = infinite.stream()) {
      assertThat(s.limit(3).collect(Collectors.toList())).containsExactly(0, 1, 2);
    }
    assertThat(cleaned).isTrue();
    assertNoProducerThread();
  }

  @Test
  void iteratorStream_afterSetup_streamsTheItems() {
    Producer<String, Integer> p =
        producer().build(ctx -> {
          ctx.started(3);
          IntStream.range(0, 3).forEach(i -> ctx.send("row" + i));
        });
    try (ProducerIterator<String, Integer> it = p.iterator();
        Stream<String> rows = it.stream()) {
      assertThat(it.setup()).isEqualTo(3);
      assertThat(rows).containsExactly("row0", "row1", "row2");
    }
    assertNoProducerThread();
  }

  // ---- async specifics ----

  @Test
  void async_pendingHasNext_isCompletedOnTheProducersThread() {
    CountDownLatch go = new CountDownLatch(1);
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          go.await();
          ctx.send(7);
        });
    AsyncProducerIterator<Integer, Void> it = p.asyncIterator();
    CompletionStage<Boolean> pending = it.hasNext();
    assertThat(pending.toCompletableFuture()).isNotDone();
    AtomicReference<Thread> continuedOn = new AtomicReference<>();
    CompletionStage<Integer> item =
        pending.thenApply(more -> {
          continuedOn.set(Thread.currentThread());
          return it.next();
        });
    go.countDown();
    assertThat(done(item)).isEqualTo(7);
    assertThat(continuedOn.get()).isSameAs(threads.last());
    assertThat(done(it.hasNext())).isFalse();
    done(it.close());
  }

  @Test
  void async_cancellingSetup_cancelsTheProducer() {
    AtomicBoolean cleaned = new AtomicBoolean();
    CountDownLatch never = new CountDownLatch(1);
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          try {
            never.await(); // a setup that never finishes
            ctx.started();
          } finally {
            cleaned.set(true);
          }
        });
    AsyncProducerIterator<Integer, Void> it = p.asyncIterator();
    CompletionStage<Void> setup = it.setup();
    await()
        .until(() -> threads.created() == 1
            && threads.last().getState() == Thread.State.WAITING);
    assertThat(setup.toCompletableFuture().cancel(true)).isTrue();
    await().until(cleaned::get);
    assertThat(done(it.hasNext().exceptionally(e -> false))).isFalse();
  }

  @Test
  void async_closeWhileHasNextPending_failsIt_andCancels() {
    CountDownLatch never = new CountDownLatch(1);
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          never.await();
        });
    AsyncProducerIterator<Integer, Void> it = p.asyncIterator();
    CompletionStage<Boolean> pending = it.hasNext();
    await().until(() -> threads.last().getState() == Thread.State.WAITING);
    CompletionStage<Void> closing = it.close();
    assertThatThrownBy(() -> done(pending))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed while hasNext() was pending");
    done(closing);
    assertThat(it.close()).isSameAs(closing);
    assertThatThrownBy(() -> done(it.hasNext())).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void async_nextWithoutHasNext_throwsNoSuchElement() {
    AsyncProducerIterator<Integer, Void> it = counting(1).asyncIterator();
    assertThatThrownBy(it::next).isInstanceOf(NoSuchElementException.class);
    done(it.close());
  }
}
