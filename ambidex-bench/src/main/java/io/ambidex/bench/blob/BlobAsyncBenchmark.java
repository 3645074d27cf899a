package io.ambidex.bench.blob;

import io.ambidex.bench.blob.Clients.Kind;
import io.ambidex.blob.AsyncBlobClient;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * Small objects through the async clients, {@value #IN_FLIGHT} in flight: each invocation starts
 * {@value #IN_FLIGHT} PUTs (or GETs) of 1 KiB objects on {@value #IN_FLIGHT} keys and waits for all
 * of them; throughput is per operation ({@code @OperationsPerInvocation}). Our {@link
 * AsyncBlobClient} (Apache async client, {@code maxConnections(64)}) against the AWS SDK's {@link
 * S3AsyncClient} on Netty ({@code maxConcurrency(64)}). The S3 server runs in a JVM of its own
 * ({@link S3ServerProcess}).
 *
 * <p>Rows ({@code client}): {@code ambidex}, {@code ambidex-unsigned} (no payload SHA-256), {@code
 * sdk}. The SDK's requests are built once and its bodies wrap the array ({@code fromBytesUnsafe}),
 * as ours does.
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar ambidex-bench/target/benchmarks.jar \
 *     BlobAsyncBenchmark -prof gc -prof io.ambidex.bench.blob.ProcessCpuProfiler
 * </pre>
 *
 * <p>{@code gc.alloc.rate.norm} (B/op) counts the allocation of every thread of the benchmark's
 * JVM, the clients' I/O threads included (JMH 1.37 reads {@code getTotalThreadAllocatedBytes}), per
 * operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class BlobAsyncBenchmark {
  /** Operations in flight at once. */
  static final int IN_FLIGHT = 64;

  /**
   * Which client: {@code ambidex}, {@code ambidex-unsigned}, {@code sdk} (checking only what S3
   * requires) or {@code sdk-defaults} (the SDK's own integrity defaults).
   */
  @Param({"ambidex", "ambidex-unsigned", "sdk", "sdk-defaults"})
  public String client;

  private S3ServerProcess server;
  private boolean sdk;
  private AsyncBlobClient blobs;
  private S3AsyncClient s3;
  private byte[] data;
  private final String[] keys = new String[IN_FLIGHT];
  private final PutObjectRequest[] sdkPuts = new PutObjectRequest[IN_FLIGHT];
  private final GetObjectRequest[] sdkGets = new GetObjectRequest[IN_FLIGHT];
  private final CompletableFuture<?>[] pending = new CompletableFuture<?>[IN_FLIGHT];

  /** Starts the server and the client, and stores the objects the GET rows read. */
  @Setup(Level.Trial)
  public void setUp() {
    Kind kind = Kind.of(client);
    server = S3ServerProcess.start(null);
    data = new byte[BlobBlockingBenchmark.SIZE];
    new Random(42).nextBytes(data);
    sdk = kind == Kind.SDK || kind == Kind.SDK_DEFAULTS;
    for (int i = 0; i < IN_FLIGHT; i++) {
      keys[i] = "object-" + i;
      sdkPuts[i] = PutObjectRequest.builder().bucket(Clients.BUCKET).key(keys[i]).build();
      sdkGets[i] = GetObjectRequest.builder().bucket(Clients.BUCKET).key(keys[i]).build();
    }
    if (sdk) {
      s3 = kind == Kind.SDK_DEFAULTS
          ? Clients.sdkAsyncDefaults(server.endpoint(), IN_FLIGHT)
          : Clients.sdkAsync(server.endpoint(), IN_FLIGHT);
      s3.createBucket(b -> b.bucket(Clients.BUCKET)).join();
    } else {
      blobs = new AsyncBlobClient(Clients.ambidex(server.endpoint(), kind, IN_FLIGHT).build());
      blobs.createBucket(Clients.BUCKET).join();
    }
    put();
    // The GET rows' operation once, checked: every key must read back the bytes put.
    checkAll();
  }

  /** Reads every key back with the row's client and compares it with what was put. */
  private void checkAll() {
    for (int i = 0; i < IN_FLIGHT; i++) {
      byte[] got =
          sdk
              ? s3.getObject(sdkGets[i], AsyncResponseTransformer.toBytes()).join().asByteArrayUnsafe()
              : blobs.get(Clients.BUCKET, keys[i]).join();
      if (!java.util.Arrays.equals(got, data)) {
        throw new IllegalStateException(
            client + ": " + keys[i] + " read back " + got.length + " bytes that are not the "
                + data.length + " put");
      }
    }
  }

  /** Checks what the measured PUTs stored, then closes the client and stops the server. */
  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      checkAll();
    } finally {
      close();
    }
  }

  private void close() {
    try {
      if (s3 != null) {
        s3.close();
      }
      if (blobs != null) {
        blobs.close().join();
      }
    } finally {
      server.close();
    }
  }

  /** {@value #IN_FLIGHT} PUTs of 1 KiB started at once, then awaited. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public void put() {
    if (sdk) {
      for (int i = 0; i < IN_FLIGHT; i++) {
        pending[i] = s3.putObject(sdkPuts[i], AsyncRequestBody.fromBytesUnsafe(data));
      }
    } else {
      for (int i = 0; i < IN_FLIGHT; i++) {
        pending[i] = blobs.put(Clients.BUCKET, keys[i], data);
      }
    }
    for (CompletableFuture<?> f : pending) {
      f.join();
    }
  }

  /** {@value #IN_FLIGHT} GETs of 1 KiB started at once, then awaited, each read into an array. */
  @Benchmark
  @OperationsPerInvocation(IN_FLIGHT)
  public void get(Blackhole bh) {
    if (sdk) {
      for (int i = 0; i < IN_FLIGHT; i++) {
        pending[i] = s3.getObject(sdkGets[i], AsyncResponseTransformer.toBytes());
      }
    } else {
      for (int i = 0; i < IN_FLIGHT; i++) {
        pending[i] = blobs.get(Clients.BUCKET, keys[i]);
      }
    }
    for (CompletableFuture<?> f : pending) {
      bh.consume(f.join());
    }
  }
}
