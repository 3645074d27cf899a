package io.ambidex.flavours.it;

import static io.ambidex.flavours.it.SharedS3.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ambidex.blob.BlobObject;
import io.ambidex.flavours.it.Subscriptions.Handle;
import io.ambidex.s3embedded.EmbeddedS3;
import io.ambidex.test.LeakCheck;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Soak through each generated flavour facade of the blob client (Reactor, RxJava 3, Mutiny):
 * subscriptions disposed at seeded random points (before the request is sent, mid-exchange,
 * mid-body of a streamed 4 MiB download, mid-listing, mid-multipart upload), then nothing may be left
 * behind: no multipart upload on the server, no thread beyond those before, the heap near its
 * baseline, and a client that still serves as many calls at once as it has connections (a leaked
 * connection would starve one).
 *
 * <p>Disposing is the flavour's only way to cancel, and a disposed subscriber hears nothing more,
 * so the soak cannot wait for each cancelled call to end; the checks afterwards wait (without
 * timing anything) until the cancelled work has released what it held.
 *
 * <p>Seeded, fixed counts: {@code -Dambidex.soak.operations=N} small operations per flavour,
 * default {@value #DEFAULT_OPERATIONS}; multipart uploads are a tenth of that, at most 12.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class FlavourCancelSoakTest {
  static final int DEFAULT_OPERATIONS = 10_000;
  static final int SMALL = 16 * 1024;
  static final int CONNECTIONS = 6;

  /** The embedded server's pools and the AWS SDK's (the test lists uploads with it). */
  static final String[] SERVER_AND_SDK_THREADS = {
    "qtp", "s3proxy", "S3Proxy", "idle-connection-reaper", "sdk-", "aws-", "response-input-stream"
  };

  @TempDir static Path data;

  private static EmbeddedS3 s3;
  private static S3Client sdk;

  /**
   * A server of its own, on a filesystem store: the shared one keeps objects in this JVM's heap,
   * which the heap check would count.
   */
  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(data.resolve("store"));
    sdk = SharedS3.sdk(s3);
  }

  @AfterAll
  static void stop() {
    sdk.close();
    s3.close();
  }

  static java.util.stream.Stream<BlobFlavour.Kind> kinds() {
    return java.util.stream.Stream.concat(
        java.util.stream.Stream.of(new BlobFlavour.Kind("async", BlobFlavour::async)),
        BlobFlavour.kinds());
  }

  static int operations() {
    return Integer.getInteger("ambidex.soak.operations", DEFAULT_OPERATIONS);
  }

  static int multipartUploads() {
    return Math.min(12, Math.max(2, operations() / 10));
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void subscriptionsDisposedAtRandomPoints_leaveNothingBehind(BlobFlavour.Kind kind)
      throws Exception {
    String bucket = SharedS3.freshBucket();
    byte[] small = bytes(SMALL, 1);
    byte[] large = bytes(12 * MIB, 2);
    BlobFlavour blobs = kind.open().apply(SharedS3.config(s3, CONNECTIONS));
    Set<String> threadsBefore;
    long heapBefore;
    try {
      blobs.createBucket(bucket).subscribe().await();
      blobs.put(bucket, "fixed", small).subscribe().await();
      // Larger than what the transport buffers: a streamed download left open would hold its
      // connection.
      blobs.put(bucket, "big", bytes(4 * MIB, 3)).subscribe().await();
      for (int i = 0; i < 5; i++) {
        blobs.put(bucket, "page" + i, small).subscribe().await();
      }
      // One of each operation run to its end first, so that pools the flavour's library starts
      // once (and keeps) exist before the baseline is taken.
      assertThat(blobs.get(bucket, "fixed").subscribe().await()).isEqualTo(small);
      assertThat(collect(blobs.list(bucket, "page"))).hasSize(5);
      threadsBefore = LeakCheck.liveThreads(SERVER_AND_SDK_THREADS);
      heapBefore = LeakCheck.usedHeapAfterGc();

      Random random = new Random(31 + kind.name().hashCode());
      int disposedEarly = 0;
      for (int i = 0; i < operations(); i++) {
        switch (random.nextInt(4)) {
          case 0 ->
              disposedEarly +=
                  disposeAfterRandomDelay(
                      blobs.put(bucket, "k" + (i % 64), small).subscribe(), random, 1_500, null);
          case 1 ->
              disposedEarly +=
                  disposeAfterRandomDelay(
                      blobs.get(bucket, "fixed").subscribe(), random, 1_500, small);
          case 2 -> disposedEarly += cancelStreamAfterRandomDelay(
              blobs.open(bucket, "big"), random, 1_500);
          default -> disposedEarly += cancelStreamAfterRandomDelay(
              blobs.list(bucket, "page"), random, 1_500);
        }
      }
      for (int i = 0; i < multipartUploads(); i++) {
        disposedEarly +=
            disposeAfterRandomDelay(
                blobs.put(bucket, "large" + i, large).subscribe(), random, 300_000, null);
      }
      assertThat(disposedEarly).as("subscriptions disposed before their outcome").isPositive();

      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () ->
                  assertThat(sdk.listMultipartUploads(b -> b.bucket(bucket)).uploads())
                      .as("multipart uploads left")
                      .isEmpty());
      assertStillServesEveryConnection(blobs, bucket, small);
      assertThat(LeakCheck.usedHeapAfterGc() - heapBefore)
          .as("heap bytes held after the soak, beyond the baseline")
          .isLessThan(48L << 20);
    } finally {
      blobs.close().subscribe().await();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(LeakCheck.liveThreads(SERVER_AND_SDK_THREADS))
                    .as("threads after close (but the client runtime's timer, stopped by close)")
                    .filteredOn(n -> !n.startsWith("ambidex-async-timer"))
                    .isSubsetOf(threadsBefore));
  }

  /**
   * Disposes {@code op} after up to {@code maxMicros}; returns 1 if the dispose came before the
   * outcome. An outcome that came first must be right ({@code expected}, when given).
   */
  private static int disposeAfterRandomDelay(
      Handle<?> op, Random random, int maxMicros, byte @Nullable [] expected) throws Exception {
    pauseUpTo(random, maxMicros);
    if (op.outcome().isDone()) {
      Object result = op.await();
      if (expected != null) {
        assertThat(Arrays.equals((byte[]) result, expected)).as("bytes of a get that won").isTrue();
      }
      return 0;
    }
    op.cancel().run();
    return 1;
  }

  /**
   * Subscribes to {@code stream}, requests everything, and cancels the subscription after up to
   * {@code maxMicros}; returns 1 if the cancel came before the stream ended. A stream that ended
   * first must have ended without a failure.
   */
  private static int cancelStreamAfterRandomDelay(
      Flow.Publisher<?> stream, Random random, int maxMicros) throws Exception {
    Draining<Object> subscriber = new Draining<>();
    stream.subscribe(subscriber);
    pauseUpTo(random, maxMicros);
    if (subscriber.done.isDone()) {
      subscriber.done.get();
      return 0;
    }
    subscriber.subscription.get(30, TimeUnit.SECONDS).cancel();
    return 1;
  }

  private static void pauseUpTo(Random random, int maxMicros) {
    int micros = random.nextInt(4) == 0 ? 0 : random.nextInt(maxMicros);
    if (micros > 0) {
      LockSupport.parkNanos(micros * 1_000L);
    }
  }

  private static List<BlobObject> collect(Flow.Publisher<BlobObject> stream) throws Exception {
    Draining<BlobObject> subscriber = new Draining<>();
    stream.subscribe(subscriber);
    subscriber.done.get(30, TimeUnit.SECONDS);
    return subscriber.items;
  }

  /** As many gets at once as the client has connections: each must get one. */
  private static void assertStillServesEveryConnection(
      BlobFlavour blobs, String bucket, byte[] expected) throws Exception {
    List<Handle<byte[]>> gets = new ArrayList<>();
    for (int i = 0; i < CONNECTIONS; i++) {
      gets.add(blobs.get(bucket, "fixed").subscribe());
    }
    for (Handle<byte[]> get : gets) {
      assertThat(get.await()).isEqualTo(expected);
    }
  }

  /** Requests everything; records the items, the subscription and the end. */
  private static final class Draining<T> implements Flow.Subscriber<T> {
    final CompletableFuture<Flow.Subscription> subscription = new CompletableFuture<>();
    final CompletableFuture<@Nullable Void> done = new CompletableFuture<>();
    final List<T> items = java.util.Collections.synchronizedList(new ArrayList<>());

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription.complete(s);
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(T item) {
      if (item instanceof ByteBuffer) {
        return; // the bytes of a streamed download are not kept
      }
      items.add(item);
    }

    @Override
    public void onError(Throwable failure) {
      done.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }
  }



  private static byte[] bytes(int size, int seed) {
    byte[] data = new byte[size];
    new Random(seed).nextBytes(data);
    return data;
  }
}
