package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ambidex.CallFuture;
import io.ambidex.test.InterruptSoak;
import io.ambidex.test.LeakCheck;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Soak through the blob client's two facades: operations abandoned at seeded random points
 * (async: cancelled before the request is sent, mid-exchange, mid-body, mid-multipart; blocking:
 * the calling thread interrupted), then nothing may be left behind: no multipart upload on the
 * server, no thread beyond those before, the heap near its baseline, and a client that still
 * serves as many calls at once as it has connections (a leaked connection would starve one).
 *
 * <p>Seeded, fixed counts ({@code -Dambidex.soak.operations=N} for the small operations of each
 * facade, default {@value #DEFAULT_OPERATIONS}; multipart uploads are a tenth of that, at most
 * 24). Nothing is timed: the delays only spread the cancellations over the operation.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CancelSoakTest extends EmbeddedS3Fixture {
  static final int DEFAULT_OPERATIONS = 10_000;
  static final int SMALL = 16 * 1024;
  static final int CONNECTIONS = 6;

  /** The embedded server's pools and the AWS SDK's (the test lists uploads with it). */
  static final String[] SERVER_AND_SDK_THREADS = {
    "qtp", "s3proxy", "S3Proxy", "idle-connection-reaper", "sdk-", "aws-", "response-input-stream"
  };

  static int operations() {
    return Integer.getInteger("ambidex.soak.operations", DEFAULT_OPERATIONS);
  }

  static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey())
        .maxConnections(CONNECTIONS)
        .build();
  }

  @Test
  void asyncClient_operationsCancelledAtRandomPoints_leaveNothingBehind() throws Exception {
    String bucket = Fixtures.bucket();
    byte[] small = bytes(SMALL, 1);
    byte[] large = bytes(12 * MIB, 2);
    AsyncBlobClient client = new AsyncBlobClient(config());
    Baseline before;
    try {
      client.createBucket(bucket).get(30, TimeUnit.SECONDS);
      client.put(bucket, "fixed", small).get(30, TimeUnit.SECONDS);
      before = Baseline.take();
      Random random = new Random(21);
      int cancelled = 0;
      for (int i = 0; i < operations(); i++) {
        CallFuture<?> op =
            random.nextBoolean()
                ? client.put(bucket, "k" + (i % 64), small)
                : client.get(bucket, "fixed");
        cancelled += cancelAfterRandomDelay(op, random, 1_500, small);
      }
      for (int i = 0; i < multipartUploads(); i++) {
        CallFuture<PutResult> put = client.put(bucket, "large" + i, large);
        cancelled += cancelAfterRandomDelay(put, random, 300_000, null);
      }
      assertThat(cancelled).as("operations cancelled").isPositive();
      assertNothingLeft(bucket, before);
      assertStillServesEveryConnection(
          () -> client.get(bucket, "fixed").get(30, TimeUnit.SECONDS), small);
    } finally {
      client.close().get(30, TimeUnit.SECONDS);
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(LeakCheck.liveThreads(SERVER_AND_SDK_THREADS)).as("threads after close").isSubsetOf(before.threads()));
  }

  @Test
  void blockingClient_callsInterruptedAtRandomMoments_leaveNothingBehind() throws Exception {
    String bucket = Fixtures.bucket();
    byte[] small = bytes(SMALL, 3);
    byte[] large = bytes(12 * MIB, 4);
    BlobClient client = new BlobClient(config());
    try {
      client.createBucket(bucket);
      client.put(bucket, "fixed", small);
      Baseline before = Baseline.take();
      Random random = new Random(23);
      int total = operations() + multipartUploads();
      InterruptSoak.Outcome outcome =
          InterruptSoak.run(
              total,
              29,
              Duration.ofMillis(3),
              Duration.ofMinutes(8),
              i -> {
                if (i >= operations()) {
                  client.put(bucket, "large" + i, large);
                } else if (random.nextBoolean()) {
                  client.put(bucket, "k" + (i % 64), small);
                } else if (!Arrays.equals(client.get(bucket, "fixed"), small)) {
                  throw new AssertionError("wrong bytes in call " + i);
                }
              });
      assertThat(outcome.interrupted()).as("calls interrupted").isPositive();
      assertNothingLeft(bucket, before);
      assertStillServesEveryConnection(() -> client.get(bucket, "fixed"), small);
    } finally {
      client.close();
    }
  }

  static int multipartUploads() {
    return Math.min(24, Math.max(2, operations() / 10));
  }

  /**
   * Cancels {@code op} after up to {@code maxMicros}; returns 1 if the cancel won. A result that
   * won instead must be right ({@code expected}, when given, for a get).
   */
  private static int cancelAfterRandomDelay(
      CallFuture<?> op, Random random, int maxMicros, byte[] expected) throws Exception {
    int micros = random.nextInt(4) == 0 ? 0 : random.nextInt(maxMicros);
    if (micros > 0) {
      LockSupport.parkNanos(micros * 1_000L);
    }
    op.cancel(true);
    try {
      Object result = op.get(60, TimeUnit.SECONDS);
      if (expected != null && result instanceof byte[] bytes) {
        assertThat(Arrays.equals(bytes, expected)).as("bytes of a get that won").isTrue();
      }
      return 0;
    } catch (CancellationException e) {
      return 1;
    }
  }

  record Baseline(Set<String> threads, long heapBytes) {
    static Baseline take() {
      return new Baseline(LeakCheck.liveThreads(SERVER_AND_SDK_THREADS), LeakCheck.usedHeapAfterGc());
    }
  }

  private static void assertNothingLeft(String bucket, Baseline before) {
    // An abort runs after the cancel has completed the caller's future: wait for it, without
    // asserting on how long it takes.
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> assertThat(Fixtures.uploads(sdk, bucket)).as("multipart uploads left").isEmpty());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(LeakCheck.liveThreads(SERVER_AND_SDK_THREADS))
                    .as("threads started and not ended (but the client runtime's timer, started by"
                        + " its first retry delay and stopped by its close)")
                    .filteredOn(n -> !n.startsWith("ambidex-async-timer"))
                    .isSubsetOf(before.threads()));
    assertThat(LeakCheck.usedHeapAfterGc() - before.heapBytes())
        .as("heap bytes held after the soak, beyond the baseline")
        .isLessThan(48L << 20);
  }

  /** As many gets at once as the client has connections: each must get one. */
  private static void assertStillServesEveryConnection(
      java.util.concurrent.Callable<byte[]> get, byte[] expected) throws Exception {
    List<Thread> threads = new ArrayList<>();
    List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < CONNECTIONS; i++) {
      Thread t =
          new Thread(
              () -> {
                try {
                  if (!Arrays.equals(get.call(), expected)) {
                    failures.add(new AssertionError("wrong bytes"));
                  }
                } catch (Throwable e) {
                  failures.add(e);
                }
              });
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) {
      t.join(60_000);
    }
    assertThat(failures).as("calls after the soak").isEmpty();
  }


}
