package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.control.RetryPolicy;
import io.ambidex.http.Fixture.Kind;
import io.ambidex.http.RawHttpServer.Mode;
import io.ambidex.http.RawHttpServer.Script;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server may close an idle keep-alive connection whenever it likes (its idle timeout, a
 * restart, a limit on connections). A request made after that close has reached the client goes
 * on a fresh connection, whatever its method: the server never saw it on the old one. Found by
 * exploratory testing: the blocking transport reused such a connection when it had been idle for
 * less than a second (Apache checks an idle connection only after that), and a POST, which is not
 * retried, failed with {@code ConnectionResetException}. Each request here follows the server's
 * close of the previous connection, with retries off, so any reuse fails the request. The check
 * behind it must not cost the reuse of a connection the server keeps open.
 */
@Timeout(120)
class ClosedIdleConnectionTest {
  /* Keep-alive by its headers; the server then closes the connection anyway (Mode.CLOSE). */
  private static final byte[] OK =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

  private static final int REQUESTS = 40;

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aPostAfterTheServerClosedTheIdleConnection_goesOnAFreshOne(Kind kind) throws Exception {
    postsAfterEachClose(kind, false);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aPostAfterTheServerClosedTheIdleConnection_goesOnAFreshOne_overTls(Kind kind)
      throws Exception {
    postsAfterEachClose(kind, true);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void aConnectionTheServerKeepsOpen_isReused(Kind kind) throws Exception {
    for (boolean tls : new boolean[] {false, true}) {
      try (RawHttpServer server = RawHttpServer.start(tls);
          Fixture f = fixture(kind, tls)) {
        server.script(new Script(OK, Mode.KEEP_ALIVE));
        for (int i = 1; i <= REQUESTS; i++) {
          assertThat(post(f, server, i)).isEqualTo("ok");
        }
        // The async transport hands over a response before its connection is back in the pool,
        // so a request made at once may open the pool's second connection; never a third.
        assertThat(server.connectionsAccepted())
            .as("connections opened for %d requests, tls=%s", REQUESTS, tls)
            .isBetween(1, kind == Kind.SYNC ? 1 : 2);
      }
    }
  }

  private static void postsAfterEachClose(Kind kind, boolean tls) throws Exception {
    try (RawHttpServer server = RawHttpServer.start(tls);
        Fixture f = fixture(kind, tls)) {
      server.script(new Script(OK, Mode.CLOSE));
      for (int i = 1; i <= REQUESTS; i++) {
        assertThat(post(f, server, i)).isEqualTo("ok");
        int closes = i;
        // Checked at once and then every 2 ms: Awaitility's first check comes after its poll
        // interval, 100 ms by default, which cost 4 s per test over the 40 requests.
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .pollDelay(Duration.ZERO)
            .pollInterval(Duration.ofMillis(2))
            .until(() -> server.connectionsClosed() >= closes);
        // The server's FIN crosses the loopback in microseconds once its close returned: this is
        // a margin for a loaded machine, not a measurement.
        Thread.sleep(20);
      }
      assertThat(server.requests()).as("each request sent once").isEqualTo(REQUESTS);
      assertThat(f.leased()).isZero();
    }
  }

  private static String post(Fixture f, RawHttpServer server, int i) {
    byte[] body =
        f.await(
            f.client.send(
                HttpRequest.newBuilder(server.uri("/post-" + i))
                    .POST(RequestBody.of(new byte[] {1, 2, 3}))
                    .build(),
                r -> r.body().readAllBytes(1024)));
    return new String(body, StandardCharsets.US_ASCII);
  }

  private static Fixture fixture(Kind kind, boolean tls) throws Exception {
    return Fixture.create(
        kind,
        Duration.ofSeconds(5),
        Duration.ofSeconds(10),
        2,
        b -> b.retryPolicy(RetryPolicy.none()),
        r -> r,
        tls ? ConnectAndTlsTest.trusting(ConnectAndTlsTest.ROOT) : null);
  }
}
