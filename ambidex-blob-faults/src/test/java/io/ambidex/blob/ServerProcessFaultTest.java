package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.CallerStackTrace;
import io.ambidex.control.AsyncCallback;
import io.ambidex.control.RetryPolicy;
import io.ambidex.http.TransferProgress;
import io.ambidex.http.error.ConnectFailedException;
import io.ambidex.http.error.ConnectionResetException;
import io.ambidex.http.error.ReadTimeoutException;
import io.ambidex.http.error.TruncatedBodyException;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/**
 * Server faults at the process level: the S3 server (S3Proxy over a filesystem store, {@link
 * ServerJvm}) runs in a JVM of its own, which a test kills ({@code SIGKILL}) mid multipart upload
 * and mid download and then starts again on the same data directory and port, or stops ({@code
 * SIGSTOP}) for longer than the client's read timeout and then resumes ({@code SIGCONT}). Through
 * both generated clients: a typed failure, the object under the key never corrupted, a leftover
 * multipart upload listed and abortable after the restart, a stalled idempotent GET retried and
 * succeeding once the server runs again. Faults are triggered by the transfer's own progress (the
 * client's bytes), never by time; every test has a timeout.
 */
@Timeout(180)
class ServerProcessFaultTest {
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("server JVM", ServerJvm::create, s -> new BlobClient(s.config().build()))
          .async("server JVM", ServerJvm::create, s -> new AsyncBlobClient(s.config().build()))
          .timeout(Duration.ofSeconds(120))
          .build();

  // ---- killed mid multipart upload ----

  @ParityTest
  void multipartUpload_serverKilledMidPart_failsTyped_oldObjectIntact_uploadListedThenAborted(
      Parity<BlobClient, AsyncBlobClient> p, ServerJvm server) throws Exception {
    String bucket = Fixtures.bucket();
    byte[] old = bytes(MIB, 80);
    byte[] data = bytes(15 * MIB, 81);
    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    p.call(c -> c.put(bucket, "k", old), a -> a.put(bucket, "k", old));

    Throwable failure =
        catchFailure(
            () -> p.call(
                c -> c.put(bucket, "k", data, killAt(server, 2 * MIB)::accept),
                a -> a.put(bucket, "k", data, asyncKillAt(server, 2 * MIB))));
    // The parts' connections die with the server; their retries, and the abort's attempts, find
    // no server: the last attempt's ConnectFailedException, the abort's failure suppressed.
    report("killed mid multipart upload", failure);
    assertThat(failure).isInstanceOf(ConnectFailedException.class);
    assertThat(suppressed(failure)).as("the abort that could not be sent").isNotEmpty();

    server.start();
    // The key still holds the old object, whole: nothing of the new one is readable.
    assertThat(p.<byte[]>call(c -> c.get(bucket, "k"), a -> a.get(bucket, "k"))).isEqualTo(old);
    List<MultipartUpload> left = Fixtures.uploads(server.sdk(), bucket);
    assertThat(left).as("the upload the client could not abort").singleElement()
        .satisfies(u -> assertThat(u.key()).isEqualTo("k"));
    String uploadId = left.get(0).uploadId();
    assertThat(failure).as("the failure names the upload left behind")
        .satisfies(f -> assertThat(messages(f)).contains(uploadId));

    server.sdk().abortMultipartUpload(b -> b.bucket(bucket).key("k").uploadId(uploadId));
    assertThat(Fixtures.uploads(server.sdk(), bucket)).isEmpty();
    assertThat(BlobParityTest.storedFilesUnder(server.data, bucket)).as("files of the store")
        .noneMatch(f -> f.contains(uploadId));
    assertThat(p.<byte[]>call(c -> c.get(bucket, "k"), a -> a.get(bucket, "k"))).isEqualTo(old);
  }

  // ---- killed mid download ----

  @ParityTest
  void download_serverKilledMidBody_failsTyped_writesNothing_thenSucceedsAfterRestart(
      Parity<BlobClient, AsyncBlobClient> p, ServerJvm server, @TempDir Path dir) throws Exception {
    byte[] data = bytes(24 * MIB, 82);
    String bucket = object(server, "k", data);
    Path target = dir.resolve("k.bin");

    Throwable failure =
        catchFailure(
            () -> p.call(
                c -> c.download(bucket, "k", target, killAt(server, MIB)::accept),
                a -> a.download(bucket, "k", target, asyncKillAt(server, MIB))));
    // The first attempt's body ends early; the retries find no server.
    report("killed mid download", failure);
    assertThat(failure).isInstanceOf(ConnectFailedException.class);
    assertThat(suppressed(failure)).as("the earlier attempts").isNotEmpty()
        .first().isInstanceOfAny(TruncatedBodyException.class, ConnectionResetException.class);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("neither the target nor a temporary file").isEmpty();
    }

