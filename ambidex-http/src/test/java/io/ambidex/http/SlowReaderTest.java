package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The read timeout measures the server's silence while the client waits for data, not the
 * application's pauses: a reader busy for longer than the read timeout, while the server is
 * ready to send, still reads the whole body on both transports. Found by exploratory testing: on
 * the async transport, backpressure stopped the socket reads, Apache's socket timeout went on
 * counting, and the download failed with a {@code ReadTimeoutException} blaming the server.
 */
@Timeout(60)
class SlowReaderTest {
  private static final int SIZE = 8 << 20;

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void readerBusyLongerThanTheReadTimeout_stillReadsTheWholeBody(Fixture.Kind kind)
      throws Exception {
    ByteArrayOutputStream response = new ByteArrayOutputStream();
    response.write(
        ("HTTP/1.1 200 OK\r\nContent-Length: " + SIZE + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    response.write(new byte[SIZE]);
    try (RawHttpServer server = new RawHttpServer();
        Fixture f = Fixture.create(kind, Duration.ofMillis(300), 1, b -> {})) {
      server.script(new RawHttpServer.Script(response.toByteArray(), RawHttpServer.Mode.CLOSE));
      HttpResponse r = f.await(f.client.send(HttpRequest.newBuilder(server.uri("/big")).build()));
      long total = 0;
      try (InputStream in = r.body().asInputStream()) {
        byte[] buf = new byte[64 * 1024];
        total += in.read(buf);
        // The application is busy (a slow downstream consumer), five read timeouts long, while
        // the server waits to send the rest. What is tested is this pause, not a synchronisation.
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1500));
        for (int n; (n = in.read(buf)) >= 0; ) {
          total += n;
        }
      }
      assertThat(total).isEqualTo(SIZE);
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> f.leased() == 0);
    }
  }
}
