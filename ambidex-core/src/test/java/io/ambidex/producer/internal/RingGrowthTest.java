package io.ambidex.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ambidex.producer.AsyncProducerIterator;
import io.ambidex.producer.ProducerIterator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ring's memory follows what is buffered, up to the buffer size: a large bufferSize is a cap,
 * not an allocation.
 */
@Timeout(60)
class RingGrowthTest {

  private static BufferedRun<Integer, Void> idleRun(int bufferSize, int firstSize) {
    return new BufferedRun<>(
        ctx -> {}, task -> new Thread(() -> {}), bufferSize, Duration.ZERO, firstSize);
  }

  @Test
  void largestBufferSize_oneItemStream_allocatesASmallRing() {
    BufferedRun<Integer, Void> run =
        new BufferedRun<>(ctx -> {
          ctx.started();
          ctx.send(42);
        }, Thread.ofVirtual().factory(), 1 << 30, Duration.ofSeconds(1));
    assertThat(run.ringLengths()).containsOnly(BufferedRun.PREALLOCATED + 1);
    try (ProducerIterator<Integer, Void> it = run.blocking()) {
      assertThat(it.next()).isEqualTo(42);
      assertThat(it.hasNext()).isFalse();
    }
    assertThat(run.ringLengths()).containsOnly(BufferedRun.PREALLOCATED + 1);
  }

  @Test
  void defaultSizes_areAllocatedWhole_andNeverGrow() {
    assertThat(idleRun(256, BufferedRun.PREALLOCATED).ringLengths()).containsOnly(256);
    assertThat(idleRun(1000, BufferedRun.PREALLOCATED).ringLengths()).containsOnly(1024);
    assertThat(idleRun(1, BufferedRun.PREALLOCATED).ringLengths()).containsOnly(1);
  }

  @Test
  void bodyAhead_ringGrowsWithWhatIsBuffered_consumerFollowsTheJumps_inOrder() {
    int n = 20_000;
    BufferedRun<Integer, Void> run =
        new BufferedRun<>(ctx -> {
          ctx.started();
          for (int i = 0; i < n; i++) {
            ctx.send(i);
          }
        }, Thread.ofVirtual().factory(), 1 << 30, Duration.ofSeconds(1));
    try (ProducerIterator<Integer, Void> it = run.blocking()) {
      assertThat(it.next()).isZero(); // grants 2^30: the body sends everything ahead
      await().atMost(Duration.ofSeconds(30)).until(() -> run.ended);
      // 20,000 items buffered at most, spread over arrays of 1024, 2048, ... slots (each holds
      // the items from its jump on): the body's array is far from 2^30.
      assertThat(run.ringLengths()[0]).isGreaterThan(BufferedRun.PREALLOCATED + 1)
          .isLessThanOrEqualTo(32_768 + 1);
      int bodyArray = run.ringLengths()[0];
      for (int i = 1; i < n; i++) {
        assertThat(it.next()).isEqualTo(i);
      }
      assertThat(it.hasNext()).isFalse();
      assertThat(run.ringLengths()[1]).as("the consumer followed").isEqualTo(bodyArray);
    }
  }

  /* The growth step by step on one thread: the consumer meets each JUMP between two items. */
  @Test
  void growth_stepByStep_interleavedWithTheConsumer_keepsOrder() {
    BufferedRun<Integer, Void> run = idleRun(16, 2);
    AsyncProducerIterator<Integer, Void> it = run.async();
    CompletableFuture<Boolean> first = it.hasNext().toCompletableFuture();
    int sent = 0;
    int taken = 0;
    run.publish(sent++);
    run.wakeForItem();
    assertThat(first).isCompletedWithValue(true);
    assertThat(it.next()).isEqualTo(taken++);
    assertThat(run.ringLengths()).containsExactly(3, 3);
    // Fill ahead: 9 unread items need arrays of 2, 4, then 8 slots (each plus its link slot).
    for (int i = 0; i < 9; i++) {
      run.publish(sent++);
    }
    assertThat(run.ringLengths()).containsExactly(9, 3);
    // 15 unread: the last array, 16 slots, no link slot.
    for (int i = 0; i < 6; i++) {
      run.publish(sent++);
    }
    assertThat(run.ringLengths()).containsExactly(16, 3);
    // Take some, send more, interleaved.
    for (int round = 0; round < 40; round++) {
      assertThat(it.hasNext().toCompletableFuture()).isCompletedWithValue(true);
      assertThat(it.next()).isEqualTo(taken++);
      if (round % 3 != 0) {
        run.publish(sent++);
      }
      if (taken == sent) {
        break;
      }
    }
    while (taken < sent) {
      assertThat(it.hasNext().toCompletableFuture()).isCompletedWithValue(true);
      assertThat(it.next()).isEqualTo(taken++);
    }
    assertThat(run.ringLengths()).containsExactly(16, 16);
  }

  /* The ring grows also when the consumer keeps up, only as far as the unread items need. */
  @Test
  void consumerKeepsUp_ringDoesNotGrow() {
    BufferedRun<Integer, Void> run = idleRun(1 << 20, 4);
    AsyncProducerIterator<Integer, Void> it = run.async();
    CompletableFuture<Boolean> first = it.hasNext().toCompletableFuture();
    run.publish(0);
    run.wakeForItem();
    assertThat(first).isCompletedWithValue(true);
    assertThat(it.next()).isZero();
    for (int i = 1; i < 10_000; i++) {
      run.publish(i);
      run.publish(-i);
      assertThat(it.hasNext().toCompletableFuture()).isCompletedWithValue(true);
      assertThat(it.next()).isEqualTo(i);
      assertThat(it.hasNext().toCompletableFuture()).isCompletedWithValue(true);
      assertThat(it.next()).isEqualTo(-i);
    }
    assertThat(run.ringLengths()).containsExactly(5, 5);
  }
}
