package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.context.ContextPropagation;
import io.ambidex.context.ContextPropagator;
import io.ambidex.stream.AsyncIterator;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

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

  /*
   * The response side: the transport's own code on the I/O thread (reading the head, copying
   * body chunks, completing reads inside the sender's context). An Error there, such as running
   * out of memory for a chunk copy, used to escape into Apache's reactor: the exchange never
   * completed and the caller waited until its own timeout. The OutOfMemoryError is raised here by
   * a context propagator's restore, which the transport calls at those points and which the core
   * lets through (a VirtualMachineError is not the propagator's to swallow). Now it fails the
   * exchange with the Error, and the transport goes on.
   */
  @ParameterizedTest
  @ValueSource(ints = {1, 2}) // 1: the head's restore; 2: the first body read's
  @SuppressWarnings("try") // the registration is closed, never read
  void anErrorOnTheResponseSide_failsItsExchange_andTheTransportGoesOn(int breakingRestore)
      throws Exception {
    BreakingPropagator propagator = new BreakingPropagator();
    try (MockWebServer server = new MockWebServer();
        ContextPropagation.Registration registration = ContextPropagation.register(propagator)) {
      server.enqueue(
          new MockResponse.Builder()
              .code(200)
              .body("a body that comes later")
              .throttleBody(8, 50, TimeUnit.MILLISECONDS)
              .build());
      server.enqueue(new MockResponse.Builder().code(200).body("ok").build());
      server.start();
      AsyncHttpTransport transport =
          AsyncHttpTransport.builder().readTimeout(Duration.ofSeconds(5)).ioThreads(1).build();
      try {
        HttpRequest get = HttpRequest.newBuilder(server.url("/x").uri()).GET().build();
        propagator.breakAt(breakingRestore);
        CompletableFuture<String> read =
            transport.send(get).toCompletableFuture()
                .thenCompose(r -> r.body().readString(1024));
        assertThatThrownBy(() -> read.get(20, TimeUnit.SECONDS))
            .isInstanceOf(ExecutionException.class)
            .hasRootCauseInstanceOf(OutOfMemoryError.class)
            .rootCause()
            .hasMessage("simulated: out of memory on the I/O thread");
        HttpRequest next = HttpRequest.newBuilder(server.url("/y").uri()).GET().build();
        assertThat(transport.send(next).toCompletableFuture().get(20, TimeUnit.SECONDS).status())
            .isEqualTo(200);
      } finally {
        transport.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
    }
  }

  /** Breaks the n-th restore of a snapshot taken while armed, once, with an OutOfMemoryError. */
  static final class BreakingPropagator implements ContextPropagator {
    private final AtomicInteger countdown = new AtomicInteger();

    void breakAt(int n) {
      countdown.set(n);
    }

    @Override
    public Snapshot capture() {
      boolean armed = countdown.get() > 0;
      return () -> {
        if (armed && countdown.decrementAndGet() == 0) {
          throw new OutOfMemoryError("simulated: out of memory on the I/O thread");
        }
        return () -> {};
      };
    }
  }
}
