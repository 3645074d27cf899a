package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.control.AsyncCallback;
import io.ambidex.CallerStackTrace;
import io.ambidex.control.RetryPolicy;
import io.ambidex.http.error.ConnectTimeoutException;
import io.ambidex.http.error.HttpIOException;
import io.ambidex.http.error.ReadTimeoutException;
import io.ambidex.http.TransferProgress;
import io.ambidex.s3embedded.EmbeddedS3;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.netcrusher.core.meter.RateMeters;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.core.throttle.rate.ByteRateThrottler;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * TCP faults between the blob clients and S3Proxy embedded, through a NetCrusher proxy throttled
 * to about 5 MiB/s each way (so a fault lands mid-transfer): connections closed mid-download and
 * mid multipart upload, a connection frozen mid-download, and a connect that times out. Retried
 * where the policy allows, a typed error where it does not, never corrupted bytes, never a part
 * left behind, never a hang (every test has a timeout).
 */
@Timeout(120)
class TcpFaultTest {
  static EmbeddedS3 s3;
  static S3Client sdk;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
    sdk = Fixtures.sdk(s3.endpoint(), s3.accessKey(), s3.secretKey());
  }

  @AfterAll
  static void stop() {
    sdk.close();
    s3.close();
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("netcrusher", Crusher::create, c -> new BlobClient(c.config().build()))
          .async("netcrusher", Crusher::create, c -> new AsyncBlobClient(c.config().build()))
          .timeout(Duration.ofSeconds(90))
          .build();

  // ---- connection closed mid-download ----

  @ParityTest
  void download_connectionClosedMidBody_isRetried_andTheBytesAreIntact(
      Parity<BlobClient, AsyncBlobClient> p, Crusher net, @TempDir Path dir) throws Exception {
    byte[] data = bytes(4 * MIB, 71);
    String bucket = object("k", data);
    Path target = dir.resolve("k.bin");

    BlobObject got =
        p.call(
            c -> c.download(bucket, "k", target, once(net, TcpCrusher::closeAllPairs)::accept),
            a -> a.download(bucket, "k", target, asyncOnce(net, TcpCrusher::closeAllPairs)));

    assertThat(got.size()).isEqualTo(data.length);
    Fixtures.assertSameBytes(Files.readAllBytes(target), data);
    assertThat(net.failures).hasSize(1).allMatch(t -> t instanceof HttpIOException);
    assertThat(net.connections).as("a second connection for the retry").hasValueGreaterThan(1);
  }

  @ParityTest
  void download_connectionClosedMidBody_withoutRetries_failsTyped_andWritesNothing(
      Parity<BlobClient, AsyncBlobClient> p, Crusher net, @TempDir Path dir) throws Exception {
    byte[] data = bytes(4 * MIB, 72);
    String bucket = object("k", data);
    Path target = dir.resolve("k.bin");

    try (SideClient c = SideClient.open(p, net.config().retryPolicy(RetryPolicy.none()).build())) {
      assertThatThrownBy(
              () -> c.call(
                  b -> b.download(bucket, "k", target, once(net, TcpCrusher::closeAllPairs)::accept),
                  a -> a.download(bucket, "k", target, asyncOnce(net, TcpCrusher::closeAllPairs))))
          .isInstanceOf(HttpIOException.class)
          .hasCauseInstanceOf(IOException.class);
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("neither the target nor a temporary file").isEmpty();
    }
  }

  // ---- connection frozen mid-download ----

  @ParityTest
  void download_frozenMidBody_readTimeout_thenTheRetrySucceeds(
      Parity<BlobClient, AsyncBlobClient> p, Crusher net, @TempDir Path dir) throws Exception {
    byte[] data = bytes(4 * MIB, 73);
    String bucket = object("k", data);
    Path target = dir.resolve("k.bin");

    // Only the pairs open now freeze: the retry's new connection flows.
    p.call(
        c -> c.download(bucket, "k", target, once(net, TcpCrusher::freezeAllPairs)::accept),
        a -> a.download(bucket, "k", target, asyncOnce(net, TcpCrusher::freezeAllPairs)));

    Fixtures.assertSameBytes(Files.readAllBytes(target), data);
    assertThat(net.failures)
        .singleElement()
        .isInstanceOfSatisfying(ReadTimeoutException.class, e -> {
          assertThat(e).hasMessageContaining("within the read timeout of 2 s");
          assertThat(e).hasCauseInstanceOf(SocketTimeoutException.class);
        });
  }

  @ParityTest
  void download_frozenMidBody_withoutRetries_failsWithReadTimeout_thenWorksAfterUnfreeze(
      Parity<BlobClient, AsyncBlobClient> p, Crusher net, @TempDir Path dir) throws Exception {
    byte[] data = bytes(4 * MIB, 74);
    String bucket = object("k", data);
    Path target = dir.resolve("k.bin");

    try (SideClient c = SideClient.open(p, net.config().retryPolicy(RetryPolicy.none()).build())) {
      assertThatThrownBy(
              () -> c.call(
                  b -> b.download(bucket, "k", target, once(net, TcpCrusher::freezeAllPairs)::accept),
                  a -> a.download(bucket, "k", target, asyncOnce(net, TcpCrusher::freezeAllPairs))))
          .isInstanceOf(ReadTimeoutException.class)
          .hasCauseInstanceOf(SocketTimeoutException.class);
      assertThat(target).doesNotExist();

      net.crusher.unfreezeAllPairs();
      // The timed-out connection was closed, not pooled: the same client goes on working.
      assertThat(c.<byte[]>call(b -> b.get(bucket, "k"), a -> a.get(bucket, "k"))).isEqualTo(data);
    }
  }

  // ---- connections closed mid multipart upload ----

  @ParityTest
  void multipartUpload_connectionsClosedMidPart_partsRetried_objectIntact(
      Parity<BlobClient, AsyncBlobClient> p, Crusher net) throws Exception {
    byte[] data = bytes(12 * MIB, 75);
    String bucket = Fixtures.bucket();
    sdk.createBucket(b -> b.bucket(bucket));

    CompletableFuture<Void> fault = net.afterUploadOf(MIB, TcpCrusher::closeAllPairs);
    PutResult put = p.call(c -> c.put(bucket, "big", data), a -> a.put(bucket, "big", data));
    fault.get(30, TimeUnit.SECONDS);

    assertThat(put.parts()).isEqualTo(3);
    assertThat(net.failures).isNotEmpty().allMatch(t -> t instanceof HttpIOException);
    Fixtures.assertSameBytes(sdk.getObjectAsBytes(b -> b.bucket(bucket).key("big")).asByteArray(), data);
    assertThat(Fixtures.uploads(sdk, bucket)).isEmpty();
  }

  @ParityTest
  void multipartUpload_connectionsClosedMidPart_withoutRetries_isAborted_noPartsRemain(
      Parity<BlobClient, AsyncBlobClient> p, Crusher net) throws Exception {
    byte[] data = bytes(12 * MIB, 76);
    String bucket = Fixtures.bucket();
    sdk.createBucket(b -> b.bucket(bucket));

    try (SideClient c = SideClient.open(p, net.config().retryPolicy(RetryPolicy.none()).build())) {
      CompletableFuture<Void> fault = net.afterUploadOf(MIB, TcpCrusher::closeAllPairs);
      assertThatThrownBy(() -> c.call(b -> b.put(bucket, "big", data), a -> a.put(bucket, "big", data)))
          .isInstanceOf(HttpIOException.class);
      fault.get(30, TimeUnit.SECONDS);
    }
    assertThat(Fixtures.uploads(sdk, bucket)).as("multipart uploads left").isEmpty();
    assertThat(sdk.listObjectsV2(b -> b.bucket(bucket)).contents()).isEmpty();
  }

  // ---- connect timeout ----

  @ParityTest
  void connectTimeout_isRetriedPerPolicy_thenFailsTyped(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    try (FullAcceptQueue full = new FullAcceptQueue();
        SideClient c =
            SideClient.open(
                p,
                Fixtures.config(full.endpoint(), "x", "x")
                    .connectTimeout(Duration.ofMillis(300))
                    .retryPolicy(recording(failures, 3))
                    .build())) {
      assertThatThrownBy(() -> c.call(b -> b.get("bkt", "k"), a -> a.get("bkt", "k")))
          .isInstanceOf(ConnectTimeoutException.class)
          .hasMessageContaining("within the connect timeout of 300 ms")
          .satisfies(e -> {
            assertThat(Arrays.stream(e.getSuppressed()).filter(s -> !(s instanceof CallerStackTrace)))
                .as("the earlier attempts")
                .hasSize(2)
                .allMatch(s -> s instanceof ConnectTimeoutException);
            assertThat(causes(e)).noneMatch(t -> t instanceof ConnectException);
          });
      assertThat(failures).hasSize(2).allMatch(t -> t instanceof ConnectTimeoutException);
    }
  }

  // ---- fixtures ----

  /** Uploads an object straight to the server (not through the proxy); returns its bucket. */
  static String object(String key, byte[] data) {
    String bucket = Fixtures.bucket();
    sdk.createBucket(b -> b.bucket(bucket));
    sdk.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(data));
    return bucket;
  }

  /** A progress callback that applies {@code fault} once, when 512 KiB have been transferred. */
  static Consumer<TransferProgress> once(Crusher net, Consumer<TcpCrusher> fault) {
    AtomicBoolean done = new AtomicBoolean();
    return e -> {
      if (e.loaded() >= 512 * 1024 && done.compareAndSet(false, true)) {
        fault.accept(net.crusher);
      }
    };
  }

  static AsyncCallback<TransferProgress> asyncOnce(Crusher net, Consumer<TcpCrusher> fault) {
    Consumer<TransferProgress> f = once(net, fault);
    return AsyncCallback.of(f::accept);
  }

  /** A policy of {@code attempts} quick attempts that records each failure it is asked about. */
  static RetryPolicy recording(List<Throwable> failures, int attempts) {
    return RetryPolicy.builder()
        .maxAttempts(attempts)
        .initialDelay(Duration.ofMillis(5))
        .maxDelay(Duration.ofMillis(20))
        .retryOn(t -> {
          failures.add(t);
          return RetryPolicy.IO_FAILURES.test(t);
        })
        .build();
  }

  static List<Throwable> causes(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      chain.add(t);
    }
    return chain;
  }

  /**
   * A NetCrusher TCP proxy from a free port of 127.0.0.1 to the embedded server, throttled both
   * ways, counting its connections; its clients' retries are recorded in {@link #failures}.
   */
  static final class Crusher implements AutoCloseable {
    final NioReactor reactor;
    final TcpCrusher crusher;
    final AtomicInteger connections = new AtomicInteger();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();
    final int port;

    private Crusher() throws IOException {
      try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        port = probe.getLocalPort();
      }
      reactor = new NioReactor();
      crusher =
          TcpCrusherBuilder.builder()
              .withReactor(reactor)
              .withBindAddress("127.0.0.1", port)
              .withConnectAddress("127.0.0.1", s3.endpoint().getPort())
              .withCreationListener(address -> connections.incrementAndGet())
              .withIncomingThrottlerFactory(a -> new ByteRateThrottler(256 * 1024, 50, TimeUnit.MILLISECONDS))
              .withOutgoingThrottlerFactory(a -> new ByteRateThrottler(256 * 1024, 50, TimeUnit.MILLISECONDS))
              .buildAndOpen();
    }

    static Crusher create() {
      try {
        return new Crusher();
      } catch (IOException e) {
        throw new IllegalStateException("cannot start NetCrusher", e);
      }
    }

    /**
     * Applies {@code fault}, on another thread, once the proxy has forwarded {@code bytes} of one
     * connection to the server. (A trigger in the client's progress callback can fire before the proxy has
     * accepted the part's connection, whose first bytes then wait in the kernel's buffers: the
     * fault would miss it.)
     */
    CompletableFuture<Void> afterUploadOf(long bytes, Consumer<TcpCrusher> fault) {
      return CompletableFuture.runAsync(
          () -> {
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(2))
                .until(() -> mostForwarded() >= bytes);
            fault.accept(crusher);
          },
          runnable -> Thread.ofVirtual().start(runnable));
    }

    private long mostForwarded() {
      long most = 0;
      for (InetSocketAddress client : crusher.getClientAddresses()) {
        RateMeters meters = crusher.getClientByteMeters(client);
        if (meters != null) {
          most = Math.max(most, meters.getSentMeter().getTotalCount()); // client -> server
        }
      }
      return most;
    }

    /** Quick retries that record their failures, and a 2 s read timeout. */
    BlobConfig.Builder config() {
      return Fixtures.config(URI.create("http://127.0.0.1:" + port), s3.accessKey(), s3.secretKey())
          .readTimeout(Duration.ofSeconds(2))
          .retryPolicy(recording(failures, 3));
    }

    @Override
    public void close() {
      crusher.close();
      reactor.close();
    }
  }

  /**
   * A socket listening on 127.0.0.1 with a backlog of 1 that never accepts, its accept queue
   * filled: Linux drops further SYNs, so a connect to it times out (it is not refused).
   */
  static final class FullAcceptQueue implements AutoCloseable {
    final ServerSocket listener;
    final List<Socket> queued = new ArrayList<>();

    FullAcceptQueue() throws IOException {
      listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
      for (int i = 0; i < 16; i++) {
        Socket s = new Socket();
        try {
          s.connect(address, 200);
          queued.add(s);
        } catch (SocketTimeoutException full) {
          s.close();
          return;
        } catch (ConnectException refused) {
          s.close();
          close();
          throw new IllegalStateException("a full accept queue refused a connection", refused);
        }
      }
      close();
      throw new IllegalStateException("16 connections did not fill an accept queue of 1");
    }

    URI endpoint() {
      return URI.create("http://127.0.0.1:" + listener.getLocalPort());
    }

    @Override
    public void close() throws IOException {
      for (Socket s : queued) {
        s.close();
      }
      listener.close();
    }
  }
}
