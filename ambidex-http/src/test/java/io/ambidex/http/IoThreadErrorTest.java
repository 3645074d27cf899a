package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.stream.AsyncIterator;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A request body's source is the caller's code, and the async transport runs it on an I/O thread:
 * an {@link Error} it throws fails that exchange, with the Error as what {@code get()} reports, and
 * the transport serves the next request. (It used to reach Apache's reactor, which shut down: every
 * later request failed with "I/O reactor has been shut down".)
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IoThreadErrorTest {
  @Test
  void anErrorFromARequestBody_failsItsExchange_andTheTransportGoesOn() throws Exception {
    try (MockWebServer server = new MockWebServer()) {
      server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
      server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
      server.start();
      AsyncHttpTransport transport =
          AsyncHttpTransport.builder().readTimeout(Duration.ofSeconds(5)).ioThreads(1).build();
      try {
        AsyncIterator<ByteBuffer> broken =
            new AsyncIterator<>() {
              @Override
              public CompletionStage<Boolean> hasNext() {
                return CompletableFuture.completedFuture(true);
              }

              @Override
              public ByteBuffer next() {
                throw new AssertionError("a body source that breaks with an Error");
              }

              @Override
              public CompletionStage<Void> close() {
                return CompletableFuture.completedFuture(null);
              }
            };
        HttpRequest post =
            HttpRequest.newBuilder(server.url("/x").uri())
                .POST(RequestBody.ofChunks(broken, 10))
                .build();
        assertThatThrownBy(
                () -> transport.send(post).toCompletableFuture().get(20, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOf(AssertionError.class)
            .hasMessage("a body source that breaks with an Error");
        HttpRequest get = HttpRequest.newBuilder(server.url("/y").uri()).GET().build();
        assertThat(transport.send(get).toCompletableFuture().get(20, TimeUnit.SECONDS).status())
            .isEqualTo(200);
      } finally {
        transport.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }
}
