package io.ambidex.stream;

import io.ambidex.CallFuture;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.stream.CloseableIterator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.testing.ManualPublisher;
import io.ambidex.testing.RecordingSource;
import io.ambidex.testing.RecordingSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.SubmissionPublisher;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The Flow bridges: {@code toPublisher} and {@code fromPublisher}. The TCK runs separately. */
@Timeout(60)
class FlowBridgeTest {
  private static final int MILLION = 1_000_000;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private static Throwable failureOf(CompletionStage<?> stage) throws Exception {
    try {
      stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      return e.getCause();
    } catch (CancellationException e) {
      return e;
    }
    throw new AssertionError("stage did not fail: " + stage);
  }

  private static List<Integer> range(int n) {
    return IntStream.range(0, n).boxed().toList();
  }

  // ---- toPublisher: demand and look-ahead ----

  @Test
  void toPublisher_subscribedWithoutDemand_looksOneItemAheadAndEmitsNothing() {
    RecordingSource<Integer> source = RecordingSource.sync(5);
    Flow.Publisher<Integer> publisher = AsyncIterators.toPublisher(source);
    assertThat(source.hasNextCalls()).as("nothing before subscribe").isZero();
    RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
    publisher.subscribe(subscriber);
    assertThat(source.hasNextCalls()).isEqualTo(1);
    assertThat(source.nextCalls()).isZero();
    assertThat(subscriber.items()).isEmpty();
  }

  @Test
  void toPublisher_requestInSteps_emitsExactlyTheDemandThenCompletesAfterClosing() throws Exception {
    RecordingSource<Integer> source = RecordingSource.async(executor, 5);
    RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
    AtomicInteger closeCallsAtCompletion = new AtomicInteger(-1);
    AsyncIterators.toPublisher(source)
        .subscribe(
            new Flow.Subscriber<Integer>() {
              @Override
              public void onSubscribe(Flow.Subscription s) {
                subscriber.onSubscribe(s);
              }

              @Override
              public void onNext(Integer item) {
                subscriber.onNext(item);
              }

              @Override
              public void onError(Throwable t) {
                subscriber.onError(t);
              }

              @Override
              public void onComplete() {
                closeCallsAtCompletion.set(source.closeCalls());
                subscriber.onComplete();
              }
            });
    subscriber.request(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> subscriber.items().size() == 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> source.hasNextCalls() == 3);
    assertThat(subscriber.items()).containsExactly(0, 1);
    assertThat(source.nextCalls()).as("no item taken without demand").isEqualTo(2);
    subscriber.request(10);
    assertThat(subscriber.awaitTerminal()).isNull();
    assertThat(subscriber.items()).isEqualTo(range(5));
    assertThat(closeCallsAtCompletion).as("closed before onComplete").hasValue(1);
    assertThat(subscriber.violations()).isZero();
  }

  @Test
  void toPublisher_emptySource_completesWithoutAnyRequest() throws Exception {
    RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
    AsyncIterators.toPublisher(AsyncIterators.<Integer>empty()).subscribe(subscriber);
    assertThat(subscriber.awaitTerminal()).isNull();
    assertThat(subscriber.isCompleted()).isTrue();
  }

  @Test
  void toPublisher_failedSource_signalsTheErrorWithoutRequestAfterClosingTheSource()
      throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    RecordingSource<Integer> source = RecordingSource.sync(3).failingAt(0, boom);
    RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
    AsyncIterators.toPublisher(source).subscribe(subscriber);
    assertThat(subscriber.awaitTerminal()).isSameAs(boom);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void toPublisher_failureAfterItems_itemsFirstThenTheError() throws Exception {
    IllegalStateException boom = new IllegalStateException("boom");
    RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
    AsyncIterators.toPublisher(RecordingSource.async(executor, 9).failingAt(4, boom))
        .subscribe(subscriber);
    subscriber.request(Long.MAX_VALUE);
    assertThat(subscriber.awaitTerminal()).isSameAs(boom);
    assertThat(subscriber.items()).containsExactly(0, 1, 2, 3);
  }

