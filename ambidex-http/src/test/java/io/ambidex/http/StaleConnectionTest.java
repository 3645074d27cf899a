package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.control.RetryPolicy;
import io.ambidex.http.error.ConnectionResetException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A pooled connection the server closed while it was idle, reused before the pool noticed: the
 * request is sent again on another connection whatever its method, because the server never
 * answered a byte on a connection it had already let go (RFC 9112, section 9.3.1). Found by
 * exploratory testing: the blocking transport checks an idle connection only after a second of
 * idleness, and a POST sent sooner failed with {@code ConnectionResetException}, not retried
 * (not idempotent), although the server never saw it. A body that cannot be sent twice is not
 * resent, and a fresh connection that fails is not resent either. The async transport drops a
 * connection from its pool when its end arrives (see {@link #retries}).
 */
@Timeout(60)
class StaleConnectionTest {
  private static final byte[] OK =
      "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII);

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void aPostOnAConnectionTheServerClosed_isSentAgainOnAnother(Fixture.Kind kind)
      throws Exception {
    try (RawHttpServer server = new RawHttpServer();
        Fixture f = withAConnectionTheServerClosed(kind, server)) {
      HttpResponse second = post(f, server, "/b", RequestBody.of("two"));
      assertThat(second.status()).isEqualTo(200);
      assertThat(server.requests()).as("request heads the server read").isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void aOneShotBodyOnAConnectionTheServerClosed_isNotSentTwice(Fixture.Kind kind)
      throws Exception {
    try (RawHttpServer server = new RawHttpServer();
        Fixture f = withAConnectionTheServerClosed(kind, server)) {
      RequestBody oneShot =
          RequestBody.ofInputStream(
              new ByteArrayInputStream("two".getBytes(StandardCharsets.US_ASCII)), 3);
      if (kind == Fixture.Kind.SYNC) {
        assertThatThrownBy(() -> post(f, server, "/b", oneShot))
            .isInstanceOf(ConnectionResetException.class)
            .hasMessageContaining("POST " + server.uri("/b"));
        assertThat(server.requests()).isEqualTo(1);
      } else {
        assertThat(post(f, server, "/b", oneShot).status()).isEqualTo(200);
        assertThat(server.requests()).isEqualTo(2);
      }
    }
  }

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void aFreshConnectionClosedWithoutAnAnswer_isNotSentAgain(Fixture.Kind kind) throws Exception {
    try (RawHttpServer server = new RawHttpServer();
        Fixture f =
            Fixture.create(
                kind, Duration.ofSeconds(10), 1, b -> b.retryPolicy(RetryPolicy.none()))) {
      server.script(new RawHttpServer.Script(new byte[0], RawHttpServer.Mode.CLOSE));

      assertThatThrownBy(() -> post(f, server, "/a", RequestBody.of("one")))
          .isInstanceOf(ConnectionResetException.class);
      assertThat(server.requests()).as("the server may have acted on it: sent once").isEqualTo(1);
    }
  }

  /*
   * A fixture with one pooled connection, idle after answering a POST, that the server has just
   * closed, as a server's idle timeout does.
   */
  private static Fixture withAConnectionTheServerClosed(Fixture.Kind kind, RawHttpServer server) {
    Fixture f =
        Fixture.create(kind, Duration.ofSeconds(10), 1, b -> b.retryPolicy(retries(kind)));
    try {
      server.script(new RawHttpServer.Script(OK, RawHttpServer.Mode.KEEP_ALIVE));
      assertThat(post(f, server, "/a", RequestBody.of("one")).status()).isEqualTo(200);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> f.leased() == 0);
      server.closeConnections();
      return f;
    } catch (RuntimeException | Error e) {
      f.close();
      throw e;
    }
  }

  /*
   * The blocking transport resends by itself, so its test runs without the request client's
   * retries. The async transport sees a connection's end as it happens and drops it from the pool;
   * a request that races the close fails with ConnectFailedException (Apache did not send it),
   * which the request client retries for any method, a one-shot body included (not yet opened).
   */
  private static RetryPolicy retries(Fixture.Kind kind) {
    return kind == Fixture.Kind.SYNC ? RetryPolicy.none() : Fixture.FAST_RETRIES;
  }

  private static HttpResponse post(Fixture f, RawHttpServer server, String path, RequestBody body) {
    HttpResponse r =
        f.await(
            f.client.send(
                HttpRequest.newBuilder(server.uri(path)).method("POST", body).build()));
    f.await(r.body().readString(1024));
    return r;
  }
}
