package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.stream.AsyncIterators;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A call still in flight when its transport is closed fails with a {@link CancellationException}
 * saying so, on both paths, and is not retried. The blocking path used to report a reset
 * connection (blaming the server) and retry it, and the retry's sleep then failed with "SyncRuntime
 * .sleep was called after the runtime was closed" once its owner had closed the runtime too.
 */
@Timeout(60)
class CloseInFlightTest {

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void closedWhileWaitingForTheHead_failsAsCancelled_notRetried(Fixture.Kind kind)
      throws Exception {
    try (RawHttpServer server = new RawHttpServer();
        Fixture f = Fixture.create(kind)) {
      server.script(new RawHttpServer.Script(new byte[0], RawHttpServer.Mode.HOLD));
      HttpRequest get = HttpRequest.newBuilder(server.uri("/held")).GET().build();
      CompletableFuture<Throwable> call = failureOf(f, () -> f.client.send(get));
      Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> server.requests() == 1);

      f.transport.close();

      assertThat(call.get(30, TimeUnit.SECONDS))
          .isInstanceOf(CancellationException.class)
          .hasMessageContaining("GET " + server.uri("/held") + " was in flight when its transport"
              + " was closed");
      assertThat(server.requests()).as("not retried").isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void closedWhileReadingTheBody_failsTheReadAsCancelled(Fixture.Kind kind) throws Exception {
    byte[] head =
        ("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + "x".repeat(10))
            .getBytes(StandardCharsets.US_ASCII);
    try (RawHttpServer server = new RawHttpServer();
        Fixture f = Fixture.create(kind)) {
      server.script(new RawHttpServer.Script(head, RawHttpServer.Mode.HOLD));
      HttpRequest get = HttpRequest.newBuilder(server.uri("/body")).GET().build();
      CountDownLatch firstChunk = new CountDownLatch(1);
      CompletableFuture<Throwable> read =
          failureOf(
              f,
              () ->
                  f.client.send(
                      get,
                      r -> AsyncIterators.forEach(r.body().chunks(), c -> firstChunk.countDown())));
      // The 10 bytes have been read: the body's next read waits for the rest.
      assertThat(firstChunk.await(30, TimeUnit.SECONDS)).isTrue();

      f.transport.close();

      assertThat(read.get(30, TimeUnit.SECONDS))
          .isInstanceOf(CancellationException.class)
          .hasMessageContaining("was in flight when its transport was closed");
      assertThat(server.requests()).as("not retried").isEqualTo(1);
    }
  }

  /*
   * Starts the call (on the blocking path on a thread of its own, since it returns only when it is
   * done) and returns what it fails with; it must fail.
   */
  private static CompletableFuture<Throwable> failureOf(
      Fixture f, Supplier<? extends CompletionStage<?>> call) {
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
        };
    if (f.kind == Fixture.Kind.SYNC) {
      Thread.ofVirtual().start(run);
    } else {
      run.run();
    }
    return failure;
  }
}