  @Test
  void toPublisher_asyncStageCompletes_signalsOnTheCompletingThreadWithNoThreadOfItsOwn()
      throws Exception {
    RecordingSource<Integer> source = RecordingSource.manual(1);
    RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
    AsyncIterators.toPublisher(source).subscribe(subscriber);
    subscriber.request(1);
    assertThat(subscriber.items()).isEmpty();
    AtomicReference<Thread> releaser = new AtomicReference<>();
    executor
        .submit(
            () -> {
              releaser.set(Thread.currentThread());
              source.release();
            })
        .get(10, TimeUnit.SECONDS);
    assertThat(subscriber.items()).containsExactly(0);
    assertThat(subscriber.threads()).containsExactly(releaser.get());
  }

  // ---- toPublisher: cancel and close ----

  @Test
  void toPublisher_cancelWhileAFetchIsInFlight_closesTheSourceAndCancelsTheFetch() {
    RecordingSource<Integer> source = RecordingSource.manual(10);
    RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
    AsyncIterators.toPublisher(source).subscribe(subscriber);
    subscriber.request(5);
    source.release();
    assertThat(subscriber.items()).containsExactly(0);
    subscriber.cancel();
    assertThat(source.closeCalls()).isEqualTo(1);
    assertThat(source.inFlightAtClose()).containsExactly(2);
    subscriber.request(5);
    subscriber.cancel();
    assertThat(source.closeCalls()).isEqualTo(1);
    assertThat(subscriber.isTerminated()).as("no signal after cancel").isFalse();
    assertThat(source.callsAfterClose()).isZero();
  }