    server.start();
    // The same client, its pooled connections dead, reads the object whole.
    BlobObject got =
        p.call(c -> c.download(bucket, "k", target, null), a -> a.download(bucket, "k", target, null));
    assertThat(got.size()).isEqualTo(data.length);
    Fixtures.assertSameBytes(Files.readAllBytes(target), data);
  }

  // ---- stopped longer than the read timeout ----

  @ParityTest
  void get_serverStoppedMidBody_readTimeout_retriedAfterSigcont_bytesIntact(
      Parity<BlobClient, AsyncBlobClient> p, ServerJvm server) throws Exception {
    byte[] data = bytes(24 * MIB, 83);
    String bucket = object(server, "k", data);
    List<Throwable> retried = new CopyOnWriteArrayList<>();
    // The retry decision resumes the server: the retry then finds it running.
    RetryPolicy resumeOnRetry =
        RetryPolicy.builder()
            .maxAttempts(4)
            .initialDelay(Duration.ofMillis(5))
            .retryOn(t -> {
              retried.add(t);
              server.resume();
              return RetryPolicy.IO_FAILURES.test(t);
            })
            .build();
    try (SideClient c =
        SideClient.open(p, server.config().readTimeout(Duration.ofSeconds(2)).retryPolicy(resumeOnRetry).build())) {
      Path target = Files.createTempFile("ambidex-stop", ".bin");
      try {
        c.call(
            b -> b.download(bucket, "k", target, pauseAt(server, MIB)::accept),
            a -> a.download(bucket, "k", target, AsyncCallback.of(pauseAt(server, MIB))));
        Fixtures.assertSameBytes(Files.readAllBytes(target), data);
      } finally {
        Files.deleteIfExists(target);
      }
    }
    // The first retry follows the stall's read timeout. (A JVM resumed on a loaded machine can
    // take longer than the read timeout to answer the retry too: then another timeout, another
    // retry, within the budget of 4 attempts.)
    assertThat(retried).isNotEmpty().allMatch(t -> t instanceof ReadTimeoutException);
  }

  @ParityTest
  void get_serverStoppedWithoutRetries_failsWithReadTimeout_thenWorksAfterSigcont(
      Parity<BlobClient, AsyncBlobClient> p, ServerJvm server) throws Exception {
    byte[] data = bytes(MIB, 84);
    String bucket = object(server, "k", data);
    try (SideClient c =
        SideClient.open(
            p,
            server.config().readTimeout(Duration.ofSeconds(5)).retryPolicy(RetryPolicy.none()).build())) {
      server.pause();
      try {
        // The kernel still accepts the connection; nothing answers the request.
        assertThatThrownBy(() -> c.call(b -> b.get(bucket, "k"), a -> a.get(bucket, "k")))
            .isInstanceOf(ReadTimeoutException.class);
      } finally {
        server.resume();
      }
      assertThat(c.<byte[]>call(b -> b.get(bucket, "k"), a -> a.get(bucket, "k"))).isEqualTo(data);
    }
  }

  // ---- fixtures ----

  static String object(ServerJvm server, String key, byte[] data) {
    String bucket = Fixtures.bucket();
    server.sdk().createBucket(b -> b.bucket(bucket));
    server.sdk().putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
    return bucket;
  }

  /** A progress callback that kills the server once, when {@code bytes} have been transferred. */
  static Consumer<TransferProgress> killAt(ServerJvm server, long bytes) {
    AtomicBoolean done = new AtomicBoolean();
    return e -> {
      if (e.loaded() >= bytes && done.compareAndSet(false, true)) {
        server.kill();
      }
    };
  }

  /** As {@link #killAt}, for the async client: the transfer waits for the kill without blocking. */
  static AsyncCallback<TransferProgress> asyncKillAt(ServerJvm server, long bytes) {
    AtomicBoolean done = new AtomicBoolean();
    return e -> e.loaded() >= bytes && done.compareAndSet(false, true) ? server.killAsync() : null;
  }

  /** A progress callback that stops the server once, when {@code bytes} have been transferred. */
  static Consumer<TransferProgress> pauseAt(ServerJvm server, long bytes) {
    AtomicBoolean done = new AtomicBoolean();
    return e -> {
      if (e.loaded() >= bytes && done.compareAndSet(false, true)) {
        server.pause();
      }
    };
  }

  interface Call {
    void run() throws Exception;
  }

  static Throwable catchFailure(Call call) {
    try {
      call.run();
    } catch (Throwable t) {
      return t;
    }
    throw new AssertionError("the call succeeded although its server was killed");
  }

  /** Prints the failure's type and its suppressed ones' (the test's output shows what was seen). */
  static void report(String fault, Throwable failure) {
    System.out.println(fault + ": " + failure.getClass().getSimpleName() + ", suppressed "
        + suppressed(failure).stream().map(s -> s.getClass().getSimpleName()).toList());
  }

  static List<Throwable> suppressed(Throwable t) {
    return Arrays.stream(t.getSuppressed()).filter(s -> !(s instanceof CallerStackTrace)).toList();
  }

  /** The messages of {@code t}, its causes and its suppressed exceptions, in one string. */
  static String messages(Throwable t) {
    StringBuilder b = new StringBuilder();
    collect(t, b, 0);
    return b.toString();
  }

  private static void collect(Throwable t, StringBuilder b, int depth) {
    if (t == null || depth > 8) {
      return;
    }
    b.append(t).append('\n');
    collect(t.getCause(), b, depth + 1);
    for (Throwable s : t.getSuppressed()) {
      collect(s, b, depth + 1);
    }
  }
}
