package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.context.ContextPropagation;
import io.ambidex.test.ThreadLocalContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The async transport completes the response, and each read of its body, inside the context of
 * the thread that sent the request ({@code io.ambidex.context}), so plain {@code CompletableFuture}
 * continuations (a core's own, or its caller's) see the sender's MDC or trace on the I/O thread.
 * The server delays the head and trickles the body, so the response and a read complete on the
 * I/O thread after the continuations were attached.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AsyncTransportContextTest {
  /** A user's own context: one thread-local and its propagator. */
  static final ThreadLocalContext REQUEST = new ThreadLocalContext();

  @Test
  @SuppressWarnings("try") // the registration is closed, never read
  void responseAndBodyReads_completeInsideTheSendersContext_onTheIoThread() throws Exception {
    try (MockWebServer server = new MockWebServer();
        ContextPropagation.Registration registration = ContextPropagation.register(REQUEST)) {
      server.enqueue(
          new MockResponse.Builder()
              .code(200)
              .body("a body sent eight bytes at a time, 100 ms apart")
              .headersDelay(200, TimeUnit.MILLISECONDS)
              .throttleBody(8, 100, TimeUnit.MILLISECONDS)
              .build());
      server.start();
      AsyncHttpTransport transport =
          AsyncHttpTransport.builder().readTimeout(Duration.ofSeconds(10)).ioThreads(1).build();
      try {
        REQUEST.set("req-7");
        CompletableFuture<HttpResponse> sent =
            transport.send(HttpRequest.newBuilder(server.url("/x").uri()).GET().build())
                .toCompletableFuture();
        CompletableFuture<String> onResponse =
            sent.thenApply(r -> REQUEST.get() + " on " + Thread.currentThread().getName());
        REQUEST.set(null);
        // Waiting on the dependent, not on `sent`: a thread waiting in sent.get() may run sent's
        // dependents itself (CompletableFuture's helping), which would prove nothing.
        assertThat(onResponse.get(30, TimeUnit.SECONDS)).startsWith("req-7 on ambidex-http-io-");

        var chunks = sent.join().body().chunks();
        // Reads what has arrived, up to the first read that has to wait for the server. The
        // continuation is attached before the read is looked at: a read that completes between a
        // check and the attaching would run the continuation here, on the test's thread (seen
        // under load), so a read counts as waiting only if its continuation has not run yet.
        CompletableFuture<String> onRead;
        while (true) {
          CompletableFuture<Boolean> pending = chunks.hasNext().toCompletableFuture();
          onRead =
              pending.thenApply(more -> REQUEST.get() + " on " + Thread.currentThread().getName());
          if (!onRead.isDone()) {
            break;
          }
          assertThat(pending.join()).as("the body ended before a read had to wait").isTrue();
          chunks.next();
        }
        assertThat(onRead.get(30, TimeUnit.SECONDS))
            .as("a read started on a thread with nothing bound, inside the sender's context")
            .startsWith("req-7 on ambidex-http-io-");
        assertThat(REQUEST.get()).isNull();
        ByteBuffer next = chunks.next();
        assertThat(next.remaining()).isPositive();
        chunks.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } finally {
        transport.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }
}
