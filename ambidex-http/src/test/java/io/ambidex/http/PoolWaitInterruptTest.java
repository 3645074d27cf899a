package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.CallInterruptedException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A blocking call interrupted while it waits for a connection from a full pool fails with
 * {@link CallInterruptedException}, interrupt flag kept, like an interrupt at any other point,
 * and the pool's slot is not lost. ({@link CancelSoakTest} covers the rarer interleaving where
 * Apache's lease is already cancelled when the waiting thread looks.)
 */
@Timeout(60)
class PoolWaitInterruptTest {
  private MockWebServer server;

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void interruptWhileWaitingForAPooledConnection_isACallInterruptedException() throws Exception {
    server.enqueue(new MockResponse.Builder().code(200).body("held").build());
    try (Fixture f = Fixture.create(Fixture.Kind.SYNC, Duration.ofSeconds(10), 1, b -> {})) {
      // The pool's only connection stays leased while this response is open.
      HttpResponse held = f.await(f.client.send(HttpRequest.newBuilder(server.url("/a").uri()).build()));
      assertThat(f.leased()).isEqualTo(1);

      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> flagKept = new AtomicReference<>();
      Thread caller =
          new Thread(
              () -> {
                try {
                  f.await(f.client.send(HttpRequest.newBuilder(server.url("/b").uri()).build()));
                } catch (Throwable t) {
                  thrown.set(t);
                  flagKept.set(Thread.currentThread().isInterrupted());
                }
              });
      caller.start();
      // Wait until the caller is parked in the pool's lease, then interrupt it.
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (caller.getState() != Thread.State.TIMED_WAITING
          && caller.getState() != Thread.State.WAITING
          && System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      caller.interrupt();
      caller.join(20_000);

      assertThat(thrown.get()).isInstanceOf(CallInterruptedException.class);
      assertThat(flagKept.get()).as("interrupt flag kept").isTrue();
      held.body().close();
      assertThat(f.leased()).isZero();
    }
  }
}