  @Test
  void toPublisher_subscriberThrowsFromOnNext_cancelsAndClosesTheSource() {
    RecordingSource<Integer> source = RecordingSource.sync(10);
    AtomicInteger received = new AtomicInteger();
    AsyncIterators.toPublisher(source)
        .subscribe(
            new Flow.Subscriber<Integer>() {
              @Override
              public void onSubscribe(Flow.Subscription s) {
                s.request(10);
              }

              @Override
              public void onNext(Integer item) {
                received.incrementAndGet();
                throw new IllegalStateException("subscriber bug");
              }

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onComplete() {}
            });
    assertThat(received).hasValue(1);
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void toPublisher_closeFailsAtTheEnd_signalsTheClosesFailureInsteadOfCompletion()
      throws Exception {
    IllegalStateException closeFailure = new IllegalStateException("close failed");
    RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
    AsyncIterators.toPublisher(
            RecordingSource.sync(2).closingWith(CompletableFuture.failedFuture(closeFailure)))
        .subscribe(subscriber);
    subscriber.request(5);
    assertThat(subscriber.awaitTerminal()).isSameAs(closeFailure);
    assertThat(subscriber.items()).containsExactly(0, 1);
  }

  @Test
  void toPublisher_closeCompletesLater_terminalSignalWaitsForIt() throws Exception {
    CompletableFuture<Void> closing = new CompletableFuture<>();
    RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
    AsyncIterators.toPublisher(RecordingSource.sync(1).closingWith(closing)).subscribe(subscriber);
    subscriber.request(1);
    assertThat(subscriber.items()).containsExactly(0);
    assertThat(subscriber.isTerminated()).isFalse();
    closing.complete(null);
    assertThat(subscriber.awaitTerminal()).isNull();
  }

  // ---- toPublisher: misuse ----

  @Test
  void toPublisher_secondSubscription_getsOnSubscribeThenIllegalState() throws Exception {
    Flow.Publisher<Integer> publisher = AsyncIterators.toPublisher(RecordingSource.sync(3));
    RecordingSubscriber<Integer> first = new RecordingSubscriber<>();
    RecordingSubscriber<Integer> second = new RecordingSubscriber<>();
    publisher.subscribe(first);
    publisher.subscribe(second);
    assertThat(second.subscription()).isNotNull();
    assertThat(second.awaitTerminal())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("can be subscribed to once")
        .hasMessageContaining("toPublisher(Supplier)");
    first.request(3);
    assertThat(first.items()).containsExactly(0, 1, 2);
  }

  @Test
  void toPublisher_supplier_eachSubscriberGetsItsOwnSource() throws Exception {
    List<RecordingSource<Integer>> opened = new ArrayList<>();
    Flow.Publisher<Integer> publisher =
        AsyncIterators.toPublisher(
            () -> {
              RecordingSource<Integer> s = RecordingSource.sync(3);
              opened.add(s);
              return s;
            });
    RecordingSubscriber<Integer> a = new RecordingSubscriber<>();
    RecordingSubscriber<Integer> b = new RecordingSubscriber<>();
    publisher.subscribe(a);
    publisher.subscribe(b);
    a.request(10);
    b.request(1);
    assertThat(a.awaitTerminal()).isNull();
    assertThat(a.items()).containsExactly(0, 1, 2);
    assertThat(b.items()).containsExactly(0);
    assertThat(opened).hasSize(2);
  }

  @Test
  void toPublisher_supplierFailsOrReturnsNull_subscriberGetsOnSubscribeThenTheError()
      throws Exception {
    IllegalStateException boom = new IllegalStateException("cannot open");
    RecordingSubscriber<Integer> a = new RecordingSubscriber<>();
    AsyncIterators.<Integer>toPublisher(
            () -> {
              throw boom;
            })
        .subscribe(a);
    assertThat(a.subscription()).isNotNull();
    assertThat(a.awaitTerminal()).isSameAs(boom);
    RecordingSubscriber<Integer> b = new RecordingSubscriber<>();
    AsyncIterators.<Integer>toPublisher(() -> null).subscribe(b);
    assertThat(b.awaitTerminal()).isInstanceOf(NullPointerException.class);
  }

  @Test
  void toPublisher_requestZeroOrNegative_signalsIllegalArgumentCitingRule39AndClosesTheSource()
      throws Exception {
    for (long n : new long[] {0, -7}) {
      RecordingSource<Integer> source = RecordingSource.sync(3);
      RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
      AsyncIterators.toPublisher(source).subscribe(subscriber);
      subscriber.request(n);
      assertThat(subscriber.awaitTerminal())
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("rule 3.9")
          .hasMessageContaining("but n was " + n);
      assertThat(source.closeCalls()).isEqualTo(1);
    }
  }

  @Test
  void toPublisher_sourceYieldsNull_signalsNullPointerCitingRule213() throws Exception {
    RecordingSubscriber<String> subscriber = new RecordingSubscriber<>();
    AsyncIterators.toPublisher(AsyncIterators.of("a", null, "c")).subscribe(subscriber);
    subscriber.request(3);
    assertThat(subscriber.awaitTerminal())
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("Item 1")
        .hasMessageContaining("2.13");
    assertThat(subscriber.items()).containsExactly("a");
  }

  @Test
  void toPublisher_nullArguments_failAtTheCall() {
    assertThatThrownBy(() -> AsyncIterators.toPublisher((AsyncIterator<Integer>) null))
        .hasMessage("source");
    assertThatThrownBy(() -> AsyncIterators.toPublisher(AsyncIterators.empty()).subscribe(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("subscriber");
  }

  // ---- toPublisher: stack safety and concurrency ----

  @Test
  void toPublisher_millionSyncItemsRequestedOneAtATimeFromOnNext_noStackOverflowOnOneThread()
      throws Exception {
    RecordingSource<Integer> source = RecordingSource.sync(MILLION);
    AtomicInteger count = new AtomicInteger();
    Thread caller = Thread.currentThread();
    AtomicInteger otherThreads = new AtomicInteger();
    CompletableFuture<Void> done = new CompletableFuture<>();
    AsyncIterators.toPublisher(source)
        .subscribe(
            new Flow.Subscriber<Integer>() {
              private Flow.Subscription s;

              @Override
              public void onSubscribe(Flow.Subscription s) {
                this.s = s;
                s.request(1);
              }

              @Override
              public void onNext(Integer item) {
                count.incrementAndGet();
                if (Thread.currentThread() != caller) {
                  otherThreads.incrementAndGet();
                }
                s.request(1);
              }

              @Override
              public void onError(Throwable t) {
                done.completeExceptionally(t);
              }

              @Override
              public void onComplete() {
                done.complete(null);
              }
            });
    assertThat(done).as("finished during subscribe()").isCompleted();
    assertThat(count).hasValue(MILLION);
    assertThat(otherThreads).hasValue(0);
  }

  @Test
  void toPublisher_requestsFromManyThreadsAtOnce_serialSignalsEveryItemOnceInOrder()
      throws Exception {
    int items = 20_000;
    RecordingSource<Integer> source = RecordingSource.async(executor, items);
    RecordingSubscriber<Integer> subscriber = new RecordingSubscriber<>();
    AsyncIterators.toPublisher(source).subscribe(subscriber);
    CountDownLatch start = new CountDownLatch(1);
    List<java.util.concurrent.Future<?>> requesters = new ArrayList<>();
    for (int t = 0; t < 3; t++) {
      requesters.add(
          executor.submit(
              () -> {
                start.await();
                for (int i = 0; i < items; i++) {
                  subscriber.request(1);
                }
                return null;
              }));
    }
    start.countDown();
    for (java.util.concurrent.Future<?> f : requesters) {
      f.get(30, TimeUnit.SECONDS);
    }
    assertThat(subscriber.awaitTerminal()).isNull();
    assertThat(subscriber.items()).isEqualTo(range(items));
    assertThat(subscriber.violations()).isZero();
    assertThat(source.callsAfterClose()).isZero();
  }

  // ---- fromPublisher ----

  @Test
  void fromPublisher_beforeTheFirstHasNext_doesNotSubscribe() {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher);
    assertThat(publisher.subscribeCalls()).isZero();
    it.hasNext();
    assertThat(publisher.subscribeCalls()).isEqualTo(1);
    it.hasNext();
    assertThat(publisher.subscribeCalls()).isEqualTo(1);
  }

  @Test
  void fromPublisher_defaultPrefetch_requests256ThenRefillsByHalfAsItemsAreTaken() {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher);
    it.hasNext();
    assertThat(publisher.requests()).containsExactly(256L);
    publisher.emitDemand(i -> (int) i);
    for (int i = 0; i < 127; i++) {
      assertThat(it.hasNext()).isCompletedWithValue(true);
      assertThat(it.next()).isEqualTo(i);
    }
    assertThat(publisher.requests()).containsExactly(256L);
    it.hasNext();
    it.next();
    assertThat(publisher.requests()).containsExactly(256L, 128L);
  }

  @Test
  void fromPublisher_prefetch8_neverHasMoreThan8ItemsRequestedAndNotTaken() {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher, 8);
    int taken = 0;
    long maxOutstanding = 0;
    it.hasNext();
    while (taken < 1000) {
      publisher.emitDemand(i -> (int) i);
      maxOutstanding = Math.max(maxOutstanding, publisher.requested() - taken);
      int burst = 1 + taken % 5;
      for (int k = 0; k < burst; k++) {
        assertThat(it.hasNext()).isCompletedWithValue(true);
        assertThat(it.next()).isEqualTo(taken++);
      }
    }
    assertThat(maxOutstanding).isLessThanOrEqualTo(8);
    assertThat(publisher.requests()).startsWith(8L).allMatch(n -> n == 8L || n == 4L);
  }

