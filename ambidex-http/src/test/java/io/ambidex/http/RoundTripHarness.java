package io.ambidex.http;

import com.sun.net.httpserver.HttpServer;
import io.ambidex.BlockingWait;
import io.ambidex.Immediate;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.async.methods.SimpleRequestBuilder;
import org.apache.hc.core5.http.io.entity.EntityUtils;

/**
 * A small GET round trip against a local server, one call at a time on one thread, through each
 * candidate client. Not a test: the figures in docs/http.md come from it. Run (from the repo root,
 * after {@code mvn -pl ambidex-http -am test-compile}):
 *
 * <pre>
 * mvn -q -pl ambidex-http dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -cp ambidex-core/target/classes:ambidex-http/target/classes:ambidex-http/target/test-classes:$(cat /tmp/cp.txt) io.ambidex.http.RoundTripHarness
 * </pre>
 */
public final class RoundTripHarness {
  private RoundTripHarness() {}

  public static void main(String[] args) throws Exception {
    int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 5_000;
    int calls = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(Executors.newFixedThreadPool(2));
    server.createContext(
        "/",
        ex -> {
          ex.getRequestBody().readAllBytes();
          ex.sendResponseHeaders(200, hello.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(hello);
          }
        });
    server.start();
    URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/small");
    try {
      java.net.http.HttpClient jdk =
          java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1).build();
      java.net.http.HttpRequest jdkReq = java.net.http.HttpRequest.newBuilder(uri).build();
      measure("JDK HttpClient.send", warmup, calls,
          () -> jdk.send(jdkReq, java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body().length);
      measure("JDK HttpClient.sendAsync().join()", warmup, calls,
          () -> jdk.sendAsync(jdkReq, java.net.http.HttpResponse.BodyHandlers.ofByteArray()).join().body().length);
      jdk.close();

      try (CloseableHttpClient classic = HttpClients.createDefault()) {
        measure("Apache classic (raw)", warmup, calls,
            () -> classic.execute(new HttpGet(uri), r -> EntityUtils.toByteArray(r.getEntity()).length));
      }
      try (CloseableHttpAsyncClient async = HttpAsyncClients.createDefault()) {
        async.start();
        measure("Apache async (raw) .get()", warmup, calls,
            () -> async.execute(SimpleRequestBuilder.get(uri).build(), null).get().getBodyBytes().length);
      }

      HttpRequest request = HttpRequest.newBuilder(uri).build();
      SyncHttpTransport sync = SyncHttpTransport.create();
      measure("SyncHttpTransport + Immediate", warmup, calls,
          () -> {
            HttpResponse r = Immediate.get(sync.send(request), "get");
            return Immediate.get(r.body().readAllBytes(1024), "read").length;
          });
      sync.close();
      AsyncHttpTransport asyncT = AsyncHttpTransport.create();
      measure("AsyncHttpTransport + BlockingWait", warmup, calls,
          () -> BlockingWait.get(
              asyncT.send(request).thenCompose(r -> r.body().readAllBytes(1024)), "get").length);
      BlockingWait.get(asyncT.close(), "close", Duration.ofSeconds(10));
    } finally {
      server.stop(0);
      ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
  }

  private static void measure(String name, int warmup, int calls, Callable<Integer> call)
      throws Exception {
    for (int i = 0; i < warmup; i++) {
      check(call.call());
    }
    long[] nanos = new long[calls];
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      long t0 = System.nanoTime();
      check(call.call());
      nanos[i] = System.nanoTime() - t0;
    }
    long total = System.nanoTime() - start;
    Arrays.sort(nanos);
    System.out.printf(
        "%-36s p50 %6.1f us   p90 %6.1f us   p99 %7.1f us   mean %6.1f us   %7.0f calls/s%n",
        name,
        nanos[calls / 2] / 1e3,
        nanos[calls * 9 / 10] / 1e3,
        nanos[calls * 99 / 100] / 1e3,
        total / 1e3 / calls,
        calls / (total / 1e9));
  }

  private static void check(int n) {
    if (n != 5) {
      throw new AssertionError("expected 5 bytes, got " + n);
    }
  }
}
