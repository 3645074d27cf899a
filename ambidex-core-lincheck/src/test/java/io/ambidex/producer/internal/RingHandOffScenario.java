package io.ambidex.producer.internal;

import io.ambidex.internal.ModelChecking;
import io.ambidex.producer.AsyncProducerIterator;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import org.jetbrains.lincheck.datastructures.IntGen;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.Param;
import org.junit.jupiter.api.Test;

/**
 * Model checking (Lincheck) of the producer ring's hand-off to an async consumer: one thread
 * plays the body (publish an item, then wake the consumer), another the consumer (an async
 * hasNext(), then next()), against a plain queue. Lincheck explores the interleavings of the two
 * and prints the one that breaks the specification. Before the fix of the late wake, it found
 * the consumer told "true" with no item behind it (next() threw NoSuchElementException).
 *
 * <p>The scenario of {@link RingHandOffLincheckTest} (a ring allocated whole) and {@link
 * RingGrowthLincheckTest} (a ring that grows).
 */
@Param(name = "item", gen = IntGen.class, conf = "1:9")
public abstract class RingHandOffScenario {
  /** take()'s answer while the consumer's hasNext() is pending. */
  static final int NOTHING_YET = -1;

  /*
   * Lincheck makes one scenario per run and drops it with its iterator unclosed, so each is
   * abandoned once collected (choice 274), with a warning: 40,000 of them in one CI log. Off
   * here; held, because the logging framework keeps loggers only weakly.
   */
  private static final java.util.logging.Logger ABANDONED_WARNINGS = quiet();

  private static java.util.logging.Logger quiet() {
    java.util.logging.Logger logger = java.util.logging.Logger.getLogger("io.ambidex.producer");
    logger.setLevel(java.util.logging.Level.OFF);
    return logger;
  }

  private final BufferedRun<Integer, Void> run;
  private final AsyncProducerIterator<Integer, Void> consumer;
  private CompletableFuture<Boolean> pending;

  /** With a ring of at most 64 items whose first array has {@code firstSize} slots. */
  RingHandOffScenario(int firstSize) {
    run = new BufferedRun<>(ctx -> {}, task -> new Thread(() -> {}), 64, Duration.ZERO, firstSize);
    consumer = run.async();
    // Start the run (its thread does nothing) and cross one item, so the scenario begins with a
    // started run and an idle consumer.
    CompletableFuture<Boolean> first = consumer.hasNext().toCompletableFuture();
    run.publish(0);
    run.wakeForItem();
    first.join();
    consumer.next();
  }

  /** The body: publishes {@code item}, then wakes the consumer. */
  @Operation(nonParallelGroup = "body")
  public void send(@Param(name = "item") int item) {
    run.publish(item);
    run.wakeForItem();
  }

  /**
   * The consumer: asks hasNext() unless an earlier ask is pending; returns the item once it
   * answered true, {@link #NOTHING_YET} while it is pending.
   */
  @Operation(nonParallelGroup = "consumer")
  public int take() {
    if (pending == null) {
      pending = consumer.hasNext().toCompletableFuture();
    }
    if (!pending.isDone()) {
      return NOTHING_YET;
    }
    boolean more = pending.join();
    pending = null;
    if (!more) {
      throw new IllegalStateException("the run never ends in this test");
    }
    return consumer.next();
  }

  /** The specification: a queue; take() of an empty one answers NOTHING_YET. */
  public static final class QueueSpec {
    private final ArrayDeque<Integer> items = new ArrayDeque<>();

    public void send(int item) {
      items.add(item);
    }

    public int take() {
      Integer head = items.poll();
      return head == null ? NOTHING_YET : head;
    }
  }

  @Test
  void modelChecking() {
    ModelChecking.options()
        .sequentialSpecification(QueueSpec.class)
        .iterations(10)
        .invocationsPerIteration(2_000)
        .threads(2)
        .actorsPerThread(2)
        .actorsBefore(0)
        .actorsAfter(1)
        .check(getClass());
  }
}