  @Test
  void fromPublisher_noBufferedItem_hasNextCompletesOnThePublishersThread() throws Exception {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher);
    CompletionStage<Boolean> pending = it.hasNext();
    assertThat(pending.toCompletableFuture()).isNotDone();
    AtomicReference<Thread> completedOn = new AtomicReference<>();
    pending.thenRun(() -> completedOn.set(Thread.currentThread()));
    AtomicReference<Thread> publisherThread = new AtomicReference<>();
    executor
        .submit(
            () -> {
              publisherThread.set(Thread.currentThread());
              publisher.emit(42);
            })
        .get(10, TimeUnit.SECONDS);
    assertThat(pending.toCompletableFuture()).isCompletedWithValue(true);
    assertThat(completedOn.get()).isSameAs(publisherThread.get());
    assertThat(it.next()).isEqualTo(42);
  }

  @Test
  void fromPublisher_nextWithoutHasNextTrue_throwsNoSuchElementEvenWithItemsBuffered() {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher);
    CompletionStage<Boolean> pending = it.hasNext();
    assertThatThrownBy(it::next).isInstanceOf(java.util.NoSuchElementException.class);
    publisher.emit(1, 2);
    assertThat(pending.toCompletableFuture()).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(1);
    assertThatThrownBy(it::next)
        .isInstanceOf(java.util.NoSuchElementException.class)
        .hasMessageContaining("no item is available");
    assertThat(it.hasNext()).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(2);
  }

  @Test
  void fromPublisher_itemsThenError_deliversTheItemsFirstThenFailsEveryTime() throws Exception {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher);
    it.hasNext();
    IllegalStateException boom = new IllegalStateException("upstream failed");
    publisher.emit(1, 2);
    publisher.fail(boom);
    assertThat(it.hasNext()).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(1);
    assertThat(it.hasNext()).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(2);
    assertThat(failureOf(it.hasNext())).isSameAs(boom);
    assertThat(failureOf(it.hasNext())).isSameAs(boom);
  }

  @Test
  void fromPublisher_completeWhileWaiting_hasNextCompletesWithFalse() {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher);
    CompletionStage<Boolean> pending = it.hasNext();
    publisher.complete();
    assertThat(pending.toCompletableFuture()).isCompletedWithValue(false);
    assertThat(it.hasNext()).isCompletedWithValue(false);
  }

  @Test
  void fromPublisher_closedWhileWaiting_cancelsTheSubscriptionAndThePendingHasNext()
      throws Exception {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher);
    CompletionStage<Boolean> pending = it.hasNext();
    assertThat(it.close()).isCompleted();
    assertThat(publisher.cancels()).isEqualTo(1);
    assertThat(failureOf(pending)).isInstanceOf(CancellationException.class);
    publisher.emit(1); // rule 2.8: may still arrive, and is dropped
    assertThatThrownBy(it::hasNext)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("must not be used after close()");
    it.close();
    assertThat(publisher.cancels()).isEqualTo(1);
  }

  @Test
  void fromPublisher_closedBeforeTheSubscriptionArrives_cancelsItOnArrival() {
    ManualPublisher<Integer> publisher = ManualPublisher.subscribingLater();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher);
    it.hasNext();
    it.close();
    assertThat(publisher.cancels()).isZero();
    publisher.sendOnSubscribe();
    assertThat(publisher.cancels()).isEqualTo(1);
    assertThat(publisher.requests()).isEmpty();
  }

  @Test
  void fromPublisher_secondOnSubscribe_isCancelledPerRule25() {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher);
    it.hasNext();
    AtomicInteger secondCancelled = new AtomicInteger();
    publisher
        .subscriber()
        .onSubscribe(
            new Flow.Subscription() {
              @Override
              public void request(long n) {
                throw new AssertionError("the second subscription must not be used");
              }

              @Override
              public void cancel() {
                secondCancelled.incrementAndGet();
              }
            });
    assertThat(secondCancelled).hasValue(1);
    assertThat(publisher.cancels()).isZero();
  }

  @Test
  void fromPublisher_prefetchIntegerMaxValue_buffersWhatArrivesWithoutAllocatingThePrefetch()
      throws Exception {
    // "No limit" written as Integer.MAX_VALUE: a cap on the buffer, not its size.
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher, Integer.MAX_VALUE);
    CallFuture<List<Integer>> all = AsyncIterators.collect(it, Collectors.toList());
    assertThat(publisher.requests()).containsExactly((long) Integer.MAX_VALUE);
    publisher.emit(1, 2, 3);
    publisher.complete();
    assertThat(all.get(10, TimeUnit.SECONDS)).containsExactly(1, 2, 3);
  }

  @Test
  void fromPublisher_hugePrefetch_manyItemsBufferedThenTakenInOrder() {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher, 1 << 28);
    it.hasNext();
    for (int i = 0; i < 10_000; i++) {
      publisher.emit(i);
    }
    for (int i = 0; i < 10_000; i++) {
      assertThat(it.hasNext()).isCompletedWithValue(true);
      assertThat(it.next()).isEqualTo(i);
    }
    CompletableFuture<Boolean> waiting = it.hasNext().toCompletableFuture();
    assertThat(waiting).isNotDone();
    publisher.complete();
    assertThat(waiting).isCompletedWithValue(false);
  }

  @Test
  void fromPublisher_moreThanRequestedAfterSomeWereTaken_failsCitingRule11() throws Exception {
    // The buffer has room again, but the demand does not: an item beyond it is still a breach.
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher, 4);
    it.hasNext();
    publisher.emit(1, 2, 3, 4);
    assertThat(it.next()).isEqualTo(1);
    publisher.emit(5);
    assertThat(publisher.cancels()).isEqualTo(1);
    for (int i = 2; i <= 4; i++) {
      assertThat(it.hasNext()).isCompletedWithValue(true);
      assertThat(it.next()).isEqualTo(i);
    }
    assertThat(failureOf(it.hasNext()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rule 1.1");
  }

  @Test
  void fromPublisher_publisherSendsMoreThanRequested_failsCitingRule11AndCancels()
      throws Exception {
    ManualPublisher<Integer> publisher = ManualPublisher.create();
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher, 2);
    it.hasNext();
    publisher.emit(1, 2, 3);
    assertThat(publisher.cancels()).isEqualTo(1);
    assertThat(it.next()).isEqualTo(1);
    it.hasNext();
    assertThat(it.next()).isEqualTo(2);
    assertThat(failureOf(it.hasNext()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("rule 1.1");
  }

  @Test
  void fromPublisher_subscribeThrows_hasNextFailsWithIt() throws Exception {
    IllegalStateException boom = new IllegalStateException("publisher broken");
    AsyncIterator<Integer> it =
        AsyncIterators.fromPublisher(
            s -> {
              throw boom;
            });
    assertThat(failureOf(it.hasNext())).isSameAs(boom);
  }

  @Test
  void fromPublisher_subscriptionRequestThrows_failsTheIterator() throws Exception {
    IllegalStateException boom = new IllegalStateException("request broken");
    AsyncIterator<Integer> it =
        AsyncIterators.fromPublisher(
            s ->
                s.onSubscribe(
                    new Flow.Subscription() {
                      @Override
                      public void request(long n) {
                        throw boom;
                      }

                      @Override
                      public void cancel() {}
                    }));
    assertThat(failureOf(it.hasNext())).isSameAs(boom);
  }

  @Test
  void fromPublisher_submissionPublisherOnAnotherThread_everyItemInOrder() throws Exception {
    int items = 100_000;
    SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>(executor, 64);
    try {
      AsyncIterator<Integer> it = AsyncIterators.fromPublisher(publisher, 32);
      List<Integer> seen = new ArrayList<>(items);
      CallFuture<Void> done = AsyncIterators.forEach(it, seen::add);
      await().atMost(Duration.ofSeconds(10)).until(() -> publisher.getNumberOfSubscribers() == 1);
      Future<?> producer =
          executor.submit(
              () -> {
                for (int i = 0; i < items; i++) {
                  publisher.submit(i);
                }
                publisher.close();
              });
      done.get(30, TimeUnit.SECONDS);
      producer.get(10, TimeUnit.SECONDS);
      assertThat(seen).isEqualTo(range(items));
    } finally {
      publisher.close();
    }
  }

  @Test
  void fromPublisher_submissionPublisherThroughTheBlockingIterator_everyItemInOrder()
      throws Exception {
    int items = 50_000;
    SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>(executor, 16);
    try {
      Future<?> producer =
          executor.submit(
              () -> {
                await().atMost(Duration.ofSeconds(10)).until(() -> publisher.getNumberOfSubscribers() == 1);
                for (int i = 0; i < items; i++) {
                  publisher.submit(i);
                }
                publisher.close();
              });
      List<Integer> seen;
      try (var stream = AsyncIterators.blockingStream(AsyncIterators.fromPublisher(publisher, 8))) {
        seen = stream.collect(Collectors.toList());
      }
      producer.get(10, TimeUnit.SECONDS);
      assertThat(seen).isEqualTo(range(items));
    } finally {
      publisher.close();
    }
  }

  @Test
  void fromPublisher_producerRacingABlockingConsumerWithTinyPrefetch_neverLosesOrInventsASignal()
      throws Exception {
    // The consumer waits again right after taking an item, while the producer is still signalling
    // about that item: a stale wake-up must hand the waiter back, not complete it.
    for (int round = 0; round < 20; round++) {
      int items = 20_000;
      int prefetch = 1 + round % 4;
      SubmissionPublisher<Integer> publisher = new SubmissionPublisher<>(executor, 4);
      try {
        Future<?> producer =
            executor.submit(
                () -> {
                  await().atMost(Duration.ofSeconds(10)).until(() -> publisher.getNumberOfSubscribers() == 1);
                  for (int i = 0; i < items; i++) {
                    publisher.submit(i);
                  }
                  publisher.close();
                });
        int count = 0;
        try (CloseableIterator<Integer> it =
            AsyncIterators.blockingIterator(AsyncIterators.fromPublisher(publisher, prefetch))) {
          while (it.hasNext()) {
            assertThat(it.next()).isEqualTo(count);
            count++;
          }
        }
        producer.get(10, TimeUnit.SECONDS);
        assertThat(count).isEqualTo(items);
      } finally {
        publisher.close();
      }
    }
  }

  @Test
  void roundTrip_millionSyncItemsThroughBothBridges_completeInlineOnOneThread() {
    RecordingSource<Integer> source = RecordingSource.sync(MILLION);
    AsyncIterator<Integer> back =
        AsyncIterators.fromPublisher(AsyncIterators.toPublisher(source), 16);
    CallFuture<Long> sum = AsyncIterators.fold(back, 0L, (s, i) -> s + i);
    assertThat(sum).isCompletedWithValue((long) MILLION * (MILLION - 1) / 2);
    assertThat(source.threads()).containsExactly(Thread.currentThread());
    assertThat(source.closeCalls()).isEqualTo(1);
  }

  @Test
  void roundTrip_consumerClosesEarly_cancelsThroughToTheSource() {
    RecordingSource<Integer> source = RecordingSource.sync(100);
    AsyncIterator<Integer> back = AsyncIterators.fromPublisher(AsyncIterators.toPublisher(source), 4);
    assertThat(back.hasNext()).isCompletedWithValue(true);
    back.next();
    back.close();
    assertThat(source.closeCalls()).isEqualTo(1);
    assertThat(source.taken()).isLessThanOrEqualTo(5);
  }

  @Test
  void fromPublisher_badArguments_failAtTheCall() {
    assertThatThrownBy(() -> AsyncIterators.fromPublisher(null)).hasMessage("publisher");
    assertThatThrownBy(() -> AsyncIterators.fromPublisher(ManualPublisher.create(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("prefetch must be at least 1, but was 0");
  }

  /*
   * A close() that lands after hasNext() checked `closed` but before it registered its waiter
   * found no waiter to cancel; hasNext() must see the close when it re-checks, or its stage never
   * completes (a compliant publisher sends nothing after cancel). Here the close comes from inside
   * subscribe(), which hasNext() calls between the two, so the interleaving is fixed.
   */
  @Test
  void fromPublisher_closedDuringTheFirstHasNext_cancelsItsStage() {
    AtomicReference<AsyncIterator<Integer>> iterator = new AtomicReference<>();
    AtomicInteger cancels = new AtomicInteger();
    Flow.Publisher<Integer> closesOnSubscribe =
        subscriber -> {
          iterator.get().close();
          subscriber.onSubscribe(
              new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {
                  cancels.incrementAndGet();
                }
              });
        };
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(closesOnSubscribe);
    iterator.set(it);

    CompletableFuture<Boolean> first = it.hasNext().toCompletableFuture();

    assertThat(first).as("a hasNext() the close raced with").isCancelled();
    assertThat(cancels).as("the subscription is cancelled").hasValue(1);
  }
}
