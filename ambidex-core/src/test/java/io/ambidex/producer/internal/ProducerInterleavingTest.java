package io.ambidex.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.producer.AsyncProducerIterator;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interleavings of the ring buffer's async view forced step by step on one thread: the test plays
 * the body by calling the two halves of a delivery (publish, then wake) itself, and the consumer
 * in between. The thread the run starts does nothing, so no other thread touches the run.
 */
@Timeout(10)
class ProducerInterleavingTest {

  private static BufferedRun<Integer, Void> idleRun(int bufferSize) {
    // The run's body never runs: its "thread" is an empty one. The test delivers instead.
    return new BufferedRun<>(ctx -> {}, task -> new Thread(() -> {}), bufferSize, Duration.ZERO);
  }

  /*
   * The race that failed ProducerStressTest.asyncConsumer_randomRun (seed 21) under load: the body
   * publishes item 1; before its wake reads `waiting`, the consumer sees item 1 by itself, takes
   * it and asks again, registering a pending hasNext() at head 2. The late wake of item 1 then
   * found that pending hasNext(), and answered it with true; next() threw NoSuchElementException.
   */
  @Test
  void asyncHasNext_registeredAfterTheConsumerTookTheItem_waitsForTheNextItem() {
    BufferedRun<Integer, Void> run = idleRun(4);
    AsyncProducerIterator<Integer, Void> it = run.async();

    CompletableFuture<Boolean> first = it.hasNext().toCompletableFuture();
    assertThat(first).isNotDone();
    run.publish(0);
    run.wakeForItem();
    assertThat(first).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(0);

    run.publish(1); // its wake is late
    assertThat(it.hasNext().toCompletableFuture()).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(1);
    CompletableFuture<Boolean> second = it.hasNext().toCompletableFuture();
    assertThat(second).isNotDone();

    run.wakeForItem(); // item 1's wake, after the consumer took item 1
    assertThat(second).as("a pending hasNext() answered by an item already taken").isNotDone();

    run.publish(2);
    run.wakeForItem();
    assertThat(second).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(2);
  }

  @Test
  void asyncHasNext_lateWakeOfTheLastItem_thenTheEnd_answersFalse() {
    BufferedRun<Integer, Void> run = idleRun(2);
    AsyncProducerIterator<Integer, Void> it = run.async();
    assertThat(it.hasNext().toCompletableFuture()).isNotDone();

    run.publish(7); // the pending hasNext() above is still registered: this wake answers it
    run.wakeForItem();
    assertThat(it.next()).isEqualTo(7);
    run.publish(8);
    assertThat(it.hasNext().toCompletableFuture()).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(8);
    CompletableFuture<Boolean> last = it.hasNext().toCompletableFuture();

    run.wakeForItem(); // item 8's late wake: nothing to say yet
    assertThat(last).isNotDone();
    run.publishEnd(null);
    assertThat(last).isCompletedWithValue(false);
    // Held to the end: an iterator found unreachable is abandoned, which fails what it left pending.
    Reference.reachabilityFence(it);
  }

  @Test
  void asyncHasNext_endPublishedWithAnItemUntaken_answersTrueThenFalse() {
    BufferedRun<Integer, Void> run = idleRun(2);
    AsyncProducerIterator<Integer, Void> it = run.async();
    CompletableFuture<Boolean> pending = it.hasNext().toCompletableFuture();

    run.publish(1); // no wake: the end's wake must still report the item first
    run.publishEnd(null);
    assertThat(pending).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(1);
    assertThat(it.hasNext().toCompletableFuture()).isCompletedWithValue(false);
  }

  /*
   * A close() that lands while hasNext() starts the body (here: from the thread factory, which
   * hasNext() calls) found no pending hasNext() to fail. hasNext() must see the close: with a body
   * that never started it would otherwise wait forever, and with one that did, it was answered
   * with the body's ProducerCancelledException instead of the close.
   */
  @Test
  void asyncHasNext_closedWhileItStartsTheBody_failsAsClosed() {
    AtomicReference<AsyncProducerIterator<Integer, Void>> iterator = new AtomicReference<>();
    BufferedRun<Integer, Void> run =
        new BufferedRun<>(
            ctx -> {
              ctx.started();
              ctx.send(1);
            },
            task -> {
              iterator.get().close();
              return Thread.ofVirtual().unstarted(task);
            },
            4,
            Duration.ZERO);
    AsyncProducerIterator<Integer, Void> it = run.async();
    iterator.set(it);

    CompletableFuture<Boolean> first = it.hasNext().toCompletableFuture();

    await().atMost(Duration.ofSeconds(5)).until(first::isDone);
    assertThatThrownBy(first::join)
        .hasCauseInstanceOf(IllegalStateException.class)
        .cause()
        .hasMessage("The producer iterator was closed while hasNext() was pending");
  }
}
