package io.ambidex.stream;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A derived iterator's hasNext() cancelled while its pull is mid-step on another thread (inside
 * the source's next()), then asked again: the new hasNext() must wait until the abandoned step has
 * finished, so the source never has two callers at once and no item is lost or taken twice.
 *
 * <p>The interleaving is forced: the source's first next() blocks until the test has cancelled
 * and asked again.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CancelledHasNextTest {

  static List<Function<AsyncIterator<Integer>, AsyncIterator<?>>> operators() {
    return List.of(
        s -> AsyncIterators.batch(s, 3),
        s -> AsyncIterators.filter(s, i -> true));
  }

  @ParameterizedTest
  @MethodSource("operators")
  void hasNextAfterACancelledOne_waitsForTheAbandonedStep(
      Function<AsyncIterator<Integer>, AsyncIterator<?>> operator) throws Exception {
    GatedSource source = new GatedSource(6);
    AsyncIterator<?> derived = operator.apply(source);

    CompletableFuture<Boolean> first = derived.hasNext().toCompletableFuture();
    Thread producer = new Thread(() -> source.firstAnswer.complete(true), "completes-first");
    producer.start();
    assertThat(source.insideFirstNext.await(10, TimeUnit.SECONDS)).isTrue();

    first.cancel(true);
    CompletableFuture<Boolean> second = derived.hasNext().toCompletableFuture();
    source.releaseFirstNext.countDown();
    producer.join(10_000);

    List<Object> items = new ArrayList<>();
    CompletableFuture<Boolean> answer = second;
    while (answer.get(10, TimeUnit.SECONDS)) {
      items.add(derived.next());
      answer = derived.hasNext().toCompletableFuture();
    }
    derived.close().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(source.overlaps.get()).as("calls on the source that overlapped").isZero();
    List<Integer> flat = new ArrayList<>();
    for (Object item : items) {
      if (item instanceof List<?> batch) {
        batch.forEach(i -> flat.add((Integer) i));
      } else {
        flat.add((Integer) item);
      }
    }
    assertThat(flat).containsExactly(1, 2, 3, 4, 5, 6);
  }

  @ParameterizedTest
  @MethodSource("operators")
  void aThirdHasNext_whileTwoArePending_failsNamingTheRule(
      Function<AsyncIterator<Integer>, AsyncIterator<?>> operator) throws Exception {
    GatedSource source = new GatedSource(6);
    source.releaseFirstNext.countDown();
    AsyncIterator<?> derived = operator.apply(source);

    CompletableFuture<Boolean> first = derived.hasNext().toCompletableFuture();
    CompletableFuture<Boolean> second = derived.hasNext().toCompletableFuture();
    CompletableFuture<Boolean> third = derived.hasNext().toCompletableFuture();

    assertThat(third)
        .failsWithin(Duration.ofSeconds(5))
        .withThrowableOfType(ExecutionException.class)
        .havingCause()
        .isInstanceOf(IllegalStateException.class)
        .withMessageContaining("one hasNext() at a time");
    source.firstAnswer.complete(true);
    assertThat(first.get(10, TimeUnit.SECONDS)).isTrue();
    // The second was queued behind the first and asks again once it answered: the same item.
    assertThat(second.get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(derived.next()).isNotNull();
    derived.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * Items 1..n. The first hasNext() answers through {@code firstAnswer}, later ones at once; the
   * first next() blocks until released. Counts calls that run while another is running.
   */
  static final class GatedSource implements AsyncIterator<Integer> {
    final CompletableFuture<Boolean> firstAnswer = new CompletableFuture<>();
    final CountDownLatch insideFirstNext = new CountDownLatch(1);
    final CountDownLatch releaseFirstNext = new CountDownLatch(1);
    final AtomicInteger overlaps = new AtomicInteger();
    private final AtomicInteger active = new AtomicInteger();
    private final int n;
    private volatile int taken;
    private volatile boolean askedOnce;

    GatedSource(int n) {
      this.n = n;
    }

    private void enter() {
      if (active.incrementAndGet() > 1) {
        overlaps.incrementAndGet();
      }
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      enter();
      try {
        if (!askedOnce) {
          askedOnce = true;
          return firstAnswer;
        }
        return CompletableFuture.completedFuture(taken < n);
      } finally {
        active.decrementAndGet();
      }
    }

    @Override
    public Integer next() {
      enter();
      try {
        int item = ++taken;
        if (item == 1) {
          insideFirstNext.countDown();
          try {
            releaseFirstNext.await(10, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
        return item;
      } finally {
        active.decrementAndGet();
      }
    }

    @Override
    public CompletionStage<Void> close() {
      return CompletableFuture.completedFuture(null);
    }
  }
}
