package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.control.AsyncRuntime;
import io.ambidex.BlockingGuard;
import io.ambidex.BlockingWait;
import io.ambidex.control.SyncRuntime;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Bad input fails at the call, with a message that names the rule and the value. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpRequestTest {
  @Test
  void newBuilder_badUris_failAtTheCall() {
    assertThatThrownBy(() -> HttpRequest.newBuilder("http://host/a b"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a valid URI")
        .hasMessageContaining("percent-encoded");
    assertThatThrownBy(() -> HttpRequest.newBuilder("/relative/path"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not absolute");
    assertThatThrownBy(() -> HttpRequest.newBuilder("ftp://host/file"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("only http and https");
    assertThatThrownBy(() -> HttpRequest.newBuilder("http://bad_host/"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no host");
    assertThatThrownBy(() -> HttpRequest.newBuilder("http://host/a#frag"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("fragment");
    assertThatThrownBy(() -> HttpRequest.newBuilder((String) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("uri");
    assertThatThrownBy(() -> HttpRequest.newBuilder((URI) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("uri");
  }

  @Test
  void header_injectionAndTransportHeaders_areRefused() {
    HttpRequest.Builder b = HttpRequest.newBuilder("http://127.0.0.1/");
    assertThatThrownBy(() -> b.header("X-Evil", "a\r\nHost: other"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("X-Evil")
        .hasMessageContaining("U+000D");
    assertThatThrownBy(() -> b.header("Bad Name", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Bad Name");
    assertThatThrownBy(() -> b.header("Content-Length", "5"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("set by the transport");
    assertThatThrownBy(() -> b.setHeader("host", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.header("X-A", null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.method("GE T", RequestBody.empty()))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> b.timeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout must be at least 1 ms");
  }

  @Test
  void query_isPercentEncodedForSigning_andAppended() {
    HttpRequest r =
        HttpRequest.newBuilder("http://127.0.0.1:9000/bucket?list-type=2")
            .query("prefix", "a b/ü~*")
            .query("uploads", null)
            .build();
    assertThat(r.uri().getRawQuery())
        .isEqualTo("list-type=2&prefix=a%20b%2F%C3%BC~%2A&uploads");
    assertThat(r.isIdempotent()).isTrue();
    assertThat(r.toBuilder().POST(RequestBody.empty()).build().isIdempotent()).isFalse();
  }

  @Test
  void query_unpairedSurrogate_refusedAtTheCall() {
    HttpRequest.Builder b = HttpRequest.newBuilder("http://127.0.0.1:9000/bucket");
    assertThatThrownBy(() -> b.query("prefix", "k\uD800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be valid Unicode")
        .hasMessageContaining("U+D800 at index 1");
    assertThatThrownBy(() -> b.query("\uDC00", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+DC00 at index 0");
    assertThat(b.query("p", "\uD83D\uDE00").build().uri().getRawQuery()).isEqualTo("p=%F0%9F%98%80");
  }

  @Test
  void bodies_declareLengthAndReplayability_andOneShotBodiesRefuseADigest(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("f.bin");
    java.nio.file.Files.write(file, Data.bytes(100_000));
    assertThat(RequestBody.ofFile(file).contentLength()).isEqualTo(100_000);
    assertThat(RequestBody.ofFile(file).digest("SHA-256"))
        .isEqualTo(java.security.MessageDigest.getInstance("SHA-256").digest(Data.bytes(100_000)));
    RequestBody stream = RequestBody.ofInputStream(Data.stream(10), -1);
    assertThat(stream.isReplayable()).isFalse();
    assertThatThrownBy(() -> stream.digest("SHA-256"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("one-shot");
    assertThatThrownBy(() -> RequestBody.ofFile(dir.resolve("missing")))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining("missing");
    assertThatThrownBy(() -> RequestBody.ofFile(dir))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("directory");
    assertThatThrownBy(() -> RequestBody.ofInputStream(Data.stream(1), -2))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> RequestBody.of(new byte[3], 2, 5))
        .isInstanceOf(IndexOutOfBoundsException.class);
  }

  @Test
  void requestClient_refusesMismatchedPairs_andNulls() {
    SyncHttpTransport sync = SyncHttpTransport.create();
    AsyncHttpTransport async = AsyncHttpTransport.create();
    try {
      assertThatThrownBy(() -> RequestClient.builder(async, SyncRuntime.create()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("IncompleteStageException");
      assertThatThrownBy(() -> RequestClient.builder(sync, AsyncRuntime.create()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("block the async caller's thread");
      RequestClient client = RequestClient.builder(sync, SyncRuntime.create()).build();
      assertThatThrownBy(() -> client.send(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> client.send(HttpRequest.newBuilder("http://127.0.0.1/").build(), null))
          .isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> sync.send(null)).isInstanceOf(NullPointerException.class);
      assertThatThrownBy(() -> async.send(null)).isInstanceOf(NullPointerException.class);
    } finally {
      sync.close();
      BlockingWait.get(async.close(), "close", Duration.ofSeconds(30));
    }
    assertThatThrownBy(() -> sync.send(HttpRequest.newBuilder("http://127.0.0.1/").build()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("after the transport was closed");
  }

  /*
   * Sockets count whole milliseconds and take 0 ms as "no timeout": a 1 ns read timeout passed a
   * positive() check and made the blocking transport wait forever.
   */
  @Test
  void timeouts_belowOneMillisecond_refusedAtTheSetter() {
    Duration[] bad = {Duration.ofNanos(1), Duration.ofNanos(999_999), Duration.ZERO, Duration.ofMillis(-1)};
    for (Duration d : bad) {
      assertThatThrownBy(() -> SyncHttpTransport.builder().readTimeout(d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("readTimeout must be at least 1 ms")
          .hasMessageContaining("but was " + d);
      assertThatThrownBy(() -> SyncHttpTransport.builder().connectTimeout(d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("connectTimeout must be at least 1 ms");
      assertThatThrownBy(() -> AsyncHttpTransport.builder().readTimeout(d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("readTimeout must be at least 1 ms");
      assertThatThrownBy(() -> AsyncHttpTransport.builder().connectTimeout(d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("connectTimeout must be at least 1 ms");
      assertThatThrownBy(() -> HttpRequest.newBuilder("http://127.0.0.1/").readTimeout(d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("readTimeout must be at least 1 ms");
      assertThatThrownBy(() -> HttpRequest.newBuilder("http://127.0.0.1/").timeout(d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timeout must be at least 1 ms");
    }
    SyncHttpTransport sync = SyncHttpTransport.create();
    try {
      RequestClient.Builder b = RequestClient.builder(sync, SyncRuntime.create());
      assertThatThrownBy(() -> b.timeout(Duration.ofNanos(1)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timeout must be at least 1 ms");
      b.timeout(Duration.ofMillis(1));
    } finally {
      sync.close();
    }
    SyncHttpTransport.builder().readTimeout(Duration.ofMillis(1)).connectTimeout(Duration.ofMillis(1));
    HttpRequest.newBuilder("http://127.0.0.1/").readTimeout(Duration.ofMillis(1)).timeout(Duration.ofMillis(1));
  }

  @Test
  void asyncTransport_ioThreads_areKnownToTheBlockingGuard_andEndWithClose() throws Exception {
    AsyncHttpTransport async = AsyncHttpTransport.builder().ioThreads(2).build();
    try (mockwebserver3.MockWebServer server = new mockwebserver3.MockWebServer()) {
      server.start();
      // The delay makes the response arrive after thenAccept is registered, so the action runs on
      // the I/O thread that completes the stage (not inline on the test thread).
      server.enqueue(
          new mockwebserver3.MockResponse.Builder()
              .headersDelay(200, TimeUnit.MILLISECONDS)
              .body("x")
              .build());
      CompletableFuture<String> kind = new CompletableFuture<>();
      async
          .send(HttpRequest.newBuilder(server.url("/").uri()).build())
          .thenAccept(
              r -> {
                kind.complete(String.valueOf(BlockingGuard.nonBlockingKind()));
                r.close();
              });
      assertThat(kind.get(10, TimeUnit.SECONDS)).contains("Ambidex HTTP I/O thread");
    } finally {
      BlockingWait.get(async.close(), "close", Duration.ofSeconds(30));
    }
    assertThat(Thread.getAllStackTraces().keySet().stream()
            .filter(t -> t instanceof AsyncHttpTransport.IoThread && t.isAlive())
            .count())
        .as("I/O threads alive after close (other tests' transports are closed too)")
        .isZero();
  }
}
