package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code close()} waits for the transfers called before it, whatever they are doing when it starts:
 * a download whose first response has not arrived, a stream upload whose first part is still
 * being read. They used to register with close() only once their response or part arrived, so a
 * close in between failed them (and a late one could leave a temporary file or an upload behind).
 * The blocking client is closed from another thread than the transfer's, as a program that shuts
 * down does; it used to fail with {@code IncompleteStageException} if a multipart upload was
 * running.
 */
@Timeout(60)
class CloseInFlightTest extends EmbeddedS3Fixture {
  static final byte[] DATA = bytes(100_000, 31);

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void close_waitsForADownloadWhoseResponseHasNotArrived(boolean blocking, @TempDir Path dir)
      throws Exception {
    HeldGets held = new HeldGets();
    try (MockS3 mock = new MockS3()) {
      mock.handler = held;
      Path target = dir.resolve("object");
      Client client = new Client(blocking, mock.config());
      CompletableFuture<?> download =
          client.run(
              c -> c.download("bkt", "k", target, null), a -> a.download("bkt", "k", target, null));
      assertThat(held.asked.await(30, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> closed = client.close();
      assertThat(closed).as("close() waits for the download").isNotDone();
      held.answer.countDown();

      download.get(30, TimeUnit.SECONDS);
      closed.get(30, TimeUnit.SECONDS);
      assertThat(Files.readAllBytes(target)).isEqualTo(DATA);
      assertThat(files(dir)).containsExactly(target);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void close_waitsForAStreamUploadWhoseFirstPartIsBeingRead(boolean blocking) throws Exception {
    GatedStream in = new GatedStream(DATA, 0);
    try (MockS3 mock = new MockS3()) {
      mock.handler = FaultTest::etagOfBody;
      Client client = new Client(blocking, mock.config());
      CompletableFuture<?> put = client.run(c -> c.put("bkt", "k", in), a -> a.put("bkt", "k", in));
      assertThat(in.reading.await(30, TimeUnit.SECONDS)).isTrue();

      CompletableFuture<Void> closed = client.close();
      assertThat(closed).as("close() waits for the upload").isNotDone();
      in.readOn.countDown();

      assertThat(((PutResult) put.get(30, TimeUnit.SECONDS)).size()).isEqualTo(DATA.length);
      closed.get(30, TimeUnit.SECONDS);
      assertThat(mock.matching("PUT", "/bkt/k")).hasSize(1);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void close_waitsForAMultipartUploadReadingALaterPart(boolean blocking) throws Exception {
    byte[] data = bytes(12 * MIB, 32);
    // 5 MiB parts: the multipart upload has begun when the read past 6 MiB (the second part)
    // is held.
    GatedStream in = new GatedStream(data, 6 * MIB);
    String bucket = Fixtures.bucket();
    sdk.createBucket(b -> b.bucket(bucket));
    Client client =
        new Client(
            blocking, Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build());
    CompletableFuture<?> put =
        client.run(c -> c.put(bucket, "k", in), a -> a.put(bucket, "k", in));
    assertThat(in.reading.await(30, TimeUnit.SECONDS)).isTrue();

    CompletableFuture<Void> closed = client.close();
    assertThat(closed).as("close() waits for the upload").isNotDone();
    in.readOn.countDown();

    assertThat(((PutResult) put.get(30, TimeUnit.SECONDS)).parts()).isEqualTo(3);
    closed.get(30, TimeUnit.SECONDS);
    Fixtures.assertSameBytes(
        sdk.getObjectAsBytes(b -> b.bucket(bucket).key("k")).asByteArray(), data);
    assertThat(Fixtures.uploads(sdk, bucket)).isEmpty();
  }

  @Test
  void blockingClose_interruptedWhileWaiting_stillClosesAndKeepsTheFlag(@TempDir Path dir)
      throws Exception {
    HeldGets held = new HeldGets();
    try (MockS3 mock = new MockS3()) {
      mock.handler = held;
      try {
        Client client = new Client(true, mock.config());
        Path target = dir.resolve("object");
        CompletableFuture<?> download =
            client.run(c -> c.download("bkt", "k", target, null), a -> null);
        assertThat(held.asked.await(30, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<Boolean> flagAfterClose = new CompletableFuture<>();
        Thread closer =
            Thread.ofPlatform()
                .start(
                    () -> {
                      try {
                        client.sync.close();
                        flagAfterClose.complete(Thread.currentThread().isInterrupted());
                      } catch (Throwable t) {
                        flagAfterClose.completeExceptionally(t);
                      }
                    });
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> closer.getState() == Thread.State.WAITING
                || closer.getState() == Thread.State.TIMED_WAITING);
        closer.interrupt();

        assertThat(flagAfterClose.get(30, TimeUnit.SECONDS)).as("interrupt flag kept").isTrue();
        // The close went on: the transport is closed, so the held download fails, as cancelled.
        Throwable failure = download.handle((v, e) -> e).get(30, TimeUnit.SECONDS);
        assertThat(failure)
            .isInstanceOf(CancellationException.class)
            .hasMessageContaining("was in flight when its transport was closed");
        assertThat(files(dir)).isEmpty();
      } finally {
        held.answer.countDown();
      }
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void close_failsAGetInFlight_asCancelled(boolean blocking) throws Exception {
    HeldGets held = new HeldGets();
    try (MockS3 mock = new MockS3()) {
      mock.handler = held;
      try {
        Client client = new Client(blocking, mock.config());
        CompletableFuture<?> get = client.run(c -> c.get("bkt", "k"), a -> a.get("bkt", "k"));
        assertThat(held.asked.await(30, TimeUnit.SECONDS)).isTrue();

        // A get is not a transfer close() waits for: the transport is closed under it.
        client.close().get(30, TimeUnit.SECONDS);
        Throwable failure = get.handle((v, e) -> e).get(30, TimeUnit.SECONDS);
        assertThat(failure)
            .isInstanceOf(CancellationException.class)
            .hasMessageContaining("GET " + mock.endpoint() + "/bkt/k was in flight when its"
                + " transport was closed");
        assertThat(mock.matching("GET", "/bkt/k")).as("not retried").hasSize(1);
      } finally {
        held.answer.countDown();
      }
    }
  }

  /** Answers each GET with {@link #DATA} once {@link #answer} is counted down. */
  private static final class HeldGets
      implements java.util.function.Function<
          mockwebserver3.RecordedRequest, mockwebserver3.MockResponse> {
    final CountDownLatch asked = new CountDownLatch(1);
    final CountDownLatch answer = new CountDownLatch(1);

    @Override
    public mockwebserver3.MockResponse apply(mockwebserver3.RecordedRequest r) {
      asked.countDown();
      await(answer);
      return MockS3.object(DATA, MockS3.md5Hex(DATA));
    }
  }

  /** A stream of {@code data} whose reads at or past {@code gate} wait for {@link #readOn}. */
  private static final class GatedStream extends InputStream {
    final CountDownLatch reading = new CountDownLatch(1);
    final CountDownLatch readOn = new CountDownLatch(1);
    private final java.io.ByteArrayInputStream data;
    private final int gate;
    private int position;

    GatedStream(byte[] data, int gate) {
      this.data = new java.io.ByteArrayInputStream(data);
      this.gate = gate;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) {
      if (position >= gate) {
        reading.countDown();
        await(readOn);
      }
      int n = data.read(b, off, len);
      position += Math.max(n, 0);
      return n;
    }
  }

  /** One facade or the other; blocking calls and the blocking close run on threads of their own. */
  private static final class Client {
    private final BlobClient sync;
    private final AsyncBlobClient async;

    Client(boolean blocking, BlobConfig config) {
      this.sync = blocking ? new BlobClient(config) : null;
      this.async = blocking ? null : new AsyncBlobClient(config);
    }

    CompletableFuture<?> run(
        BlockingCall onSync,
        java.util.function.Function<AsyncBlobClient, CompletableFuture<?>> onAsync) {
      if (async != null) {
        return onAsync.apply(async);
      }
      CompletableFuture<Object> result = new CompletableFuture<>();
      onNewThread(
          () -> {
            try {
              result.complete(onSync.apply(sync));
            } catch (Throwable t) {
              result.completeExceptionally(t);
            }
          });
      return result;
    }

    interface BlockingCall {
      Object apply(BlobClient client) throws Exception;
    }

    CompletableFuture<Void> close() {
      if (async != null) {
        return async.close().toCompletableFuture();
      }
      return CompletableFuture.runAsync(sync::close, Client::onNewThread);
    }

    private static void onNewThread(Runnable task) {
      Thread.ofPlatform().daemon().start(task);
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the test never released the latch");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static List<Path> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
