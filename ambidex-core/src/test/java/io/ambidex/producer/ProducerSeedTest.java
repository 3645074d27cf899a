package io.ambidex.producer;

import io.ambidex.BlockingWait;
import io.ambidex.producer.AsyncProducerIterator;
import io.ambidex.producer.Producer;
import io.ambidex.producer.ProducerIterator;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.testing.CountingVirtualThreadFactory;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The four tests of the seed thread on two-phase coroutines (simple, lazy, exception during setup,
 * exception during stream), ported from pytest to Java: once for the blocking iterator, once for
 * the async iterator. The seed's "SetupComplete" first item is {@code setup()} here.
 */
@Timeout(10)
class ProducerSeedTest {
  /** The seed's TestException; unchecked here, checked exceptions are tested in ProducerTest. */
  static final class TestException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    TestException(String message) {
      super(message);
    }
  }

  private final CountingVirtualThreadFactory threads = new CountingVirtualThreadFactory("seed-");

  @AfterEach
  void noThreadOutlivesTheTest() {
    // Blocking consumers are checked at once (see assertNoProducerThread); an async close
    // completes on the producer's thread just before it terminates, so allow it to finish.
    Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> !threads.anyAlive());
    assertThat(threads.alive()).isZero();
  }

  private void assertNoProducerThread() {
    assertThat(threads.anyAlive()).as("a producer thread outlived its iterator").isFalse();
  }

  private Producer.Builder producer() {
    return Producer.builder().threadFactory(threads);
  }

  private static <T> T await(CompletionStage<T> stage) {
    return BlockingWait.get(stage, "test", Duration.ofSeconds(5));
  }

  // ---- test_coro_to_aiter_simple ----

  @Test
  void simple_blocking() {
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          for (int i = 0; i < 10; i++) {
            ctx.send(i);
          }
        });
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThat(it.setup()).isNull(); // the seed's SetupComplete
      int i = -1;
      while (it.hasNext()) {
        int data = it.next();
        i++;
        assertThat(data).isEqualTo(i);
      }
      assertThat(i).isEqualTo(9);
    }
    assertNoProducerThread();
  }

  @Test
  void simple_async() {
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          for (int i = 0; i < 10; i++) {
            ctx.send(i);
          }
        });
    AsyncProducerIterator<Integer, Void> it = p.asyncIterator();
    assertThat(await(it.setup())).isNull();
    int i = -1;
    while (await(it.hasNext())) {
      int data = it.next();
      i++;
      assertThat(data).isEqualTo(i);
    }
    assertThat(i).isEqualTo(9);
    await(it.close());
  }

  // ---- test_coro_to_aiter_is_lazy ----

  @Test
  void isLazy_blocking() {
    AtomicInteger lastSent = new AtomicInteger(-2);
    Producer<Integer, Void> p =
        producer().bufferSize(1).build(ctx -> {
          lastSent.set(-1);
          ctx.started();
          for (int i = 0; i < 10; i++) {
            lastSent.set(i);
            ctx.send(i);
          }
        });
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThat(lastSent).hasValue(-2);
      assertThat(threads.created()).isZero();

      assertThat(it.setup()).isNull();
      assertThat(lastSent).hasValue(-1);

      int i = -1;
      while (it.hasNext()) {
        int data = it.next();
        i++;
        assertThat(data).isEqualTo(i);
        assertThat(lastSent).hasValue(data);
      }
      assertThat(i).isEqualTo(9);
    }
    assertNoProducerThread();
  }

  @Test
  void isLazy_async() {
    AtomicInteger lastSent = new AtomicInteger(-2);
    Producer<Integer, Void> p =
        producer().bufferSize(1).build(ctx -> {
          lastSent.set(-1);
          ctx.started();
          for (int i = 0; i < 10; i++) {
            lastSent.set(i);
            ctx.send(i);
          }
        });
    AsyncProducerIterator<Integer, Void> it = p.asyncIterator();
    assertThat(lastSent).hasValue(-2);
    assertThat(threads.created()).isZero();

    assertThat(await(it.setup())).isNull();
    assertThat(lastSent).hasValue(-1);

    int i = -1;
    while (await(it.hasNext())) {
      int data = it.next();
      i++;
      assertThat(data).isEqualTo(i);
      assertThat(lastSent).hasValue(data);
    }
    assertThat(i).isEqualTo(9);
    await(it.close());
  }

  // ---- test_exception_during_setup ----

  @Test
  void exceptionDuringSetup_blocking() {
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          throw new TestException("test");
        });
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThatThrownBy(it::setup).isInstanceOf(TestException.class).hasMessage("test");
    }
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThatThrownBy(it::hasNext).isInstanceOf(TestException.class).hasMessage("test");
    }
    assertNoProducerThread();
  }

  @Test
  void exceptionDuringSetup_async() {
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          throw new TestException("test");
        });
    AsyncProducerIterator<Integer, Void> it = p.asyncIterator();
    assertThatThrownBy(() -> await(it.setup())).isInstanceOf(TestException.class);
    assertThatThrownBy(() -> await(it.hasNext())).isInstanceOf(TestException.class);
    await(it.close());
  }

  // ---- test_exception_during_stream ----

  @Test
  void exceptionDuringStream_blocking() {
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          for (int i = 0; i < 10; i++) {
            ctx.send(i);
          }
          throw new TestException("test");
        });
    try (ProducerIterator<Integer, Void> it = p.iterator()) {
      assertThat(it.setup()).isNull();
      for (int i = 0; i < 10; i++) {
        assertThat(it.next()).isEqualTo(i);
      }
      assertThatThrownBy(it::next).isInstanceOf(TestException.class).hasMessage("test");
    }
    assertNoProducerThread();
  }

  @Test
  void exceptionDuringStream_async() {
    Producer<Integer, Void> p =
        producer().build(ctx -> {
          ctx.started();
          for (int i = 0; i < 10; i++) {
            ctx.send(i);
          }
          throw new TestException("test");
        });
    AsyncProducerIterator<Integer, Void> it = p.asyncIterator();
    assertThat(await(it.setup())).isNull();
    for (int i = 0; i < 10; i++) {
      assertThat(await(it.hasNext())).isTrue();
      assertThat(it.next()).isEqualTo(i);
    }
    assertThatThrownBy(() -> await(it.hasNext())).isInstanceOf(TestException.class);
    await(it.close());
  }
}
