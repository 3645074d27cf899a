package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.control.AsyncCallback;
import io.ambidex.http.TransferProgress;
import io.ambidex.s3embedded.EmbeddedS3;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14, item 3: the async client reads a download's body off the transport's I/O threads
 * ({@code ambidex-http-io-*}) when it is checked with a digest, as these objects are (MD5, the
 * client's default for an endpoint that is not AWS's), and a stream's subscriber goes on off
 * them after a wait. Those threads serve every exchange on their connections, so a digest, and
 * the caller's code that a download runs, must not hold them. Observed through what runs in the same continuation as that work: the progress callback
 * of a download to a file (one GET, and ranged GETs), the subscriber of a stream (one GET, and
 * ranges), the caller's continuation on a ranged {@code get} checked with a digest. Fails when a
 * body is read where its chunks arrive, as it was before (each of these then ran on an I/O
 * thread).
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DownloadThreadsTest {
  private static final String IO_THREAD = "ambidex-http-io-";

  static EmbeddedS3 s3;
  static AsyncBlobClient client;
  static String bucket;
  static byte[] small = bytes(3 * MIB, 1); // below the 5 MiB threshold: one GET
  static byte[] large = bytes(13 * MIB, 2); // above it: ranged GETs, 3 at a time

  @TempDir static Path data;
  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    s3 = EmbeddedS3.start(data.resolve("store"));
    client =
        new AsyncBlobClient(Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build());
    bucket = Fixtures.bucket();
    client.createBucket(bucket).get(30, TimeUnit.SECONDS);
    client.put(bucket, "small", small).get(60, TimeUnit.SECONDS);
    client.put(bucket, "large", large).get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      client.close().get(30, TimeUnit.SECONDS);
    } finally {
      s3.close();
    }
  }

  /** Records the threads a download's progress callbacks run on. */
  static final class Threads implements AsyncCallback<TransferProgress> {
    final Set<String> seen = ConcurrentHashMap.newKeySet();

    @Override
    public @Nullable CompletionStage<?> call(TransferProgress progress) {
      seen.add(Thread.currentThread().getName());
      return null;
    }
  }

  private void downloadsToAFile_runNothingOnAnIoThread(String key, byte[] expected)
      throws Exception {
    Threads progress = new Threads();
    Path target = dir.resolve(key);

    client.download(bucket, key, target, progress).get(60, TimeUnit.SECONDS);

    Fixtures.assertSameBytes(Files.readAllBytes(target), expected);
    assertThat(progress.seen).as("the threads of the progress callbacks").isNotEmpty()
        .noneMatch(name -> name.startsWith(IO_THREAD));
  }

  @Test
  void aDownloadToAFile_inOneGet_writesAndReportsOffTheIoThreads() throws Exception {
    downloadsToAFile_runNothingOnAnIoThread("small", small);
  }

  @Test
  void aDownloadToAFile_inRanges_writesAndReportsOffTheIoThreads() throws Exception {
    downloadsToAFile_runNothingOnAnIoThread("large", large);
  }

  private void aStream_isDeliveredOffTheIoThreads(String key, byte[] expected) throws Exception {
    Flow.Publisher<ByteBuffer> body = client.open(bucket, key);
    Set<String> threads = ConcurrentHashMap.newKeySet();
    ByteArrayOutputStream read = new ByteArrayOutputStream();
    CompletableFuture<Void> done = new CompletableFuture<>();
    body.subscribe(
        new Flow.Subscriber<>() {
          Flow.Subscription subscription;

          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
          }

          @Override
          public void onNext(ByteBuffer item) {
            threads.add(Thread.currentThread().getName());
            byte[] b = new byte[item.remaining()];
            item.get(b);
            read.writeBytes(b);
            subscription.request(1); // from inside onNext: the next item comes on this thread
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onComplete() {
            done.complete(null);
          }
        });

    done.get(60, TimeUnit.SECONDS);
    Fixtures.assertSameBytes(read.toByteArray(), expected);
    assertThat(threads).as("the threads of onNext").isNotEmpty()
        .noneMatch(name -> name.startsWith(IO_THREAD));
  }

  @Test
  void aStream_inOneGet_isDeliveredOffTheIoThreads() throws Exception {
    aStream_isDeliveredOffTheIoThreads("small", small);
  }

  @Test
  void aStream_inRanges_isDeliveredOffTheIoThreads() throws Exception {
    aStream_isDeliveredOffTheIoThreads("large", large);
  }

  /** The objects here are checked with MD5 (the client's default for a non-AWS endpoint). */
  @Test
  void aRangedGetIntoMemory_checkedWithADigest_completesOffTheIoThreads() throws Exception {
    CompletableFuture<String> completedOn =
        client
            .get(bucket, "large")
            .thenApply(
                bytes -> {
                  Fixtures.assertSameBytes(bytes, large);
                  return Thread.currentThread().getName();
                })
            .toCompletableFuture();

    assertThat(completedOn.get(60, TimeUnit.SECONDS)).doesNotStartWith(IO_THREAD);
  }
}
