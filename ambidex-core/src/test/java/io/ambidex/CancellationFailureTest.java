package io.ambidex;

import io.ambidex.producer.ProducerCancelledException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A stage that failed with a {@code CancellationException} subclass is rethrown as that same
 * instance, as the translation table says, although {@code CompletableFuture.join()} and
 * {@code get()} wrap it in a new {@code CancellationException} on JDK 23 and later.
 */
class CancellationFailureTest {
  private static CompletableFuture<String> failedWith(Throwable t) {
    CompletableFuture<String> f = new CompletableFuture<>();
    f.completeExceptionally(t);
    return f;
  }

  @Test
  void immediate_rethrowsTheSameCancellationSubclass() {
    CallInterruptedException original = new CallInterruptedException("inner");
    assertThatThrownBy(() -> Immediate.get(failedWith(original), "op")).isSameAs(original);
  }

  @Test
  void doneValue_rethrowsTheSameCancellationSubclass() {
    CallInterruptedException original = new CallInterruptedException("inner");
    assertThatThrownBy(() -> io.ambidex.internal.Done.value(failedWith(original)))
        .isSameAs(original);
  }

  @Test
  void blockingWait_rethrowsTheSameCancellationSubclass() {
    ProducerCancelledException original = new ProducerCancelledException("cancelled");
    assertThatThrownBy(() -> BlockingWait.get(failedWith(original), "op")).isSameAs(original);
    assertThatThrownBy(() -> BlockingWait.get(failedWith(original), "op", Duration.ofSeconds(1)))
        .isSameAs(original);
  }
}
