package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import io.ambidex.test.LeakCheck;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import io.ambidex.test.InterruptSoak;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Soak: many exchanges abandoned at random points, then nothing may be left behind. The async
 * path's calls are cancelled after a random delay (before the request is sent, while the head is
 * awaited, in the middle of the body); the blocking path's calling thread is interrupted at
 * random moments. Afterwards: no connection still leased from the pool, no thread more than
 * before, the heap back near where it was, and every exchange that completed read the right
 * bytes.
 *
 * <p>Seeded, with a fixed count ({@value #DEFAULT_OPERATIONS} per path; {@code
 * -Dambidex.soak.operations=N} for a longer soak). Nothing is timed: the delays only spread the
 * cancellations over the exchange.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CancelSoakTest {
  static final int DEFAULT_OPERATIONS = 10_000;
  static final int BODY = 64 * 1024;
  static final byte[] PAYLOAD = payload();

  private MockWebServer server;

  static byte[] payload() {
    byte[] b = new byte[BODY];
    new Random(7).nextBytes(b);
    return b;
  }

  static int operations() {
    return Integer.getInteger("ambidex.soak.operations", DEFAULT_OPERATIONS);
  }

  @BeforeEach
  void start() throws Exception {
    server = new MockWebServer();
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            return new MockResponse.Builder().code(200).body(new Buffer().write(PAYLOAD)).build();
          }
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpRequest request(int i) {
    return HttpRequest.newBuilder(server.url("/o/" + i).uri()).build();
  }

  @Test
  void asyncCalls_cancelledAtRandomPoints_leaveNothingBehind() throws Exception {
    try (Fixture f = Fixture.create(Fixture.Kind.ASYNC, Duration.ofSeconds(10), 8, b -> {})) {
      Baseline before = warmUpAndMeasure(f);
      Random random = new Random(11);
      int completed = 0;
      int cancelled = 0;
      for (int i = 0; i < operations(); i++) {
        boolean manual = random.nextInt(4) == 0;
        CompletableFuture<byte[]> call =
            manual
                ? f.client
                    .send(request(i))
                    .thenCompose(r -> r.body().readAllBytes(BODY))
                    .toCompletableFuture()
                : f.client.send(request(i), r -> r.body().readAllBytes(BODY)).toCompletableFuture();
        int delayMicros = random.nextInt(4) == 0 ? 0 : random.nextInt(1_500);
        if (delayMicros > 0) {
          LockSupport.parkNanos(delayMicros * 1_000L);
        }
        call.cancel(true);
        try {
          byte[] body = call.get(30, TimeUnit.SECONDS);
          assertThat(Arrays.equals(body, PAYLOAD)).as("body of exchange " + i).isTrue();
          completed++;
        } catch (CancellationException e) {
          cancelled++;
        }
      }
      assertThat(cancelled).as("exchanges cancelled").isPositive();
      assertThat(completed + cancelled).isEqualTo(operations());
      assertNothingLeft(f, before);
    }
  }

  @Test
  void blockingCalls_interruptedAtRandomMoments_leaveNothingBehind() throws Exception {
    try (Fixture f = Fixture.create(Fixture.Kind.SYNC, Duration.ofSeconds(10), 8, b -> {})) {
      Baseline before = warmUpAndMeasure(f);
      InterruptSoak.Outcome outcome =
          InterruptSoak.run(
              operations(),
              13,
              Duration.ofMillis(2),
              Duration.ofMinutes(8),
              i -> {
                byte[] body = f.await(f.client.send(request(i), r -> r.body().readAllBytes(BODY)));
                if (!Arrays.equals(body, PAYLOAD)) {
                  throw new AssertionError("wrong body in exchange " + i);
                }
              });
      assertThat(outcome.interrupted()).as("calls interrupted").isPositive();
      assertNothingLeft(f, before);
    }
  }

  record Baseline(Set<String> names, long heapBytes) {}

  /** A few whole exchanges first, so that pools, classes and I/O threads exist before counting. */
  private Baseline warmUpAndMeasure(Fixture f) {
    for (int i = 0; i < 20; i++) {
      byte[] body = f.await(f.client.send(request(i), r -> r.body().readAllBytes(BODY)));
      assertThat(body).hasSize(BODY);
    }
    return new Baseline(LeakCheck.liveThreads("MockWebServer", "OkHttp"), LeakCheck.usedHeapAfterGc());
  }

  private void assertNothingLeft(Fixture f, Baseline before) {
    Set<String> threadsBefore = before.names();
    // A connection of a cancelled exchange is released by the I/O thread that sees the cancel:
    // wait for it, without asserting on how long it takes.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(f.leased()).isZero());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(LeakCheck.liveThreads("MockWebServer", "OkHttp"))
                    .as("threads started and not ended")
                    .isSubsetOf(threadsBefore));
    long growth = LeakCheck.usedHeapAfterGc() - before.heapBytes();
    assertThat(growth).as("heap bytes held after the soak, beyond the baseline").isLessThan(32L << 20);
    // And the client still works.
    byte[] after = f.await(f.client.send(request(-1), r -> r.body().readAllBytes(BODY)));
    assertThat(after).isEqualTo(PAYLOAD);
  }


}
