package io.ambidex.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link Parity#await} and {@link Parity#collect} on their own: what they return and throw, and
 * what they leave behind on a timeout.
 */
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

  @Test
  void collect_asksForOneItemAtATime_andReturnsThemInOrder() throws Exception {
    List<Long> requests = Collections.synchronizedList(new ArrayList<>());
    Flow.Publisher<Integer> three =
        subscriber ->
            subscriber.onSubscribe(
                new Flow.Subscription() {
                  private int next = 1;

                  @Override
                  public void request(long n) {
                    requests.add(n);
                    if (next <= 3) {
                      subscriber.onNext(next++);
                    } else {
                      subscriber.onComplete();
                    }
                  }

                  @Override
                  public void cancel() {
                    throw new AssertionError("a stream that ended must not be cancelled");
                  }
                });

    assertThat(asyncParity(Duration.ofSeconds(10)).collect(three)).containsExactly(1, 2, 3);
    assertThat(requests).containsExactly(1L, 1L, 1L, 1L);
  }

  @Test
  void collect_failedStream_throwsItsFailureUnwrapped() {
    IOException broken = new IOException("the connection was reset");
    Flow.Publisher<String> failing =
        subscriber -> {
          subscriber.onSubscribe(
              new Flow.Subscription() {
                @Override
                public void request(long n) {}

                @Override
                public void cancel() {}
              });
          subscriber.onError(broken);
        };

    assertThatThrownBy(() -> asyncParity(Duration.ofSeconds(10)).collect(failing))
        .isSameAs(broken);
  }
}
