package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.BlockingWait;
import io.ambidex.CallFuture;
import io.ambidex.Immediate;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.SyncRuntime;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * "No timeout" spelled as a huge {@link Duration} is accepted by every setter and works as the
 * longest wait there is, on both transports. Found by exploratory testing: the blocking transport
 * converted it to nanoseconds, and every call failed with {@code ArithmeticException: long
 * overflow}.
 */
@Timeout(60)
class HugeTimeoutTest {
  private static final Duration FOREVER = Duration.ofMillis(Long.MAX_VALUE);
  private static final Duration MILLENNIUM = Duration.ofDays(365L * 1000);

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void hugeTimeouts_everywhere_areTheLongestWait(Fixture.Kind kind) throws Exception {
    HttpTransport transport =
        kind == Fixture.Kind.SYNC
            ? SyncHttpTransport.builder()
                .connectTimeout(FOREVER)
                .readTimeout(FOREVER)
                .connectionTtl(FOREVER)
                .build()
            : AsyncHttpTransport.builder()
                .connectTimeout(FOREVER)
                .readTimeout(FOREVER)
                .connectionTtl(FOREVER)
                .build();
    CoreRuntime runtime = kind == Fixture.Kind.SYNC ? SyncRuntime.create() : AsyncRuntime.create();
    try (RawHttpServer server = new RawHttpServer()) {
      server.script(
          new RawHttpServer.Script(
              "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                  .getBytes(StandardCharsets.ISO_8859_1),
              RawHttpServer.Mode.KEEP_ALIVE));
      RequestClient withTotal =
          RequestClient.builder(transport, runtime).timeout(Duration.ofSeconds(30)).build();
      RequestClient plain = RequestClient.builder(transport, runtime).build();

      assertThat(read(kind, withTotal, HttpRequest.newBuilder(server.uri("/a")).build()))
          .isEqualTo("ok");
      assertThat(
              read(
                  kind,
                  plain,
                  HttpRequest.newBuilder(server.uri("/b")).readTimeout(MILLENNIUM).build()))
          .isEqualTo("ok");
      assertThat(
              read(
                  kind,
                  withTotal,
                  HttpRequest.newBuilder(server.uri("/c"))
                      .readTimeout(FOREVER)
                      .timeout(MILLENNIUM)
                      .build()))
          .isEqualTo("ok");
    } finally {
      BlockingWait.get(transport.close(), "close", Duration.ofSeconds(30));
      BlockingWait.get(runtime.close(), "close", Duration.ofSeconds(30));
    }
  }

  private static String read(Fixture.Kind kind, RequestClient client, HttpRequest request) {
    var stage = client.send(request, r -> r.body().readString(10));
    return kind == Fixture.Kind.SYNC
        ? Immediate.get(stage, "get")
        : BlockingWait.get(CallFuture.of("get", stage), "get", Duration.ofSeconds(30));
  }
}
