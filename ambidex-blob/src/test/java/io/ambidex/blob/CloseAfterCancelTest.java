package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.CallFuture;
import io.ambidex.control.AsyncCallback;
import io.ambidex.http.TransferProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A cancelled {@code AsyncBlobClient} transfer completes its future at once, before its cleanup
 * (a download's temporary file, a multipart upload's abort); {@code close()} waits for that, so a
 * program that cancels, closes and exits leaves no {@code .part} file and no upload (the {@code
 * blob} tool's Ctrl-C on a single {@code get} left a file now and then, under load). A program
 * that keeps its client open waits for one transfer's cleanup with {@link CallFuture#settled()}.
 */
@Timeout(120)
class CloseAfterCancelTest extends EmbeddedS3Fixture {
  static String bucket;

  @BeforeAll
  static void putObjects() throws Exception {
    bucket = Fixtures.bucket();
    try (BlobClient client = new BlobClient(config())) {
      client.createBucket(bucket);
      client.put(bucket, "small", bytes(4 * MIB, 1)); // one GET
      client.put(bucket, "large", bytes(20 * MIB, 2)); // ranges: above the 16 MiB threshold
    }
  }

  static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"small", "large"})
  void download_cancelledMidwayThenClosed_leavesNoTemporaryFile(String key, @TempDir Path dir)
      throws Exception {
    for (int round = 0; round < 5; round++) {
      Path target = dir.resolve(key + "-" + round);
      AsyncBlobClient client = new AsyncBlobClient(config());
      CountDownLatch midway = new CountDownLatch(1);
      // Held with its temporary file open.
      CallFuture<BlobObject> download =
          client.download(bucket, key, target, holdPastOneMiB(midway));
      assertThat(midway.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(files(dir)).as("the temporary file while it downloads").hasSize(1);

      assertThat(download.cancel(true)).isTrue();
      client.close().toCompletableFuture().get(30, TimeUnit.SECONDS);

      assertThat(files(dir)).as("files left after close(), round " + round).isEmpty();
    }
  }

  @Test
  void put_multipartCancelledMidwayThenClosed_leavesNoUpload() throws Exception {
    for (int round = 0; round < 3; round++) {
      String key = "upload-" + round;
      AsyncBlobClient client = new AsyncBlobClient(config());
      CallFuture<PutResult> put = heldPut(client, key, round);

      assertThat(put.cancel(true)).isTrue();
      client.close().toCompletableFuture().get(60, TimeUnit.SECONDS);

      assertThat(uploadsLeft(key)).as("uploads left after close(), round " + round).isEmpty();
    }
  }

  /*
   * Without close(): the future's settled() is the caller's way to wait for the cleanup of one
   * transfer. Once it has completed, the temporary file is gone, with the client still open.
   */
  @ParameterizedTest
  @ValueSource(strings = {"small", "large"})
  void download_cancelledMidway_settledOnceItsTemporaryFileIsGone(String key, @TempDir Path dir)
      throws Exception {
    try (AsyncClient client = new AsyncClient()) {
      for (int round = 0; round < 5; round++) {
        Path target = dir.resolve(key + "-" + round);
        CountDownLatch midway = new CountDownLatch(1);
        CallFuture<BlobObject> download =
            client.async.download(bucket, key, target, holdPastOneMiB(midway));
        assertThat(midway.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(download.cancel(true)).isTrue();
        download.settled().get(30, TimeUnit.SECONDS);

        assertThat(files(dir)).as("files left once settled, round " + round).isEmpty();
      }
    }
  }

  @Test
  void put_multipartCancelledMidway_settledOnceItsUploadIsAborted() throws Exception {
    try (AsyncClient client = new AsyncClient()) {
      for (int round = 0; round < 3; round++) {
        String key = "settled-" + round;
        CallFuture<PutResult> put = heldPut(client.async, key, 10 + round);

        assertThat(put.cancel(true)).isTrue();
        put.settled().get(60, TimeUnit.SECONDS);

        assertThat(uploadsLeft(key)).as("uploads left once settled, round " + round).isEmpty();
      }
    }
  }

  /* The stream upload registers its multipart phase late, once its first part has been read. */
  @Test
  void put_streamCancelledMidway_settledOnceItsUploadIsAborted() throws Exception {
    try (AsyncClient client = new AsyncClient()) {
      for (int round = 0; round < 3; round++) {
        String key = "settled-stream-" + round;
        CountDownLatch midway = new CountDownLatch(1);
        CallFuture<PutResult> put =
            client.async.put(
                bucket,
                key,
                new java.io.ByteArrayInputStream(bytes(24 * MIB, 20 + round)),
                holdPastOneMiB(midway));
        assertThat(midway.await(30, TimeUnit.SECONDS)).isTrue();

        assertThat(put.cancel(true)).isTrue();
        put.settled().get(60, TimeUnit.SECONDS);

        assertThat(uploadsLeft(key)).as("uploads left once settled, round " + round).isEmpty();
      }
    }
  }

  /* An async client closed when the test ends, however it ends. */
  private static final class AsyncClient implements AutoCloseable {
    final AsyncBlobClient async = new AsyncBlobClient(config());

    @Override
    public void close() {
      async.close().toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
    }
  }

  /*
   * The tool's Ctrl-C interrupts the thread that then waits for close(); an interrupted wait
   * cancels the stage it waits for. That used to cancel the close itself while it waited for the
   * cleanups, so the transport was never closed (and a program that still had work queued kept
   * its I/O threads).
   */
  @Test
  void close_whoseStageIsCancelled_stillCleansUpAndCloses() throws Exception {
    String key = "close-cancelled";
    AsyncBlobClient client = new AsyncBlobClient(config());
    CallFuture<PutResult> put = heldPut(client, key, 7);
    assertThat(put.cancel(true)).isTrue();

    // The abort is a request of its own, still in flight: close() waits for it.
    client.close().toCompletableFuture().cancel(true);

    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThatThrownBy(() -> client.head(bucket, "small").get(30, TimeUnit.SECONDS))
          .as("the client is closed")
          .hasMessageContaining("closed");
      assertThat(uploadsLeft(key)).as("uploads left").isEmpty();
    });
  }

  /*
   * Starts a multipart upload and returns it once it is held past 1 MiB, as the downloads are:
   * its parts wait for a progress callback's stage that never completes.
   */
  static CallFuture<PutResult> heldPut(AsyncBlobClient client, String key, int seed)
      throws InterruptedException {
    CountDownLatch midway = new CountDownLatch(1);
    CallFuture<PutResult> put =
        client.put(bucket, key, bytes(24 * MIB, seed), holdPastOneMiB(midway));
    assertThat(midway.await(30, TimeUnit.SECONDS)).isTrue();
    return put;
  }

  /*
   * A progress callback that holds its transfer past 1 MiB: from then on it counts `midway` down
   * and returns a stage that never completes, which the transfer waits for (the async runtime's
   * callback rule).
   */
  static AsyncCallback<TransferProgress> holdPastOneMiB(CountDownLatch midway) {
    CompletableFuture<Void> never = new CompletableFuture<>();
    return e -> {
      if (e.loaded() > MIB) {
        midway.countDown();
        return never;
      }
      return null;
    };
  }

  static List<PendingUpload> uploadsLeft(String key) {
    try (BlobClient check = new BlobClient(config());
        Stream<PendingUpload> pending = check.listUploads(bucket, key)) {
      return pending.toList();
    }
  }

  static List<Path> files(Path dir) throws Exception {
    try (Stream<Path> files = Files.list(dir)) {
      return files.toList();
    }
  }
}
