package io.ambidex.producer;

import io.ambidex.BlockingWait;
import io.ambidex.control.Async;
import io.ambidex.producer.AsyncProducerIterator;
import io.ambidex.producer.Producer;
import io.ambidex.producer.ProducerIterator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ambidex.testing.CountingVirtualThreadFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Seeded random runs of the ring buffer: buffer sizes, lengths, pauses on either side and early
 * closes vary with the seed; every run must deliver a gap-free prefix in order, run the body's
 * cleanup and leave no thread.
 */
@Timeout(60)
class ProducerStressTest {
  // 4097 and 2^30 make the ring grow (arrays of more than 1024 slots are not allocated whole).
  private static final int[] SIZES = {1, 2, 3, 5, 16, 100, 256, 1000, 4097, 1 << 30};

  private static void pause(Random random) {
    int spins = random.nextInt(200);
    for (int i = 0; i < spins; i++) {
      Thread.onSpinWait();
    }
    if (random.nextInt(50) == 0) {
      Thread.yield();
    }
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
  void blockingConsumer_randomRun_deliversAnOrderedPrefix_andCleansUp(long seed) {
    Random random = new Random(seed);
    CountingVirtualThreadFactory threads = new CountingVirtualThreadFactory("stress-");
    int size = SIZES[random.nextInt(SIZES.length)];
    int n = 1 + random.nextInt(20_000);
    int stopAt = random.nextBoolean() ? n : random.nextInt(n);
    long producerSeed = random.nextLong();
    AtomicBoolean cleaned = new AtomicBoolean();
    Producer<Integer, Integer> p =
        Producer.builder().threadFactory(threads).bufferSize(size).build(ctx -> {
          Random r = new Random(producerSeed);
          try {
            ctx.started(n);
            for (int i = 0; i < n; i++) {
              if (r.nextInt(100) == 0) {
                pause(r);
              }
              ctx.send(i);
            }
          } finally {
            cleaned.set(true);
          }
        });
    int received = 0;
    try (ProducerIterator<Integer, Integer> it = p.iterator()) {
      assertThat(it.setup()).isEqualTo(n);
      while (received < stopAt && it.hasNext()) {
        assertThat(it.next()).isEqualTo(received);
        received++;
        if (random.nextInt(100) == 0) {
          pause(random);
        }
      }
    }
    assertThat(received).isEqualTo(stopAt);
    assertThat(cleaned).isTrue();
    assertThat(threads.anyAlive()).isFalse();
  }

  @ParameterizedTest
  @ValueSource(longs = {21, 22, 23, 24, 25, 26, 27, 28})
  void asyncConsumer_randomRun_deliversEverythingInOrder(long seed) {
    Random random = new Random(seed);
    CountingVirtualThreadFactory threads = new CountingVirtualThreadFactory("stress-async-");
    int size = SIZES[random.nextInt(SIZES.length)];
    int n = 1 + random.nextInt(20_000);
    AsyncProducerIterator<Integer, Void> it =
        Producer.builder().threadFactory(threads).bufferSize(size).<Integer, Void>build(ctx -> {
          ctx.started();
          for (int i = 0; i < n; i++) {
            ctx.send(i);
          }
        }).asyncIterator();
    AtomicInteger expected = new AtomicInteger();
    AtomicBoolean ordered = new AtomicBoolean(true);
    CompletionStage<?> done =
        Async.loop(
            true,
            more -> more,
            ignored ->
                it.hasNext().thenApply(more -> {
                  if (more && it.next() != expected.getAndIncrement()) {
                    ordered.set(false);
                  }
                  return more;
                }));
    BlockingWait.get(done, "stress", Duration.ofSeconds(30));
    assertThat(ordered).isTrue();
    assertThat(expected).hasValue(n);
    BlockingWait.get(it.close(), "close", Duration.ofSeconds(5));
    await().atMost(Duration.ofSeconds(5)).until(() -> !threads.anyAlive());
  }

  /*
   * close() from another thread racing the consumer's first hasNext(), which starts the body's
   * thread: close() must return normally (it joined a thread that was assigned but not yet
   * started: IllegalThreadStateException), and the consumer must see the end, an item, or the
   * close (IllegalStateException), never the body's reaction to the close
   * (ProducerCancelledException).
   */
  @Test
  void closeFromAnotherThread_racingTheFirstHasNext_closesCleanly() throws Exception {
    Map<String, Integer> outcomes = new TreeMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(2);
    CountingVirtualThreadFactory virtual = new CountingVirtualThreadFactory("stress-close-");
    ThreadFactory platform = Thread.ofPlatform().daemon(true).name("stress-close-p-", 0).factory();
    try {
      for (int i = 0; i < 3000; i++) {
        ProducerIterator<Integer, Void> it =
            Producer.builder().threadFactory(i % 2 == 0 ? platform : virtual)
                .<Integer, Void>build(ctx -> {
                  ctx.started();
                  for (int k = 0; k < 10; k++) {
                    ctx.send(k);
                  }
                }).iterator();
        CountDownLatch go = new CountDownLatch(1);
        Future<String> consumer = pool.submit(() -> {
          go.await();
          try {
            while (it.hasNext()) {
              it.next();
            }
            return "ok";
          } catch (IllegalStateException closed) {
            return "ok";
          } catch (Throwable t) {
            return "consumer: " + t;
          }
        });
        Future<String> closer = pool.submit(() -> {
          go.await();
          try {
            it.close();
            return "ok";
          } catch (Throwable t) {
            return "close: " + t;
          }
        });
        go.countDown();
        outcomes.merge(closer.get(10, TimeUnit.SECONDS), 1, Integer::sum);
        outcomes.merge(consumer.get(10, TimeUnit.SECONDS), 1, Integer::sum);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(outcomes).containsOnlyKeys("ok");
    await().atMost(Duration.ofSeconds(5)).until(() -> !virtual.anyAlive());
  }
}
