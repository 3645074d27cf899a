package io.ambidex.bench.blob;

import io.ambidex.bench.blob.Clients.Kind;
import io.ambidex.blob.BlobClient;
import io.ambidex.blob.PutResult;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * Small objects through the blocking clients, one thread: a 1 KiB PUT and a 1 KiB GET, per
 * second, by our {@link BlobClient} and by the AWS SDK's {@link S3Client} on its Apache client.
 * Each call runs on the benchmark thread in both (no thread hop). The S3 server (S3Proxy, in-memory
 * store, SigV4 checked) runs in a JVM of its own ({@link S3ServerProcess}), so the allocation and
 * CPU figures are the client's alone.
 *
 * <p>Rows ({@code client}): {@code ambidex} (our defaults), {@code ambidex-unsigned} (our client
 * without the payload's SHA-256), {@code sdk}. The SDK's requests are built once (immutable) and
 * its bodies wrap the array without copying it, as ours does.
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar ambidex-bench/target/benchmarks.jar \
 *     BlobBlockingBenchmark -prof gc -prof io.ambidex.bench.blob.ProcessCpuProfiler
 * </pre>
 *
 * <p>Allocation per call is {@code gc.alloc.rate.norm} (B/op) from {@code -prof gc}, which counts
 * every thread of the benchmark's JVM (JMH 1.37 reads {@code getTotalThreadAllocatedBytes}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class BlobBlockingBenchmark {
  /** The object's size: 1 KiB. */
  static final int SIZE = 1024;

  /**
   * Which client: {@code ambidex}, {@code ambidex-unsigned}, {@code sdk} (checking only what S3
   * requires) or {@code sdk-defaults} (the SDK's own integrity defaults).
   */
  @Param({"ambidex", "ambidex-unsigned", "sdk", "sdk-defaults"})
  public String client;

  private S3ServerProcess server;
  private boolean sdk;
  private BlobClient blobs;
  private S3Client s3;
  private byte[] data;
  private PutObjectRequest sdkPut;
  private GetObjectRequest sdkGet;

  /** Starts the server and the client, and stores the object the GET rows read. */
  @Setup(Level.Trial)
  public void setUp() {
    Kind kind = Kind.of(client);
    server = S3ServerProcess.start(null);
    data = new byte[SIZE];
    new Random(42).nextBytes(data);
    sdk = kind == Kind.SDK || kind == Kind.SDK_DEFAULTS;
    if (sdk) {
      s3 = Clients.sdkBlocking(server.endpoint(), 8, kind == Kind.SDK_DEFAULTS);
      s3.createBucket(b -> b.bucket(Clients.BUCKET));
      sdkPut = PutObjectRequest.builder().bucket(Clients.BUCKET).key("put").build();
      sdkGet = GetObjectRequest.builder().bucket(Clients.BUCKET).key("get").build();
      s3.putObject(b -> b.bucket(Clients.BUCKET).key("get"), RequestBody.fromBytes(data));
    } else {
      blobs = new BlobClient(Clients.ambidex(server.endpoint(), kind, 8).build());
      blobs.createBucket(Clients.BUCKET);
      blobs.put(Clients.BUCKET, "get", data);
    }
    // Each row's operation once, checked: a path that returns the wrong bytes, or stores
    // nothing, fails here instead of reporting its throughput.
    check("get()", get());
    put();
    check("the object put() stored", read("put"));
  }

  private byte[] read(String key) {
    return sdk
        ? s3.getObjectAsBytes(b -> b.bucket(Clients.BUCKET).key(key)).asByteArrayUnsafe()
        : blobs.get(Clients.BUCKET, key);
  }

  private void check(String what, byte[] got) {
    if (!java.util.Arrays.equals(got, data)) {
      throw new IllegalStateException(
          client + ": " + what + " has " + got.length + " bytes that are not the " + SIZE + " put");
    }
  }

  /** Checks the object the measured PUTs stored, then closes the client and stops the server. */
  @TearDown(Level.Trial)
  public void tearDown() {
    try {
      check("the object put() stored", read("put"));
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
        blobs.close();
      }
    } finally {
      server.close();
    }
  }

  /** A 1 KiB PUT (the same key each time). */
  @Benchmark
  public Object put() {
    if (sdk) {
      PutObjectResponse r =
          s3.putObject(
              sdkPut,
              RequestBody.fromContentProvider(
                  ContentStreamProvider.fromByteArrayUnsafe(data), SIZE, "application/octet-stream"));
      return r;
    }
    PutResult r = blobs.put(Clients.BUCKET, "put", data);
    return r;
  }

  /** A 1 KiB GET, the whole body read into an array. */
  @Benchmark
  public byte[] get() {
    if (sdk) {
      ResponseBytes<GetObjectResponse> r = s3.getObjectAsBytes(sdkGet);
      return r.asByteArrayUnsafe();
    }
    return blobs.get(Clients.BUCKET, "get");
  }
}
