package io.ambidex.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.http.HttpRequest;
import io.ambidex.http.RequestBody;
import io.ambidex.http.error.ConnectFailedException;
import io.ambidex.http.error.ConnectionResetException;
import io.ambidex.http.error.HttpProtocolException;
import io.ambidex.http.error.TlsException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.URI;
import java.time.Duration;
import javax.net.ssl.SSLHandshakeException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.http.RequestNotExecutedException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The translation table for lower-layer failures that a live test cannot provoke on demand: each
 * becomes the toolkit's type, keeps the original as its cause, and says whether anything was sent.
 */
class TranslateTest {
  static final HttpRequest POST =
      HttpRequest.newBuilder(URI.create("http://127.0.0.1:9/x")).POST(RequestBody.of(new byte[1])).build();

  static java.util.stream.Stream<Arguments> table() {
    return java.util.stream.Stream.of(
        Arguments.of(new RequestNotExecutedException(), ConnectFailedException.class, "Nothing was sent"),
        Arguments.of(new ConnectException("Connection refused"), ConnectFailedException.class, "Nothing was sent"),
        Arguments.of(new SSLHandshakeException("PKIX path building failed"), TlsException.class, "certificate"),
        Arguments.of(new ConnectionClosedException("Connection closed by peer"), ConnectionResetException.class, "may have processed"),
        Arguments.of(new SocketException("Connection reset"), ConnectionResetException.class, "may have processed"),
        Arguments.of(new MessageConstraintException("Maximum line length limit exceeded"), HttpProtocolException.class, "not valid HTTP"));
  }

  @ParameterizedTest
  @MethodSource("table")
  void failure_becomesTheToolkitsType_withTheOriginalAsCause(
      IOException raw, Class<? extends RuntimeException> expected, String says) {
    RuntimeException translated =
        Translate.failure(raw, POST, Duration.ofSeconds(1), Duration.ofSeconds(1));

    assertThat(translated).isExactlyInstanceOf(expected).hasCause(raw).hasMessageContaining(says);
    assertThat(translated.getMessage()).contains("POST http://127.0.0.1:9/x");
  }
}
