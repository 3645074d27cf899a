package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.CallerStackTrace;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Cancellation (async) and interrupt (blocking) in the middle of a multipart upload: the upload
 * is aborted and no parts remain, as ListMultipartUploads (through the AWS SDK) and the embedded
 * store's files show.
 */
@Timeout(60)
class AbortTest extends EmbeddedS3Fixture {
  static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build();
  }

  @Test
  void asyncPut_cancelledWhilePartsAreInFlight_abortsTheUpload() throws Exception {
    String bucket = Fixtures.bucket();
    AsyncBlobClient client = new AsyncBlobClient(config());
    try {
      client.createBucket(bucket).get(10, TimeUnit.SECONDS);
      CountDownLatch midway = new CountDownLatch(1);
      CompletableFuture<Void> never = new CompletableFuture<>();
      // Once 1 MiB is out, every progress callback returns a stage that never completes: the
      // parts wait for it (the async runtime's callback rule), so the upload is held midway.
      CallFuture<PutResult> put =
          client.put(bucket, "big", bytes(12 * MIB, 1), e -> {
            if (e.loaded() > MIB) {
              midway.countDown();
              return never;
            }
            return null;
          });
      assertThat(midway.await(20, TimeUnit.SECONDS)).isTrue();
      assertThat(Fixtures.uploads(sdk, bucket)).hasSize(1);

      assertThat(put.cancel(true)).isTrue();

      assertThat(put).isCancelled();
      await().atMost(Duration.ofSeconds(20)).until(() -> Fixtures.uploads(sdk, bucket).isEmpty());
      assertThat(BlobParityTest.storedFilesUnder(data.resolve("store"), bucket)).isEmpty();
      assertThatThrownBy(() -> client.head(bucket, "big").join())
          .hasCauseInstanceOf(NoSuchKeyException.class);
    } finally {
      client.close().get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * A stream upload on the async client whose stream stalls between parts (a socket or a pipe
   * waiting for its writer): the lanes that stored their parts hand them back on the transport's
   * I/O threads, and that hand-back used to wait for the lock the stalled read holds, parking the
   * I/O threads. Then the client answered nothing (other calls hung), and the abort of the
   * cancelled upload waited for the stream: settled() never came, close() waited its 30 s, and
   * the upload was left on the server.
   */
  @Test
  void asyncPut_ofAStreamStalledBetweenParts_staysResponsive_andCancelledAbortsTheUpload()
      throws Exception {
    String bucket = Fixtures.bucket();
    AsyncBlobClient client = new AsyncBlobClient(config());
    CountDownLatch release = new CountDownLatch(1);
    try {
      client.createBucket(bucket).get(10, TimeUnit.SECONDS);
      client.put(bucket, "small", new byte[10]).get(10, TimeUnit.SECONDS);
      CountDownLatch stalled = new CountDownLatch(1);
      // Three parts at once (concurrency 3), then the stream waits: the lane reading part 4
      // holds the source while the others store parts 1-3 and hand them back.
      java.io.InputStream stream =
          new java.io.SequenceInputStream(
              new java.io.ByteArrayInputStream(bytes(15 * MIB + 1, 4)),
              new java.io.InputStream() {
                @Override
                public int read() throws java.io.IOException {
                  stalled.countDown();
                  try {
                    release.await(60, TimeUnit.SECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException("interrupted");
                  }
                  return -1;
                }
              });
      CallFuture<PutResult> put = client.put(bucket, "stalled", stream);
      assertThat(stalled.await(20, TimeUnit.SECONDS)).isTrue();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> storedParts(bucket) == 3);

      // Meanwhile the client answers other calls: each of these may land on any I/O thread.
      java.util.List<CompletableFuture<BlobObject>> heads = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        heads.add(client.head(bucket, "small"));
      }
      CompletableFuture.allOf(heads.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);

      assertThat(put.cancel(true)).isTrue();
      put.settled().toCompletableFuture().get(20, TimeUnit.SECONDS);
      assertThat(Fixtures.uploads(sdk, bucket)).isEmpty();
    } finally {
      release.countDown();
      client.close().get(60, TimeUnit.SECONDS);
    }
  }

  /**
   * Cancelling an async stream upload interrupts the read of the caller's stream, as interrupting
   * a blocking upload interrupts its lanes: before, a stream that waited (within the first part or
   * between parts) kept a virtual thread blocked in it after the upload had ended, which then read
   * a part nobody would send.
   */
  @Test
  void asyncPut_cancelledWhileTheStreamWaits_interruptsTheRead() throws Exception {
    String bucket = Fixtures.bucket();
    AsyncBlobClient client = new AsyncBlobClient(config());
    try {
      client.createBucket(bucket).get(10, TimeUnit.SECONDS);
      for (int before : new int[] {MIB, 7 * MIB}) { // within the first part; between parts
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch interrupted = new CountDownLatch(1);
        java.io.InputStream stream =
            new java.io.SequenceInputStream(
                new java.io.ByteArrayInputStream(bytes(before, 5)),
                new java.io.InputStream() {
                  @Override
                  public int read() throws java.io.IOException {
                    stalled.countDown();
                    try {
                      new CountDownLatch(1).await(60, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      interrupted.countDown();
                      throw new java.io.InterruptedIOException("interrupted");
                    }
                    return -1;
                  }
                });
        CallFuture<PutResult> put = client.put(bucket, "waits-" + before, stream);
        assertThat(stalled.await(20, TimeUnit.SECONDS)).isTrue();

        assertThat(put.cancel(true)).isTrue();

        assertThat(interrupted.await(20, TimeUnit.SECONDS))
            .as("the read of a stream after %s bytes was interrupted", before)
            .isTrue();
        put.settled().toCompletableFuture().get(20, TimeUnit.SECONDS);
        assertThat(Fixtures.uploads(sdk, bucket)).isEmpty();
      }
    } finally {
      client.close().get(60, TimeUnit.SECONDS);
    }
  }

  @Test
  void blockingPut_interruptedWhilePartsAreInFlight_abortsTheUpload_andKeepsTheFlag()
      throws Exception {
    String bucket = Fixtures.bucket();
    try (BlobClient client = new BlobClient(config())) {
      client.createBucket(bucket);
      CountDownLatch midway = new CountDownLatch(1);
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicBoolean flagAfter = new AtomicBoolean();
      Thread caller =
          new Thread(
              () -> {
                try {
                  // Once 1 MiB is out, the callback (on a part's thread) blocks until interrupted.
                  client.put(bucket, "big", bytes(12 * MIB, 2), e -> {
                    if (e.loaded() > MIB) {
                      midway.countDown();
                      try {
                        new CountDownLatch(1).await();
                      } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted in the callback", ie);
                      }
                    }
                  });
                } catch (Throwable t) {
                  thrown.set(t);
                }
                flagAfter.set(Thread.currentThread().isInterrupted());
              },
              "blob-caller");
      caller.start();
      assertThat(midway.await(20, TimeUnit.SECONDS)).isTrue();
      assertThat(Fixtures.uploads(sdk, bucket)).hasSize(1);

      caller.interrupt();
      caller.join(30_000);

      assertThat(caller.isAlive()).isFalse();
      assertThat(thrown.get()).isInstanceOf(CallInterruptedException.class);
      assertThat(flagAfter.get()).as("interrupt flag restored").isTrue();
      // The blocking call aborted before it returned: nothing to wait for. (If this fails, the
      // description shows what the abort met: it is attached to the failure as suppressed.)
      java.io.StringWriter trace = new java.io.StringWriter();
      thrown.get().printStackTrace(new java.io.PrintWriter(trace));
      assertThat(Fixtures.uploads(sdk, bucket)).as("uploads left; the put threw %s", trace).isEmpty();
      assertThat(BlobParityTest.storedFilesUnder(data.resolve("store"), bucket)).isEmpty();
      assertThatThrownBy(() -> client.head(bucket, "big")).isInstanceOf(NoSuchKeyException.class);
    }
  }

  /**
   * The interleaving behind the blocking test's old flake, forced: {@code Thread.interrupt()} sets
   * the flag, wakes the caller, and only then closes the channel the caller is blocked in; if the
   * interrupting thread is descheduled in between, the caller has meanwhile cleared its flag and
   * started the abort, and the late close lands on the abort's socket. Here the test interrupts
   * the caller while the scripted server holds the abort's DELETE, which is what that late close
   * does; the abort must still be answered and confirmed (ListParts), nothing suppressed.
   */
  @Test
  void blockingPut_interruptReachesTheCallerWhileTheAbortIsInFlight_theAbortStillCompletes()
      throws Exception {
    CountDownLatch deleteArrived = new CountDownLatch(1);
    CountDownLatch releaseDelete = new CountDownLatch(1);
    try (MockS3 s3 = new MockS3()) {
      s3.handler =
          FaultTest.multipart(
              r -> {
                if (!r.getMethod().equals("DELETE")) {
                  return null;
                }
                deleteArrived.countDown();
                try {
                  releaseDelete.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
                return null; // then answered 204 by the script
              });
      try (BlobClient client = new BlobClient(s3.config())) {
        CountDownLatch midway = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagAfter = new AtomicBoolean();
        Thread caller =
            new Thread(
                () -> {
                  try {
                    client.put("bkt", "big", bytes(12 * MIB, 3), e -> {
                      if (e.loaded() > MIB) {
                        midway.countDown();
                        try {
                          new CountDownLatch(1).await();
                        } catch (InterruptedException ie) {
                          Thread.currentThread().interrupt();
                          throw new IllegalStateException("interrupted in the callback", ie);
                        }
                      }
                    });
                  } catch (Throwable t) {
                    thrown.set(t);
                  }
                  flagAfter.set(Thread.currentThread().isInterrupted());
                },
                "blob-caller");
        caller.start();
        assertThat(midway.await(20, TimeUnit.SECONDS)).isTrue();
        caller.interrupt();
        assertThat(deleteArrived.await(20, TimeUnit.SECONDS)).as("the abort was sent").isTrue();

        caller.interrupt(); // what the first interrupt's late channel close does to the abort
        releaseDelete.countDown();
        caller.join(30_000);

        assertThat(caller.isAlive()).isFalse();
        assertThat(thrown.get()).isInstanceOf(CallInterruptedException.class);
        java.io.StringWriter trace = new java.io.StringWriter();
        thrown.get().printStackTrace(new java.io.PrintWriter(trace));
        assertThat(flagAfter.get()).as("interrupt flag restored").isTrue();
        assertThat(thrown.get().getSuppressed())
            .as("the abort failed: %s", trace)
            .filteredOn(s -> !(s instanceof CallerStackTrace))
            .isEmpty();
        assertThat(s3.matching("DELETE", "uploadId=upload-1")).hasSize(1);
        assertThat(s3.matching("GET", "uploadId=upload-1")).as("the abort confirmed").hasSize(1);
      }
    }
  }

  /* The parts of the one upload in progress in the bucket, as ListParts (AWS SDK) lists them. */
  private static int storedParts(String bucket) {
    java.util.List<software.amazon.awssdk.services.s3.model.MultipartUpload> uploads =
        Fixtures.uploads(sdk, bucket);
    if (uploads.size() != 1) {
      return -1;
    }
    return sdk.listParts(
            r -> r.bucket(bucket).key(uploads.get(0).key()).uploadId(uploads.get(0).uploadId()))
        .parts()
        .size();
  }
}
