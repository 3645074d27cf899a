package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.control.RetryPolicy;
import io.ambidex.http.error.ConnectTimeoutException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A request that waits for a pool slot, on both transports: the connect timeout bounds the wait
 * (a {@link ConnectTimeoutException}, the caller's interrupt flag untouched), and a {@code close()}
 * of the transport ends it at once as a cancellation. With a pool of one, request A holds the
 * connection (the server never answers) and request B waits. Found by exploratory testing: the
 * async waiter outlived close() (Apache's pool drops its waiters without completing them), and
 * waited past its connect timeout until the holder let go; the blocking one failed only after its
 * connect timeout, as {@code CallInterruptedException} with the interrupt flag set.
 */
@Timeout(60)
class PoolWaitTest {

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void closeWhileWaitingForAPoolSlot_failsTheWaiterAsCancelled(Fixture.Kind kind)
      throws Exception {
    closeWhileWaiting(kind, Duration.ofMillis(100));
  }

  /*
   * The same close, many times over with a fast poll, so that close() often lands right after
   * the waiter queued. The blocking transport used to cancel the holder's exchange before the
   * pool was closed: the freed slot went to the waiter, whose request reached the server (found
   * by CI once; 34 runs in 400 here under CPU load, before the fix).
   */
  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  @Timeout(180)
  void closeWhileWaitingForAPoolSlot_neverLetsTheWaiterSend_repeated(Fixture.Kind kind)
      throws Exception {
    for (int i = 0; i < 300; i++) {
      closeWhileWaiting(kind, Duration.ofMillis(2));
    }
  }

  private static void closeWhileWaiting(Fixture.Kind kind, Duration poll) throws Exception {
    try (RawHttpServer server = new RawHttpServer();
        Fixture f =
            Fixture.create(
                kind, Duration.ofSeconds(30), Duration.ofSeconds(30), 1,
                b -> b.retryPolicy(RetryPolicy.none()), r -> r)) {
      server.script(new RawHttpServer.Script(new byte[0], RawHttpServer.Mode.HOLD));
      CompletableFuture<Throwable> holder =
          failureOf(f, () -> f.client.send(HttpRequest.newBuilder(server.uri("/a")).build()));
      Awaitility.await().pollInterval(poll).atMost(Duration.ofSeconds(30)).until(() -> server.requests() == 1);
      CompletableFuture<Throwable> waiter =
          failureOf(f, () -> f.client.send(HttpRequest.newBuilder(server.uri("/b")).build()));
      Awaitility.await().pollInterval(poll).atMost(Duration.ofSeconds(30)).until(() -> f.pending() == 1);

      f.transport.close();

      assertThat(holder.get(30, TimeUnit.SECONDS))
          .isInstanceOf(CancellationException.class)
          .hasMessageContaining("was in flight when its transport was closed");
      assertThat(waiter.get(3, TimeUnit.SECONDS))
          .as("the pool waiter ends with the close, long before its connect timeout of 30 s")
          .isInstanceOf(CancellationException.class)
          .hasMessageContaining("GET " + server.uri("/b") + " was in flight when its transport"
              + " was closed");
      assertThat(server.requests()).isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void noPoolSlotWithinTheConnectTimeout_isAConnectTimeout_flagUntouched(Fixture.Kind kind)
      throws Exception {
    try (RawHttpServer server = new RawHttpServer();
        Fixture f =
            Fixture.create(
                kind, Duration.ofMillis(300), Duration.ofSeconds(30), 1,
                b -> b.retryPolicy(RetryPolicy.none()), r -> r)) {
      server.script(new RawHttpServer.Script(new byte[0], RawHttpServer.Mode.HOLD));
      CompletableFuture<Throwable> holder =
          failureOf(f, () -> f.client.send(HttpRequest.newBuilder(server.uri("/a")).build()));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> server.requests() == 1);

      CompletableFuture<Boolean> flag = new CompletableFuture<>();
      CompletableFuture<Throwable> waiter =
          failureOf(
              f,
              () -> f.client.send(HttpRequest.newBuilder(server.uri("/b")).build()),
              flag);

      // The holder keeps its connection for 30 s; the waiter must give up long before.
      assertThat(waiter.get(20, TimeUnit.SECONDS))
          .isInstanceOf(ConnectTimeoutException.class)
          .hasMessageContaining("pool");
      if (kind == Fixture.Kind.SYNC) {
        assertThat(flag.get(5, TimeUnit.SECONDS)).as("interrupt flag after the call").isFalse();
      }
      assertThat(holder).isNotDone();
      server.closeConnections();
      holder.get(30, TimeUnit.SECONDS);
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> f.leased() == 0);
      assertThat(f.pending()).isZero();
      assertThat(server.requests()).isEqualTo(1);
    }
  }

  private static CompletableFuture<Throwable> failureOf(
      Fixture f, Supplier<? extends java.util.concurrent.CompletionStage<?>> call) {
    return failureOf(f, call, new CompletableFuture<>());
  }

  /*
   * Starts the call (on the blocking path on a thread of its own) and returns what it fails with;
   * `flag` gets the calling thread's interrupt flag once the blocking call has returned.
   */
  private static CompletableFuture<Throwable> failureOf(
      Fixture f,
      Supplier<? extends java.util.concurrent.CompletionStage<?>> call,
      CompletableFuture<Boolean> flag) {
    CompletableFuture<Throwable> failure = new CompletableFuture<>();
    Runnable run =
        () -> {
          try {
            call.get()
                .whenComplete(
                    (v, e) -> {
                      if (e == null) {
                        failure.completeExceptionally(new AssertionError("the call succeeded"));
                      } else {
                        failure.complete(
                            e instanceof CompletionException && e.getCause() != null
                                ? e.getCause()
                                : e);
                      }
                    });
          } catch (RuntimeException e) {
            failure.complete(e);
          }
          flag.complete(Thread.currentThread().isInterrupted());
        };
    if (f.kind == Fixture.Kind.SYNC) {
      Thread.ofVirtual().start(run);
    } else {
      run.run();
    }
    return failure;
  }
}
