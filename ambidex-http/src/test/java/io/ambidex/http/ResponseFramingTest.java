package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.http.Fixture.Kind;
import io.ambidex.http.RawHttpServer.Mode;
import io.ambidex.http.RawHttpServer.Script;
import io.ambidex.http.error.HttpProtocolException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Both transports read a response head strictly and never take bytes that a server sent beyond a
 * response's framing as the answer to a later request (RFC 9112, section 6.3). Before, the
 * classic transport skipped lines it could not read as a status line: a malformed head became
 * "no response" (a {@code ConnectionResetException}, retried) where the async transport reports an
 * {@link HttpProtocolException}, and a status line found after such garbage, or left on a reused
 * connection by the previous response, was taken as the response.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResponseFramingTest {
  private RawHttpServer server;

  @BeforeEach
  void start() throws Exception {
    server = new RawHttpServer();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void malformedStatusLine_isAProtocolError_notRetried(Kind kind) {
    try (Fixture f = fixture(kind)) {
      answer("HTTP/1.1 5=03 Slow Down\r\nContent-Length: 4\r\n\r\nbusy", Mode.CLOSE);

      assertThatThrownBy(() -> get(f, "/malformed")).isInstanceOf(HttpProtocolException.class);
      assertThat(server.requests()).as("sent once: the server did answer, badly").isEqualTo(1);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void statusLineAfterGarbage_isNotTakenAsTheResponse(Kind kind) {
    try (Fixture f = fixture(kind)) {
      answer("garbage\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil", Mode.CLOSE);

      assertThatThrownBy(() -> get(f, "/garbage")).isInstanceOf(HttpProtocolException.class);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void responseSentAfterTheResponse_isNeverTheAnswerToTheNextRequest(Kind kind) {
    try (Fixture f = fixture(kind)) {
      answer(
          "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
              + "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil",
          Mode.KEEP_ALIVE);
      assertThat(get(f, "/first")).isEqualTo("ok");

      answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", Mode.KEEP_ALIVE);
      String second;
      try {
        second = get(f, "/second");
      } catch (HttpProtocolException e) {
        // Apache's async client finds the extra response when it reads it; a request it has
        // queued on that connection by then fails with it ("Unexpected response", Known debts).
        assertThat(kind).as("only the async transport fails the next request: %s", e).isEqualTo(Kind.ASYNC);
        assertThat(e).hasRootCauseMessage("Unexpected response");
        return;
      }
      assertThat(second).isEqualTo("hi");
      assertThat(server.requests()).isEqualTo(2);
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void bytesLeftOnAClosedConnection_doNotFailTheNextRequest(Kind kind) {
    try (Fixture f = fixture(kind)) {
      answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", Mode.CLOSE);
      assertThat(get(f, "/first")).isEqualTo("ok");

      answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", Mode.CLOSE);
      assertThat(get(f, "/second")).isEqualTo("hi");
      assertThat(server.requests()).as("no attempt lost to the leftover").isEqualTo(2);
    }
  }

  /**
   * The classic transport does not reuse a connection with bytes left unread after a response,
   * whatever they are. (The async transport reuses it when they do not make a whole response,
   * and the next request on it fails with an {@link HttpProtocolException}: Apache's async
   * client, ARCHITECTURE.md, Known debts.)
   */
  @Test
  void sync_bytesLeftOnAnOpenConnection_doNotFailTheNextRequest() {
    try (Fixture f = fixture(Kind.SYNC)) {
      answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA", Mode.KEEP_ALIVE);
      assertThat(get(f, "/first")).isEqualTo("ok");

      answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", Mode.KEEP_ALIVE);
      assertThat(get(f, "/second")).isEqualTo("hi");
      assertThat(server.requests()).as("answered at once, not after a timeout and a retry").isEqualTo(2);
    }
  }

  /** A server that sends a body with its answer to a HEAD, which HTTP forbids. */
  @Test
  void sync_bodyOfAHeadAnswer_isNotReadAsTheNextResponse() {
    try (Fixture f = fixture(Kind.SYNC)) {
      answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok", Mode.KEEP_ALIVE);
      f.await(
          f.client.send(
              HttpRequest.newBuilder(server.uri("/head")).HEAD().build(), r -> r.close()));

      answer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", Mode.KEEP_ALIVE);
      assertThat(get(f, "/after-head")).isEqualTo("hi");
      assertThat(server.requests()).as("answered at once, not after a timeout and a retry").isEqualTo(2);
    }
  }

  private Fixture fixture(Kind kind) {
    return Fixture.create(kind, Duration.ofSeconds(5), 1, b -> {});
  }

  private void answer(String response, Mode mode) {
    server.script(new Script(response.getBytes(StandardCharsets.ISO_8859_1), mode));
  }

  private String get(Fixture f, String path) {
    byte[] body =
        f.await(
            f.client.send(
                HttpRequest.newBuilder(server.uri(path)).GET().build(),
                r -> r.body().readAllBytes(1024)));
    return new String(body, StandardCharsets.ISO_8859_1);
  }
}
