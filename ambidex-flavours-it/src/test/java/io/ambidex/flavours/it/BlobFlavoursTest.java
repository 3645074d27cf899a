package io.ambidex.flavours.it;

import static io.ambidex.flavours.it.SharedS3.MIB;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ambidex.blob.AsyncBlobClient;
import io.ambidex.blob.BlobObject;
import io.ambidex.blob.NoSuchBucketException;
import io.ambidex.blob.NoSuchKeyException;
import io.ambidex.blob.PutResult;
import io.ambidex.flavours.it.Subscriptions.Handle;
import io.ambidex.flavours.it.Subscriptions.Lazy;
import io.ambidex.flavours.it.Subscriptions.Recorder;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The blob client's generated Reactor, RxJava 3 and Mutiny facades against the embedded S3
 * server, one test body per contract run on each: failure types, laziness, and cancellation that
 * reaches the transport. A connection pool of one makes a leak visible: if disposing a transfer
 * left its exchange open, the next request on the same client could never get a connection.
 */
@Timeout(120)
class BlobFlavoursTest {
  private static final byte[] BIG = bytes(6 * MIB, 7);
  private static String bucket;
  private static S3Client sdk;

  @TempDir Path directory;

  @BeforeAll
  static void seed() throws Exception {
    bucket = SharedS3.freshBucket();
    AsyncBlobClient client = new AsyncBlobClient(SharedS3.config(4));
    client.createBucket(bucket).get(30, TimeUnit.SECONDS);
    client.put(bucket, "big", BIG).get(30, TimeUnit.SECONDS);
    client.put(bucket, "small", new byte[] {1, 2, 3}).get(30, TimeUnit.SECONDS);
    client.close().get(30, TimeUnit.SECONDS);
    var s3 = SharedS3.server();
    sdk = SharedS3.sdk(s3);
  }

  @AfterAll
  static void stop() {
    sdk.close();
  }

  static java.util.stream.Stream<BlobFlavour.Kind> kinds() {
    return BlobFlavour.kinds();
  }

  // ---- failure types ----

  @ParameterizedTest
  @MethodSource("kinds")
  void get_missingKey_signalsNoSuchKeyException(BlobFlavour.Kind kind) {
    BlobFlavour blobs = kind.open().apply(SharedS3.config(1));

    assertThat(blobs.get(bucket, "missing").subscribe().failure())
        .isExactlyInstanceOf(NoSuchKeyException.class);
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void list_missingBucket_signalsNoSuchBucketException(BlobFlavour.Kind kind) throws Exception {
    BlobFlavour blobs = kind.open().apply(SharedS3.config(1));
    Recorder<BlobObject> recorder = new Recorder<>();

    blobs.list("no-such-bucket-" + kind.name(), null).subscribe(recorder);
    recorder.request(10);

    assertThat(failureOf(recorder.done)).isExactlyInstanceOf(NoSuchBucketException.class);
  }

  // ---- laziness ----

  @ParameterizedTest
  @MethodSource("kinds")
  void put_notSubscribed_storesNothing_andEachSubscriptionStoresAgain(BlobFlavour.Kind kind)
      throws Exception {
    BlobFlavour blobs = kind.open().apply(SharedS3.config(1));
    String key = "lazy-" + kind.name();

    Lazy<PutResult> put = blobs.put(bucket, key, new byte[] {42});
    assertThat(blobs.get(bucket, key).subscribe().failure())
        .isExactlyInstanceOf(NoSuchKeyException.class);

    put.subscribe().await();
    assertThat(blobs.get(bucket, key).subscribe().await()).containsExactly(42);
    sdk.deleteObject(b -> b.bucket(bucket).key(key));
    put.subscribe().await(); // the same Mono/Single/Uni: a new PUT

    assertThat(blobs.get(bucket, key).subscribe().await()).containsExactly(42);
  }

  // ---- cancellation down to the transport ----

  @ParameterizedTest
  @MethodSource("kinds")
  void download_disposedMidTransfer_abortsTheExchangeAndReleasesTheConnection(
      BlobFlavour.Kind kind) throws Exception {
    BlobFlavour blobs = kind.open().apply(SharedS3.config(1));
    Path target = directory.resolve("big.bin");
    CountDownLatch midway = new CountDownLatch(1);
    CompletableFuture<Void> gate = new CompletableFuture<>();

    // After the first event, every progress callback returns a stage that completes only when
    // the test opens the gate: the download waits for it (the async runtime's callback rule)
    // with its exchange open.
    Handle<BlobObject> download =
        blobs
            .download(
                bucket,
                "big",
                target,
                event -> {
                  midway.countDown();
                  return gate;
                })
            .subscribe();
    assertThat(midway.await(30, TimeUnit.SECONDS)).isTrue();

    download.cancel().run();

    // The one pooled connection is free again: the next request gets it, while the download's
    // callback is still held.
    assertThat(blobs.get(bucket, "small").subscribe().await()).containsExactly(1, 2, 3);
    gate.complete(null);
    // Once the callback returns, the cancelled download removes its temporary file.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try (var left = Files.list(directory)) {
                return left.findAny().isEmpty();
              }
            });
    assertThat(target).doesNotExist();
    assertThat(download.outcome()).isNotDone();
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void open_cancelledAfterTheFirstBuffer_abortsTheExchangeAndReleasesTheConnection(
      BlobFlavour.Kind kind) throws Exception {
    BlobFlavour blobs = kind.open().apply(SharedS3.config(1));
    Recorder<ByteBuffer> recorder = new Recorder<>();

    blobs.open(bucket, "big").subscribe(recorder);
    recorder.request(1);
    recorder.awaitItems(1);
    recorder.subscription().cancel();

    assertThat(blobs.get(bucket, "small").subscribe().await()).containsExactly(1, 2, 3);
    assertThat(recorder.items()).hasSize(1);
    assertThat(recorder.done).isNotDone();
  }

  @ParameterizedTest
  @MethodSource("kinds")
  void put_disposedMidMultipartUpload_abortsTheUpload(BlobFlavour.Kind kind) throws Exception {
    String uploads = SharedS3.freshBucket();
    BlobFlavour blobs = kind.open().apply(SharedS3.config(4));
    blobs.createBucket(uploads).subscribe().await();
    CountDownLatch midway = new CountDownLatch(1);
    CompletableFuture<Void> never = new CompletableFuture<>();

    Handle<PutResult> put =
        blobs
            .put(
                uploads,
                "big",
                bytes(12 * MIB, 3),
                event -> {
                  if (event.loaded() > MIB) {
                    midway.countDown();
                    return never;
                  }
                  return null;
                })
            .subscribe();
    assertThat(midway.await(30, TimeUnit.SECONDS)).isTrue();
    assertThat(sdk.listMultipartUploads(b -> b.bucket(uploads)).uploads()).hasSize(1);

    put.cancel().run();

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> sdk.listMultipartUploads(b -> b.bucket(uploads)).uploads().isEmpty());
    assertThat(blobs.get(uploads, "big").subscribe().failure())
        .isExactlyInstanceOf(NoSuchKeyException.class);
    assertThat(put.outcome()).isNotDone();
  }

  private static Throwable failureOf(CompletableFuture<?> done) throws Exception {
    try {
      done.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      return e.getCause();
    }
    throw new AssertionError("the stream did not fail");
  }

  private static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }
}
