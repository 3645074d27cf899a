package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import io.ambidex.test.LeakCheck;
import java.util.HashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * bytes. A quarter of the async calls cancel a stage derived from {@code send(request)}, which
 * does not reach the send: a response that then arrives is dropped, and released once collected
 * (with a warning); only those exchanges may be released that way, never one read through a
 * handler or a blocking call.
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

  private static final Pattern DROPPED = Pattern.compile("/o/(-?\\d+) became unreachable");

  private MockWebServer server;
  private WarningCapture warnings;

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
    warnings = WarningCapture.start();
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
    warnings.close();
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
      Set<Integer> derived = new HashSet<>();
      for (int i = 0; i < operations(); i++) {
        boolean manual = random.nextInt(4) == 0;
        if (manual) {
          derived.add(i);
        }
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
      assertNothingLeft(f, before, derived);
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
      assertNothingLeft(f, before, Set.of());
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

  /**
   * @param mayBeDropped the exchanges whose response may have arrived after the caller gave up
   *     on a derived stage, and so be released only once collected
   */
  private void assertNothingLeft(Fixture f, Baseline before, Set<Integer> mayBeDropped) {
    Set<String> threadsBefore = before.names();
    // A connection of a cancelled exchange is released by the I/O thread that sees the cancel,
    // that of a dropped response once the collector finds it: wait for both, without asserting
    // on how long they take.
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(
            () -> {
              System.gc();
              assertThat(f.leased()).isZero();
            });
    Set<Integer> dropped = new HashSet<>();
    for (String w : warnings.messages()) {
      Matcher m = DROPPED.matcher(w);
      if (m.find()) {
        dropped.add(Integer.parseInt(m.group(1)));
      }
    }
    assertThat(dropped).as("exchanges released only when collected").isSubsetOf(mayBeDropped);
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
