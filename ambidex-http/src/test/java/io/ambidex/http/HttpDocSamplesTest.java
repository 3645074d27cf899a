package io.ambidex.http;

import io.ambidex.http.error.HttpIOException;
import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.control.AsyncCallback;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.BlockingWait;
import io.ambidex.CallFuture;
import io.ambidex.Immediate;
import io.ambidex.control.RetryPolicy;
import io.ambidex.control.SyncRuntime;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The compiled source of every code sample in docs/http.md ({@link HttpDocsTest} checks that each
 * block appears here), and a test that runs the central one on both paths.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HttpDocSamplesTest {

  static RequestClient blockingClient() {
    SyncHttpTransport transport = SyncHttpTransport.builder()
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(30))
        .maxConnections(16)
        .build();
    RequestClient client = RequestClient.builder(transport, SyncRuntime.create())
        .retryPolicy(RetryPolicy.builder().maxAttempts(4).build())
        .build();
    return client;
  }

  static RequestClient asyncClient() {
    RequestClient client =
        RequestClient.builder(AsyncHttpTransport.create(), AsyncRuntime.create()).build();
    return client;
  }

  // Written once: runs on the caller's thread under the blocking client, on I/O threads under
  // the async one.
  static CompletionStage<String> fetchGreeting(RequestClient client, URI base) {
    HttpRequest request = HttpRequest.newBuilder(base).query("lang", "en").build();
    return client.send(request, response -> response.body().readString(64 * 1024));
  }

  static String blockingFacade(RequestClient syncClient, URI base) {
    String greeting = Immediate.get(fetchGreeting(syncClient, base), "greeting");
    return greeting;
  }

  static CallFuture<String> asyncFacade(RequestClient asyncClient, URI base) {
    CallFuture<String> future = CallFuture.of("greeting", fetchGreeting(asyncClient, base));
    return future;
  }

  static RequestInterceptor signer() {
    RequestInterceptor signer = RequestInterceptor.of(request -> {
      String payloadHash = request.body().isReplayable()
          ? HexFormat.of().formatHex(request.body().digest("SHA-256"))
          : "UNSIGNED-PAYLOAD";
      return request.toBuilder().setHeader("x-amz-content-sha256", payloadHash).build();
    });
    return signer;
  }

  static HttpRequest upload(URI uri, Path file) {
    HttpRequest put = HttpRequest.newBuilder(uri)
        .PUT(RequestBody.ofFile(file))
        .onProgress(AsyncCallback.of(p ->
            System.out.printf("%s %d/%d%n", p.direction(), p.loaded(), p.total())))
        .timeout(Duration.ofMinutes(5))
        .build();
    return put;
  }

  static String orDefault(RequestClient client, URI uri) {
    try {
      return Immediate.get(fetchGreeting(client, uri), "greeting");
    } catch (HttpClientErrorException e) {
      if (e.status() == 404) {
        return "(none)";
      }
      throw e;
    } catch (HttpIOException e) {
      // connect failure, reset, truncated body, read timeout... after the retries
      throw e;
    }
  }

  @Test
  void fetchGreeting_runsUnchangedOnBothPaths() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.start();
      server.enqueue(new MockResponse.Builder().body("hello").build());
      server.enqueue(new MockResponse.Builder().body("hello").build());
      server.enqueue(new MockResponse.Builder().code(404).build());
      URI base = server.url("/greeting").uri();
      RequestClient sync = blockingClient();
      RequestClient async = asyncClient();
      try {
        assertThat(blockingFacade(sync, base)).isEqualTo("hello");
        assertThat(asyncFacade(async, base).get(10, TimeUnit.SECONDS)).isEqualTo("hello");
        assertThat(orDefault(sync, base)).isEqualTo("(none)");
        assertThat(server.takeRequest().getTarget()).isEqualTo("/greeting?lang=en");
      } finally {
        sync.close();
        BlockingWait.get(async.close(), "close", Duration.ofSeconds(10));
        async.runtime().close();
      }
    }
  }
}
