package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A response nobody will read or close does not keep its connection leased for ever: once it is
 * unreachable, its connection is closed, its pool slot freed, and a warning says what to do.
 *
 * <p>Found by a soak: on the async path, a stage derived from {@code send(request)} and cancelled
 * before the head arrived did not reach the send, so the response arrived afterwards with nobody
 * to read it. Its body was larger than what the transport buffers, so the reader was "behind", the
 * read timeout was suspended, and the connection stayed leased for the life of the process. The
 * same for a blocking caller who drops a response unclosed.
 *
 * <p>The collector is asked to run ({@link System#gc()}) while the test waits; nothing is timed.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DroppedResponseTest {
  /** Far beyond what either transport reads ahead of its reader. */
  private static final int SIZE = 1 << 20;

  private static final byte[] PAYLOAD = payload();

  private final CountDownLatch arrived = new CountDownLatch(1);
  private final CountDownLatch answer = new CountDownLatch(1);
  private WarningCapture warnings;
  private MockWebServer server;

  private static byte[] payload() {
    byte[] b = new byte[SIZE];
    new Random(5).nextBytes(b);
    return b;
  }

  @BeforeEach
  void start() throws Exception {
    warnings = WarningCapture.start();
    server = new MockWebServer();
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
            if (request.getTarget().startsWith("/held")) {
              arrived.countDown();
              answer.await(60, TimeUnit.SECONDS);
            }
            return new MockResponse.Builder().code(200).body(new Buffer().write(PAYLOAD)).build();
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    answer.countDown();
    server.close();
    warnings.close();
  }

  private HttpRequest request(String path) {
    return HttpRequest.newBuilder(server.url(path).uri()).build();
  }

  @Test
  void derivedStageCancelledBeforeTheHead_connectionIsReclaimed() throws Exception {
    try (Fixture f = Fixture.create(Fixture.Kind.ASYNC, Duration.ofSeconds(3), 1, b -> {})) {
      CompletableFuture<byte[]> derived =
          f.client
              .send(request("/held/derived"))
              .thenCompose(r -> r.body().readAllBytes(SIZE))
              .toCompletableFuture();
      assertThat(arrived.await(30, TimeUnit.SECONDS)).as("the request reached the server").isTrue();
      // The caller gives up on the stage it holds: a derived one, which cannot reach the send.
      derived.cancel(true);
      answer.countDown();
      assertThat(derived).isCancelled();
      assertReclaimed(f, "/held/derived");
    }
  }

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void responseDroppedUnread_connectionIsReclaimed(Fixture.Kind kind) throws Exception {
    try (Fixture f = Fixture.create(kind, Duration.ofSeconds(3), 1, b -> {})) {
      dropUnread(f, "/dropped");
      assertReclaimed(f, "/dropped");
    }
  }

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void responseStillHeld_isNeverReclaimed(Fixture.Kind kind) throws Exception {
    try (Fixture f = Fixture.create(kind, Duration.ofSeconds(3), 2, b -> {})) {
      HttpResponse held = f.await(f.client.send(request("/kept")));
      dropUnread(f, "/dropped");
      // Once the dropped one is reclaimed, the collector has seen the held one too: still leased.
      awaitLeased(f, 1);
      assertThat(f.await(held.body().readAllBytes(SIZE))).isEqualTo(PAYLOAD);
      assertThat(warnings.messages()).noneSatisfy(w -> assertThat(w).contains("/kept"));
      await().atMost(Duration.ofSeconds(30)).until(() -> f.leased() == 0);
    }
  }

  /* Asks the collector to run until exactly that many connections are leased. */
  private static void awaitLeased(Fixture f, int connections) {
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              System.gc();
              return f.leased() == connections;
            });
  }

  /* Takes a response and lets go of it, body unread, in a frame of its own. */
  private void dropUnread(Fixture f, String path) {
    HttpResponse r = f.await(f.client.send(request(path)));
    assertThat(r.status()).isEqualTo(200);
    assertThat(f.leased()).isPositive();
  }

  /*
   * The pool empties once the collector runs, the warning names the request, and the pool's only
   * slot is free again: a whole exchange runs through it.
   */
  private void assertReclaimed(Fixture f, String path) {
    awaitLeased(f, 0);
    assertThat(warnings.messages()).anySatisfy(w -> assertThat(w).contains("GET", path));
    byte[] body = f.await(f.client.send(request("/next"), r -> r.body().readAllBytes(SIZE)));
    assertThat(body).isEqualTo(PAYLOAD);
  }
}
