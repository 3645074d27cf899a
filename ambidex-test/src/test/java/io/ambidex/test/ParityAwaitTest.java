package io.ambidex.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link Parity#await} on its own: what it throws, and what it leaves behind on a timeout. */
@Timeout(30)
class ParityAwaitTest {
  private static Parity<Object, Object> asyncParity(Duration timeout) {
    return new Parity<>(Parity.Side.ASYNC, "test", null, new Object(), null, timeout);
  }

  @Test
  void await_cancelledStage_throwsTheStoredCancellationException() {
    CancellationException closed = new CancellationException("the client was closed");
    CompletableFuture<String> stage = new CompletableFuture<>();
    stage.completeExceptionally(closed);

    assertThatThrownBy(() -> asyncParity(Duration.ofSeconds(10)).await(stage)).isSameAs(closed);
  }

  @Test
  void await_stageCancelledLater_throwsTheStoredCancellationException() {
    CompletableFuture<String> stage = new CompletableFuture<>();
    CompletableFuture.delayedExecutor(20, java.util.concurrent.TimeUnit.MILLISECONDS)
        .execute(() -> stage.cancel(true));

    assertThatThrownBy(() -> asyncParity(Duration.ofSeconds(10)).await(stage))
        .isInstanceOf(CancellationException.class)
        .satisfies(e -> assertThat(e.getCause()).isNull());
  }

  @Test
  void await_timedOut_cancelsTheStage() {
    CompletableFuture<String> stage = new CompletableFuture<>();

    assertThatThrownBy(() -> asyncParity(Duration.ofMillis(50)).await(stage))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("did not complete within");
    assertThat(stage).isCancelled();
  }

  @Test
  void items_timedOut_cancelsTheSubscription() {
    java.util.concurrent.atomic.AtomicBoolean cancelled =
        new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.Flow.Publisher<String> silent =
        subscriber ->
            subscriber.onSubscribe(
                new java.util.concurrent.Flow.Subscription() {
                  @Override
                  public void request(long n) {} // never delivers

                  @Override
                  public void cancel() {
                    cancelled.set(true);
                  }
                });

    assertThatThrownBy(() -> asyncParity(Duration.ofMillis(50)).items(b -> null, a -> silent))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("did not complete within");
    assertThat(cancelled).isTrue();
  }
}
