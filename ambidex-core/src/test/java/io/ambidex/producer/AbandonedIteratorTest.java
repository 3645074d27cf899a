package io.ambidex.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An iterator or stream that its consumer drops without closing does not leave its body parked
 * in {@code send()} for good: once it is unreachable, the body is cancelled as a close would
 * cancel it, its {@code finally} blocks run (releasing what its setup opened), and a warning says
 * what to do. Before, {@code producer.stream().limit(3).toList()} left the body's thread parked
 * for the life of the process, with whatever its setup held. The collector is asked to run while
 * the test waits; nothing is timed.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class AbandonedIteratorTest {
  private final Logger logger = Logger.getLogger("io.ambidex.producer");
  private final List<String> warnings = new CopyOnWriteArrayList<>();
  private final Handler capture =
      new Handler() {
        @Override
        public void publish(LogRecord r) {
          if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
            warnings.add(String.valueOf(r.getMessage()));
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  /** How many bodies are still inside their try block; a finally takes one off. */
  private final AtomicInteger open = new AtomicInteger();

  private final Producer<Integer, Void> counting =
      Producer.of(
          ctx -> {
            open.incrementAndGet();
            try {
              ctx.started();
              for (int i = 0; ; i++) {
                ctx.send(i);
              }
            } finally {
              open.decrementAndGet();
            }
          });

  @BeforeEach
  void capture() {
    logger.addHandler(capture);
  }

  @AfterEach
  void release() {
    logger.removeHandler(capture);
  }

  @Test
  void streamDroppedUnclosed_bodyIsCancelled_andItsFinallyRuns() {
    List<Integer> first = counting.stream().limit(3).toList(); // the stream is never closed
    assertThat(first).containsExactly(0, 1, 2);
    awaitOpen(0);
    assertThat(warnings).anySatisfy(w -> assertThat(w).contains("became unreachable"));
  }

  @Test
  void asyncIteratorDroppedUnclosed_bodyIsCancelled_andItsFinallyRuns() throws Exception {
    takeTwoAsync();
    awaitOpen(0);
  }

  @Test
  void iteratorStillHeld_isNeverCancelled() {
    try (ProducerIterator<Integer, Void> held = counting.iterator()) {
      assertThat(held.next()).isZero();
      List<Integer> dropped = counting.stream().limit(2).toList();
      assertThat(dropped).containsExactly(0, 1);
      // Once the dropped one's body has ended, the collector has seen the held one too.
      awaitOpen(1);
      assertThat(held.next()).isEqualTo(1);
      assertThat(held.next()).isEqualTo(2);
    }
    assertThat(open).hasValue(0);
  }

  /* Takes two items through an async iterator and lets go of it, in a frame of its own. */
  private void takeTwoAsync() throws Exception {
    AsyncProducerIterator<Integer, Void> it = counting.asyncIterator();
    for (int i = 0; i < 2; i++) {
      assertThat(it.hasNext().toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();
      assertThat(it.next()).isEqualTo(i);
    }
  }

  /* Asks the collector to run until exactly that many bodies are still open. */
  private void awaitOpen(int bodies) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              System.gc();
              return open.get() == bodies;
            });
  }
}
