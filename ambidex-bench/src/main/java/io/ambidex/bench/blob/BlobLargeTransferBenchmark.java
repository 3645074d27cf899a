package io.ambidex.bench.blob;

import io.ambidex.bench.blob.Clients.Kind;
import io.ambidex.blob.AsyncBlobClient;
import io.ambidex.blob.BlobClient;
import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.BlobObject;
import io.ambidex.blob.PutResult;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.transfer.s3.S3TransferManager;
import software.amazon.awssdk.transfer.s3.model.DownloadRequest;

/**
 * One 256 MiB object (1 GiB with {@code -p mib=1024}): a multipart upload from a file, and a
 * download to a file, timed one transfer per iteration ({@code SingleShotTime}, after ten untimed
 * ones that also warm the server up), each client in its own fork with the same heap ({@code
 * -Xmx512m}, fixed and touched at start). Both clients cut the upload alike: 8 MiB parts above
 * 16 MiB, 4 parts in flight. Ours is {@code put(bucket, key, Path)} on {@link BlobClient} (parts on virtual threads) or {@link
 * AsyncBlobClient}, and {@code download(bucket, key, Path, null)}; the AWS SDK's is its Java
 * multipart client ({@code S3AsyncClient} on Netty with {@code multipartEnabled(true)}), {@code
 * putObject(.., AsyncRequestBody.fromFile(..))}, and {@code getObject(..,
 * AsyncResponseTransformer.toFile(..))} on the same client without its multipart layer (whose
 * downloads are GETs by part number, which S3Proxy does not implement): a download is one GET
 * streamed to a file in both clients. Every fork downloads the same object, uploaded by our client
 * in the trial's setup, with the row's checksum (CRC32C, or MD5 for {@code ambidex-md5}), which the
 * download rows of ours check: a download above 16 MiB is 8 MiB ranged GETs, 4 at once, written at
 * their offsets. {@code sdk-defaults} is the same SDK client with its own integrity defaults
 * ({@code WHEN_SUPPORTED}: a CRC32 with the object and each part, a download checked where the
 * object has a checksum) instead of {@code WHEN_REQUIRED}. {@code sdk-crt} is the SDK's {@code
 * S3TransferManager} over its CRT-based client (8 MiB parts, 4 requests at once): multipart
 * uploads with CRC32 checksums, ranged downloads.
 * {@code limit} is {@link RawS3}: signed requests written by hand, bodies moved between socket and
 * file in large blocks, nothing checked: the server-bound limit of this setup (the same ranges and
 * parallelism as ours for a file, one GET for a stream). The server (S3Proxy over a filesystem
 * store in a temporary directory) runs in a JVM of its own.
 *
 * <p>{@link #uploadStream()} and {@link #downloadStream()} are the same transfers with a stream
 * on the caller's side: the file read as an {@code InputStream} of unknown length, and the object
 * read in order with every byte touched (see each method for the calls).
 *
 * <p>Rows ({@code client}): {@code ambidex}, {@code ambidex-unsigned}, {@code ambidex-md5},
 * {@code ambidex-async}, {@code ambidex-async-unsigned}, {@code ambidex-async-md5}, {@code sdk},
 * {@code sdk-defaults}, {@code sdk-crt}, {@code limit}. The unsigned rows skip the payload's SHA-256 (a
 * second pass over the file), which the SDK's async client does not compute either.
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root), with the held heap from {@link RetainedHeapProfiler} and the CPU per transfer from {@link
 * ProcessCpuProfiler} ({@code bin/bench-blob-vs-sdk} runs these):
 *
 * <pre>
 * J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java; B=ambidex-bench/target/benchmarks.jar
 * P="-prof io.ambidex.bench.blob.RetainedHeapProfiler -prof io.ambidex.bench.blob.ProcessCpuProfiler"
 * $J -jar $B 'BlobLargeTransferBenchmark.upload' $P
 * $J -jar $B 'BlobLargeTransferBenchmark.download' -p client=ambidex,ambidex-async,sdk $P
 * $J -jar $B 'BlobLargeTransferBenchmark.(uploadStream|downloadStream)' -p mib=1024 $P
 * </pre>
 *
 * <p>At a small heap (does it complete?): add {@code -jvmArgsAppend -Xmx96m -wi 0 -i 1}.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
// The heap fixed and touched at start (-Xms = -Xmx, AlwaysPreTouch): a JVM whose heap grows maps
// fresh pages as it goes, and the kernel's zeroing of them was measured as the client's time. A
// 256 MiB `get` into memory took 190-215 ms in every shot with a touched heap, and 330-940 ms in
// the shots that grew the heap without one (client CPU 300-850 ms against 130-160), so whole
// forks looked slow or fast by how their collector happened to reuse regions (2026-12-07).
@Fork(value = 1, jvmArgsAppend = {"-Xms512m", "-Xmx512m", "-XX:+AlwaysPreTouch"})
// Ten warm-up transfers, not two: each fork starts its own server, a JVM whose JIT compiled during
// the first shots. With two, the server's CPU per download was 296 ms for ours and 260 for the
// CRT's ranged GETs against about 125-150 once warm, on the two cores the client shares, and the
// rows that sent more distinct requests paid more of it (docs/benchmarks.md, 2026-12-04 17:22).
@Warmup(iterations = 10)
@Measurement(iterations = 5)
public class BlobLargeTransferBenchmark {

  static final long PART_SIZE = 8L * Clients.MIB;
  static final long THRESHOLD = 16L * Clients.MIB;
  static final int PARTS_IN_FLIGHT = 4;

  /** The key every download reads. */
  static final String OBJECT = "object";

  /** The key every upload writes (replaced each time). */
  static final String UPLOADED = "uploaded";

  /** Which client: one of the rows listed in the class comment. */
  @Param({
    "ambidex",
    "ambidex-unsigned",
    "ambidex-md5",
    "ambidex-async",
    "ambidex-async-unsigned",
    "ambidex-async-md5",
    "sdk",
    "sdk-defaults",
    "sdk-crt",
    "limit"
  })
  public String client;

  /**
   * The object's size in MiB: 256 by default; {@code -p mib=1024} for the 1 GiB rows (the file
   * is written to the temporary directory, and the server stores a copy: 2 GiB of disk).
   */
  @Param({"256"})
  public long mib;

  private long size;

  private Path dir;
  private Path source;
  private Path target;
  private S3ServerProcess server;
  private BlobClient blobs;
  private AsyncBlobClient asyncBlobs;
  private S3AsyncClient s3;
  private S3TransferManager transfers;
  private RawS3 raw;
  private ExecutorService streamReads;

  /**
   * The source's CRC32C, which what a stream row's reader computed over the bytes it read, in
   * order, must equal (so a reader that got zeros, another object or the right bytes in the
   * wrong order fails its shot); or 0.
   */
  private long sourceCrc32c;

  /** What the last {@link #downloadBytes()} returned, checked after the iteration. */
  private byte[] lastBytes;

  /**
   * Starts the server, writes the source file (seeded random bytes), builds the client
   * and, for the download rows, stores the object with our client.
   */
  @Setup(Level.Trial)
  public void setUp(BenchmarkParams params) throws IOException {
    dir = Files.createTempDirectory("ambidex-bench-large-");
    source = dir.resolve("source.bin");
    target = dir.resolve("downloaded.bin");
    size = mib * Clients.MIB;
    writeRandom(source, size);
    server = S3ServerProcess.start(dir.resolve("store"));
    boolean sdkDefaults = client.equals("sdk-defaults");
    boolean sdk = client.equals("sdk") || sdkDefaults;
    boolean download = params.getBenchmark().contains(".download");
    if (!sdk && !client.equals("sdk-crt") && !client.equals("limit")
        && !client.startsWith("ambidex")) {
      throw new IllegalArgumentException(
          "client must be ambidex, ambidex-unsigned, ambidex-md5, ambidex-async,"
              + " ambidex-async-unsigned, ambidex-async-md5, sdk, sdk-defaults, sdk-crt or limit,"
              + " but was '"
              + client + "'");
    }
    Kind kind =
        client.endsWith("-unsigned")
            ? Kind.AMBIDEX_UNSIGNED
            : client.endsWith("-md5") ? Kind.AMBIDEX_MD5 : Kind.AMBIDEX;
    BlobConfig config =
        Clients.ambidex(server.endpoint(), kind, 2 * PARTS_IN_FLIGHT)
            .partSize(PART_SIZE)
            .multipartThreshold(THRESHOLD)
            .concurrency(PARTS_IN_FLIGHT)
            .build();
    // The object every download reads, stored by our client with its defaults for this setup.
    try (BlobClient setup = new BlobClient(config)) {
      setup.createBucket(Clients.BUCKET);
      if (download) {
        setup.put(Clients.BUCKET, OBJECT, source);
      }
    }
    if (params.getBenchmark().endsWith(".downloadStream")
        || params.getBenchmark().endsWith(".downloadBytes")) {
      sourceCrc32c = crc32c(source);
    }
    streamReads = Executors.newFixedThreadPool(2);
    if (client.equals("limit")) {
      raw = new RawS3(server.endpoint(), PARTS_IN_FLIGHT);
    } else if (client.equals("sdk-crt")) {
      transfers = Clients.sdkCrtTransferManager(server.endpoint(), PART_SIZE, PARTS_IN_FLIGHT);
    } else if (sdk) {
      // S3Proxy refuses the multipart layer's GETs by part number (501, "Reading one part of a
      // multipart object is not supported"), so the SDK downloads with one GET, as ours does.
      s3 =
          download
              ? (sdkDefaults
                  ? Clients.sdkAsyncDefaults(server.endpoint(), 2 * PARTS_IN_FLIGHT)
                  : Clients.sdkAsync(server.endpoint(), 2 * PARTS_IN_FLIGHT))
              : Clients.sdkMultipart(
                  server.endpoint(), THRESHOLD, PART_SIZE, PARTS_IN_FLIGHT, sdkDefaults);
    } else if (client.startsWith("ambidex-async")) {
      asyncBlobs = new AsyncBlobClient(config);
    } else {
      blobs = new BlobClient(config);
    }
  }

  /** Removes the previous download, so that every download creates its file. */
  @Setup(Level.Iteration)
  public void clearTarget() throws IOException {
    Files.deleteIfExists(target);
    lastBytes = null;
  }

  /**
   * Checks that a download wrote the whole object, and that an upload stored it (its size, read
   * from the server's filesystem store), outside the timed part.
   */
  @TearDown(Level.Iteration)
  public void checkTarget(BenchmarkParams params) throws IOException {
    if (params.getBenchmark().endsWith(".download") && Files.size(target) != size) {
      throw new IllegalStateException(
          "The download wrote " + Files.size(target) + " bytes instead of " + size);
    }
    if (params.getBenchmark().contains(".upload")) {
      long stored = 0;
      for (Path p : stored()) {
        stored += Files.size(p);
      }
      if (stored != size) {
        throw new IllegalStateException(
            "The upload stored " + stored + " bytes instead of " + size);
      }
    }
    if (lastBytes != null) {
      byte[] bytes = lastBytes;
      lastBytes = null;
      // Reads the 256 MiB source: not the client's cost, so not in its CPU figure.
      ProcessCpuProfiler.excluded(() -> {
        long at = mismatch(source, bytes);
        if (at >= 0) {
          throw new IllegalStateException("The bytes downloaded differ from the source at " + at);
        }
      });
    }
  }

  /**
   * Closes the client, stops the server and deletes the files; first checks, byte for byte, the
   * last file a download wrote and the object the last upload stored (the iterations' checks
   * compare sizes only, to keep the machine's page cache and disk out of the next shot). JMH
   * runs this within the last iteration, so its CPU is left out of that iteration's figure.
   */
  @TearDown(Level.Trial)
  public void tearDown(BenchmarkParams params) throws IOException {
    ProcessCpuProfiler.excluded(() -> {
      try {
        if (params.getBenchmark().endsWith(".download") && Files.exists(target)) {
          long at = Files.mismatch(source, target);
          if (at >= 0) {
            throw new IllegalStateException(
                "The downloaded file differs from the source at " + at);
          }
        }
        List<Path> stored = stored();
        if (params.getBenchmark().contains(".upload") && Files.exists(stored.get(0))) {
          long at = mismatch(source, stored);
          if (at >= 0) {
            throw new IllegalStateException(
                "The uploaded object differs from the source at " + at);
          }
        }
      } finally {
        close();
      }
    });
  }

  private void close() throws IOException {
    try {
      if (s3 != null) {
        s3.close();
      }
      if (transfers != null) {
        transfers.close();
      }
      if (raw != null) {
        raw.close();
      }
      if (blobs != null) {
        blobs.close();
      }
      if (asyncBlobs != null) {
        asyncBlobs.close().join();
      }
    } finally {
      streamReads.shutdownNow();
      server.close();
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /** One multipart upload of the source file. */
  @Benchmark
  public Object upload() throws Exception {
    if (raw != null) {
      raw.upload(Clients.BUCKET, UPLOADED, source, size);
      return raw;
    }
    if (transfers != null) {
      return transfers
          .uploadFile(u -> u.putObjectRequest(p -> p.bucket(Clients.BUCKET).key(UPLOADED)).source(source))
          .completionFuture()
          .join();
    }
    if (s3 != null) {
      PutObjectResponse r =
          s3.putObject(
                  PutObjectRequest.builder().bucket(Clients.BUCKET).key(UPLOADED).build(),
                  AsyncRequestBody.fromFile(source))
              .join();
      return r;
    }
    PutResult r =
        blobs != null
            ? blobs.put(Clients.BUCKET, UPLOADED, source)
            : asyncBlobs.put(Clients.BUCKET, UPLOADED, source).join();
    if (r.parts() != size / PART_SIZE) {
      throw new IllegalStateException("Uploaded in " + r.parts() + " parts instead of " + size / PART_SIZE);
    }
    return r;
  }

  /** One download of the object to a new file. */
  @Benchmark
  public Object download() throws Exception {
    if (raw != null) {
      raw.download(Clients.BUCKET, OBJECT, target, size, PART_SIZE);
      return raw;
    }
    if (transfers != null) {
      return transfers
          .downloadFile(d -> d.getObjectRequest(g -> g.bucket(Clients.BUCKET).key(OBJECT)).destination(target))
          .completionFuture()
          .join();
    }
    if (s3 != null) {
      GetObjectResponse r =
          s3.getObject(
                  GetObjectRequest.builder().bucket(Clients.BUCKET).key(OBJECT).build(),
                  AsyncResponseTransformer.toFile(target))
              .join();
      return r;
    }
    BlobObject r =
        blobs != null
            ? blobs.download(Clients.BUCKET, OBJECT, target, null)
            : asyncBlobs.download(Clients.BUCKET, OBJECT, target, null).join();
    return r;
  }

  /**
   * One upload of the source file read as a stream of unknown length ({@code InputStream}): ours
   * {@code put(bucket, key, InputStream)}, the SDK's {@code AsyncRequestBody.fromInputStream} with
   * no length, through its multipart client or the CRT transfer manager. {@code limit} uploads
   * the file as in {@link #upload()}: the setup's bound does not depend on where the bytes come
   * from.
   */
  @Benchmark
  public Object uploadStream() throws Exception {
    if (raw != null) {
      return upload();
    }
    try (InputStream in = Files.newInputStream(source)) {
      if (transfers != null) {
        return transfers
            .upload(
                u ->
                    u.putObjectRequest(p -> p.bucket(Clients.BUCKET).key(UPLOADED))
                        .requestBody(AsyncRequestBody.fromInputStream(in, null, streamReads)))
            .completionFuture()
            .join();
      }
      if (s3 != null) {
        return s3.putObject(
                PutObjectRequest.builder().bucket(Clients.BUCKET).key(UPLOADED).build(),
                AsyncRequestBody.fromInputStream(in, null, streamReads))
            .join();
      }
      PutResult r =
          blobs != null
              ? blobs.put(Clients.BUCKET, UPLOADED, in)
              : asyncBlobs.put(Clients.BUCKET, UPLOADED, in).join();
      if (r.size() != size) {
        throw new IllegalStateException("Uploaded " + r.size() + " bytes instead of " + size);
      }
      return r;
    }
  }

  /**
   * One download of the object read as a stream, in order, every byte touched: ours {@code
   * open(bucket, key)} (a {@code Stream} of buffers, or a {@code Flow.Publisher} pulled 16
   * buffers ahead), the SDK's {@code AsyncResponseTransformer.toBlockingInputStream()} read in 64
   * KiB blocks, on its async client or the CRT transfer manager. {@code limit} is one GET read
   * straight from the socket, every byte touched ({@link RawS3#stream}).
   */
  @Benchmark
  public Object downloadStream() throws Exception {
    long read;
    CRC32C crc = new CRC32C();
    if (raw != null) {
      read = raw.stream(Clients.BUCKET, OBJECT, size, crc);
    } else if (transfers != null) {
      AsyncResponseTransformer<GetObjectResponse, ResponseInputStream<GetObjectResponse>> toStream =
          AsyncResponseTransformer.toBlockingInputStream();
      ResponseInputStream<GetObjectResponse> in =
          transfers
              .download(
                  DownloadRequest.builder()
                      .getObjectRequest(g -> g.bucket(Clients.BUCKET).key(OBJECT))
                      .responseTransformer(toStream)
                      .build())
              .completionFuture()
              .join()
              .result();
      read = drain(in, crc);
    } else if (s3 != null) {
      read =
          drain(
              s3.getObject(
                      GetObjectRequest.builder().bucket(Clients.BUCKET).key(OBJECT).build(),
                      AsyncResponseTransformer.toBlockingInputStream())
                  .join(),
              crc);
    } else if (blobs != null) {
      try (Stream<ByteBuffer> body = blobs.open(Clients.BUCKET, OBJECT)) {
        read = body.mapToLong(b -> touch(b, crc)).sum();
      }
    } else {
      read = Sink.drain(asyncBlobs.open(Clients.BUCKET, OBJECT), crc).join();
    }
    checkStream(read, crc);
    return read;
  }

  /**
   * The whole object into one array in memory: ours with {@code get} (ranged GETs above the
   * threshold, each copied to its place), the SDK's async client with one GET into bytes, the CRT
   * transfer manager into bytes; the limit reads one GET from the socket (its stream row). The
   * bytes are not touched again: every row has them in an array of its own when it returns. A
   * larger heap than the other rows: the SDK's collector holds the object twice at its end.
   */
  @Benchmark
  @Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
  public Object downloadBytes() throws Exception {
    if (raw != null) {
      CRC32C crc = new CRC32C();
      long read = raw.stream(Clients.BUCKET, OBJECT, size, crc);
      checkStream(read, crc);
      return read;
    }
    byte[] bytes;
    if (transfers != null) {
      bytes =
          transfers
              .download(
                  DownloadRequest.builder()
                      .getObjectRequest(g -> g.bucket(Clients.BUCKET).key(OBJECT))
                      .responseTransformer(AsyncResponseTransformer.toBytes())
                      .build())
              .completionFuture()
              .join()
              .result()
              .asByteArrayUnsafe();
    } else if (s3 != null) {
      bytes =
          s3.getObject(
                  GetObjectRequest.builder().bucket(Clients.BUCKET).key(OBJECT).build(),
                  AsyncResponseTransformer.toBytes())
              .join()
              .asByteArrayUnsafe();
    } else {
      bytes =
          blobs != null
              ? blobs.get(Clients.BUCKET, OBJECT)
              : asyncBlobs.get(Clients.BUCKET, OBJECT).join();
    }
    if (bytes.length != size) {
      throw new IllegalStateException("Got " + bytes.length + " bytes instead of " + size);
    }
    lastBytes = bytes;
    return bytes;
  }

  /*
   * A stream row's shot read the whole object, in order: its length and the CRC32C of what it
   * read, as they arrived. Inside the timed part, which it adds two comparisons to.
   */
  private void checkStream(long read, CRC32C crc) {
    if (read != size) {
      throw new IllegalStateException("The stream had " + read + " bytes instead of " + size);
    }
    if (crc.getValue() != sourceCrc32c) {
      throw new IllegalStateException(String.format(
          "The stream's bytes have CRC32C %08x, the source's %08x: wrong bytes or wrong order",
          crc.getValue(), sourceCrc32c));
    }
  }

  /* Reads to the end in 64 KiB blocks, touching every byte; returns the count. */
  private static long drain(InputStream in, CRC32C crc) throws IOException {
    try (in) {
      byte[] block = new byte[64 * 1024];
      long total = 0;
      for (int n; (n = in.read(block)) >= 0; ) {
        total += touch(ByteBuffer.wrap(block, 0, n), crc);
      }
      return total;
    }
  }

  /*
   * Touches every byte of a buffer, in order, adding them to crc (the reader's check of what it
   * read); returns its length and leaves the buffer as it was.
   */
  private static long touch(ByteBuffer b, CRC32C crc) {
    int len = b.remaining();
    int at = b.position();
    crc.update(b);
    b.position(at);
    return len;
  }

  /**
   * A subscriber that pulls 16 buffers ahead and touches every byte, in order, into a CRC32C
   * that its caller reads once the returned future completes.
   */
  private static final class Sink implements Flow.Subscriber<ByteBuffer> {
    private final CompletableFuture<Long> done = new CompletableFuture<>();
    private final CRC32C crc;
    private long read;
    private Flow.Subscription subscription;
    private int outstanding;

    private Sink(CRC32C crc) {
      this.crc = crc;
    }

    static CompletableFuture<Long> drain(Flow.Publisher<ByteBuffer> body, CRC32C crc) {
      Sink sink = new Sink(crc);
      body.subscribe(sink);
      return sink.done;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      outstanding = 16;
      s.request(16);
    }

    @Override
    public void onNext(ByteBuffer item) {
      read += touch(item, crc);
      if (--outstanding == 8) {
        outstanding += 8;
        subscription.request(8);
      }
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(read);
    }
  }

  /* The CRC32C of a file's bytes. */
  private static long crc32c(Path file) throws IOException {
    CRC32C crc = new CRC32C();
    byte[] block = new byte[Clients.MIB];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.readNBytes(block, 0, block.length)) > 0; ) {
        crc.update(block, 0, n);
      }
    }
    return crc.getValue();
  }

  /* Where an array first differs from a file of the same length, or -1. */
  /*
   * The files of the object the last upload stored, in the order of its bytes: the limit's slices
   * (RawS3.upload stores one object per slice), or the one object.
   */
  private List<Path> stored() {
    Path bucket = dir.resolve("store").resolve(Clients.BUCKET);
    return raw != null
        ? raw.sliceKeys(UPLOADED).stream().map(bucket::resolve).toList()
        : List.of(bucket.resolve(UPLOADED));
  }

  /* Where `file` and the concatenation of `parts` first differ, or -1 if they are the same. */
  private static long mismatch(Path file, List<Path> parts) throws IOException {
    byte[] a = new byte[Clients.MIB];
    byte[] b = new byte[Clients.MIB];
    long at = 0;
    try (InputStream in = Files.newInputStream(file)) {
      for (Path part : parts) {
        try (InputStream p = Files.newInputStream(part)) {
          for (int n; (n = p.readNBytes(b, 0, b.length)) > 0; at += n) {
            int m = in.readNBytes(a, 0, n);
            int i = java.util.Arrays.mismatch(a, 0, m, b, 0, n);
            if (i >= 0) {
              return at + i;
            }
          }
        }
      }
      return in.read() < 0 ? -1 : at;
    }
  }

  private static long mismatch(Path file, byte[] bytes) throws IOException {
    byte[] block = new byte[Clients.MIB];
    long at = 0;
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.readNBytes(block, 0, block.length)) > 0; at += n) {
        int i = java.util.Arrays.mismatch(block, 0, n, bytes, (int) at, (int) Math.min(at + n, bytes.length));
        if (i >= 0) {
          return at + i;
        }
      }
    }
    return at == bytes.length ? -1 : at;
  }

  private static void writeRandom(Path file, long size) throws IOException {
    Random random = new Random(256);
    byte[] block = new byte[Clients.MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        random.nextBytes(block);
        out.write(block);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot write the source file " + file, e);
    }
  }
}
