package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.control.RetryPolicy;
import io.ambidex.http.Fixture.Kind;
import io.ambidex.http.RawHttpServer.Mode;
import io.ambidex.http.RawHttpServer.Script;
import io.ambidex.http.error.ConnectionResetException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A server that resets the connection while the client is still sending the request body (as a
 * server process killed mid upload does): on both transports the failure is {@link
 * ConnectionResetException}, the type the exception tree gives "the peer closed or reset the
 * connection mid-exchange", and the connection is not left leased.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PeerResetMidUploadTest {
  @ParameterizedTest
  @EnumSource(Kind.class)
  void upload_peerResetsBeforeTheBodyIsSent_failsWithConnectionReset(Kind kind) throws Exception {
    try (RawHttpServer server = new RawHttpServer();
        Fixture f = Fixture.create(kind, Duration.ofSeconds(10), 2, b -> b.retryPolicy(RetryPolicy.none()))) {
      server.script(new Script(new byte[0], Mode.RESET));
      // Far more than the socket buffers hold: the client is still writing when the reset comes.
      byte[] body = new byte[64 * 1024 * 1024];
      HttpRequest put = HttpRequest.newBuilder(server.uri("/upload")).PUT(RequestBody.of(body)).build();

      assertThatThrownBy(() -> f.await(f.client.send(put, r -> r.body().readAllBytes(1024))))
          .isInstanceOf(ConnectionResetException.class);
      await().atMost(Duration.ofSeconds(10)).until(() -> f.leased() == 0);
    }
  }
}
