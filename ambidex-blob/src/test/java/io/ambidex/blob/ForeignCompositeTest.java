package io.ambidex.blob;

import static io.ambidex.blob.ChecksumContract.await;
import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.internal.Hasher;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.UploadPartRequest;

/**
 * Objects another tool uploaded in parts of unequal sizes, with a COMPOSITE checksum (the checksum
 * of the parts' checksums) or only a multipart ETag (the MD5 of the parts' MD5s): this client
 * learns the parts' lengths ({@code HEAD ?partNumber=k}) and checks the composite on every read of
 * the whole object. Against moto, which answers part-number HEADs as S3 does, through a proxy
 * (mockwebserver forwarding to moto) that can flip one byte of what moto sends: intact, every
 * read returns the bytes; flipped, every read fails with {@link BlobIntegrityException} and a
 * download leaves nothing. Servers that do not tell the parts (S3Proxy refuses the parameter) keep
 * the length check: {@link CrtInteropTest}; scripted answers that make no sense: the last tests.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class ForeignCompositeTest {
  /* Unequal parts: no single part size cuts the object where it was cut. */
  private static final int[] PARTS = {6 * MIB, 5 * MIB + 3, MIB + 11};
  private static final int SIZE = Arrays.stream(PARTS).sum();
  private static final int FLIP = 7 * MIB + 5; // inside part 2
  private static final Set<String> NOT_FORWARDED =
      Set.of("host", "connection", "content-length", "expect", "upgrade", "transfer-encoding");
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/\\d+");

  static MotoServer moto;
  static S3Client sdk;
  static String bucket;
  static MockS3 proxy;
  static final OkHttpClient forward = new OkHttpClient();
  static volatile boolean flip;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    sdk = Fixtures.sdk(moto.endpoint, "testing", "testing");
    bucket = Fixtures.bucket();
    sdk.createBucket(b -> b.bucket(bucket));
    proxy = new MockS3();
    proxy.handler = ForeignCompositeTest::forwardToMoto;
  }

  @AfterAll
  static void stop() throws Exception {
    if (proxy != null) {
      proxy.close();
    }
    if (sdk != null) {
      sdk.close();
    }
    MotoServer.stop(moto);
  }

  @AfterEach
  void intact() {
    flip = false;
  }

  /* Forwards a read to moto; with `flip`, inverts the object's byte FLIP in what comes back. */
  private static MockResponse forwardToMoto(RecordedRequest r) {
    Request.Builder b = new Request.Builder().url(moto.endpoint + r.getTarget()).method(r.getMethod(), null);
    r.getHeaders()
        .forEach(
            h -> {
              if (!NOT_FORWARDED.contains(h.getFirst().toLowerCase(Locale.ROOT))) {
                b.header(h.getFirst(), h.getSecond());
              }
            });
    b.header("Accept-Encoding", "identity"); // the bytes as moto sends them
    try (Response answer = forward.newCall(b.build()).execute()) {
      byte[] body = answer.body().bytes();
      MockResponse.Builder out = new MockResponse.Builder().code(answer.code());
      answer
          .headers()
          .forEach(
              h -> {
                if (!NOT_FORWARDED.contains(h.getFirst().toLowerCase(Locale.ROOT))) {
                  out.addHeader(h.getFirst(), h.getSecond());
                }
              });
      if (r.getMethod().equals("HEAD")) {
        String length = answer.header("Content-Length");
        if (length != null) {
          out.setHeader("Content-Length", length); // replaces the builder's "0"
        }
        return out.build();
      }
      long first = 0;
      Matcher m = CONTENT_RANGE.matcher(answer.header("Content-Range", ""));
      if (m.matches()) {
        first = Long.parseLong(m.group(1));
      }
      if (flip && FLIP >= first && FLIP - first < body.length) {
        body[(int) (FLIP - first)] ^= 0x01;
      }
      return out.body(new okio.Buffer().write(body)).build();
    } catch (java.io.IOException e) {
      return MockS3.error(502, "ProxyFailed");
    }
  }

  /* Uploads `data` with the SDK in PARTS, with `algorithm`'s COMPOSITE checksum (MD5: none). */
  private static void upload(String key, byte[] data, ChecksumAlgorithm algorithm) {
    CreateMultipartUploadRequest.Builder create =
        CreateMultipartUploadRequest.builder().bucket(bucket).key(key);
    if (algorithm != ChecksumAlgorithm.MD5) {
      create.checksumAlgorithm(algorithm.name()).checksumType(ChecksumType.COMPOSITE);
    }
    String id = sdk.createMultipartUpload(create.build()).uploadId();
    List<CompletedPart> done = new ArrayList<>();
    int off = 0;
    for (int n = 1; n <= PARTS.length; n++) {
      byte[] part = Arrays.copyOfRange(data, off, off + PARTS[n - 1]);
      off += part.length;
      UploadPartRequest.Builder up =
          UploadPartRequest.builder().bucket(bucket).key(key).uploadId(id).partNumber(n);
      CompletedPart.Builder c = CompletedPart.builder().partNumber(n);
      if (algorithm != ChecksumAlgorithm.MD5) {
        String sum = Base64.getEncoder().encodeToString(Hasher.of(algorithm, part, 0, part.length));
        up.checksumAlgorithm(algorithm.name());
        switch (algorithm) {
          case CRC32C -> c.checksumCRC32C(sum);
          case CRC32 -> c.checksumCRC32(sum);
          case SHA1 -> c.checksumSHA1(sum);
          case SHA256 -> c.checksumSHA256(sum);
          default -> throw new IllegalArgumentException(algorithm + " has no COMPOSITE type");
        }
      }
      c.eTag(sdk.uploadPart(up.build(), RequestBody.fromBytes(part)).eTag());
      done.add(c.build());
    }
    sdk.completeMultipartUpload(
        b -> b.bucket(bucket).key(key).uploadId(id).multipartUpload(m -> m.parts(done)));
  }

  /*
   * A client through the proxy; flexible checksums are asked for unless `algorithm` is MD5. Above
   * `threshold` bytes an object is read in ranges (then the parts), up to it in one GET.
   */
  private static BlobConfig config(ChecksumAlgorithm algorithm, long threshold) {
    return Fixtures.config(proxy.endpoint(), "testing", "testing")
        .checksum(algorithm == ChecksumAlgorithm.MD5 ? ChecksumAlgorithm.MD5 : ChecksumAlgorithm.CRC32C)
        .multipartThreshold(threshold)
        .build();
  }

  private static byte[] readAll(AsyncIterator<ByteBuffer> stream) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      while (await(stream.hasNext().toCompletableFuture())) {
        ByteBuffer b = stream.next();
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.writeBytes(chunk);
      }
    } finally {
      stream.close();
    }
    return out.toByteArray();
  }

  /* Every whole-object read, blocking and async: into memory, to a file, as a stream. */
  private List<ThrowingRead> reads(BlobClient blocking, AsyncBlobClient async, String key) {
    return reads(blocking, async, key, bucket);
  }

  private List<ThrowingRead> reads(
      BlobClient blocking, AsyncBlobClient async, String key, String bucket) {
    return List.of(
        new ThrowingRead("blocking get", () -> blocking.get(bucket, key)),
        new ThrowingRead("async get", () -> await(async.get(bucket, key))),
        new ThrowingRead(
            "blocking download",
            () -> {
              Path target = dir.resolve("blocking.bin");
              blocking.download(bucket, key, target, null);
              return Files.readAllBytes(target);
            }),
        new ThrowingRead(
            "async download",
            () -> {
              Path target = dir.resolve("async.bin");
              await(async.download(bucket, key, target, null));
              return Files.readAllBytes(target);
            }),
        new ThrowingRead(
            "blocking stream",
            () -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              try (Stream<ByteBuffer> body = blocking.open(bucket, key)) {
                body.forEach(b -> out.write(b.array(), b.arrayOffset() + b.position(), b.remaining()));
              }
              return out.toByteArray();
            }),
        new ThrowingRead(
            "async stream",
            () -> readAll(AsyncIterators.fromPublisher(async.open(bucket, key)))));
  }

  private record ThrowingRead(String name, Read read) {}

  @FunctionalInterface
  private interface Read {
    byte[] run() throws Exception;
  }

  @ParameterizedTest
  @EnumSource(
      value = ChecksumAlgorithm.class,
      names = {"CRC32C", "CRC32", "SHA1", "SHA256", "MD5"})
  void unequalParts_everyReadIsChecked_andAFlippedByteIsCaught(ChecksumAlgorithm algorithm)
      throws Exception {
    byte[] data = bytes(SIZE, 300 + algorithm.ordinal());
    String key = "foreign/" + algorithm.name() + " parts";
    upload(key, data, algorithm);

    // In ranges (the object is above the threshold) and in one GET (below it).
    for (long threshold : new long[] {5 * MIB, 64 * MIB}) {
      readsAreChecked(key, data, algorithm, threshold);
    }
  }

  private void readsAreChecked(
      String key, byte[] data, ChecksumAlgorithm algorithm, long threshold) throws Exception {
    flip = false;
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.toList()) {
        Files.delete(f);
      }
    }
    try (BlobClient blocking = new BlobClient(config(algorithm, threshold))) {
      AsyncBlobClient async = new AsyncBlobClient(config(algorithm, threshold));
      try {
        int headsBefore = proxy.matching("HEAD", "partNumber=3").size();
        int rangesBefore = proxy.matching("GET", "").size();
        for (ThrowingRead r : reads(blocking, async, key)) {
          Fixtures.assertSameBytes(r.read().run(), data);
        }
        assertThat(proxy.matching("HEAD", "partNumber=3").size() - headsBefore)
            .as("the parts' lengths are asked for on each of the six reads")
            .isEqualTo(6);
        assertThat(proxy.matching("GET", "").size() - rangesBefore)
            .as("one GET per read below the threshold; above it, one more per range: the parts,"
                + " except for the streams, whose ranges are of 5 MiB (min(partSize, 8 MiB))")
            .isEqualTo(
                threshold > SIZE
                    ? 6
                    : 4 * (1 + PARTS.length) + 2 * (1 + (SIZE + 5 * MIB - 1) / (5 * MIB)));

        flip = true;
        for (ThrowingRead r : reads(blocking, async, key)) {
          assertThatThrownBy(() -> r.read().run())
              .as(r.name())
              .isInstanceOf(BlobIntegrityException.class)
              .hasMessageContaining(algorithm == ChecksumAlgorithm.MD5 ? "ETag" : algorithm.header());
        }
        try (Stream<Path> left = Files.list(dir)) {
          // The intact downloads' files are there; the damaged ones replaced nothing, left no part.
          assertThat(left.map(p -> p.getFileName().toString()))
              .containsExactlyInAnyOrder("blocking.bin", "async.bin");
        }
        Fixtures.assertSameBytes(Files.readAllBytes(dir.resolve("async.bin")), data);
      } finally {
        await(async.close());
      }
    }
  }

  @Test
  void partLengths_areTheUploadsParts_bothFacades() throws Exception {
    upload("lengths/parts", bytes(SIZE, 399), ChecksumAlgorithm.CRC32C);
    sdk.putObject(b -> b.bucket(bucket).key("lengths/single"), RequestBody.fromBytes(new byte[1000]));
    List<Long> parts = Arrays.stream(PARTS).mapToObj(n -> (long) n).toList();
    try (BlobClient blocking = new BlobClient(config(ChecksumAlgorithm.CRC32C, 5 * MIB))) {
      AsyncBlobClient async = new AsyncBlobClient(config(ChecksumAlgorithm.CRC32C, 5 * MIB));
      try {
        assertThat(blocking.partLengths(bucket, "lengths/parts")).isEqualTo(parts);
        assertThat(await(async.partLengths(bucket, "lengths/parts"))).isEqualTo(parts);
        assertThat(blocking.partLengths(bucket, "lengths/single")).containsExactly(1000L);
        assertThat(await(async.partLengths(bucket, "lengths/single"))).containsExactly(1000L);
        assertThatThrownBy(() -> blocking.partLengths(bucket, "lengths/none"))
            .isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> await(async.partLengths(bucket, "lengths/none")))
            .isInstanceOf(NoSuchKeyException.class);
      } finally {
        await(async.close());
      }
    }
  }

  /* Scripted: what partLengths makes of servers that do not tell, or tell nonsense. */
  @Test
  void partLengths_refused_ignored_orAbsurd() throws Exception {
    String etag = "0123456789abcdef0123456789abcdef-2";
    try (MockS3 s3 = new MockS3(); BlobClient client = new BlobClient(s3.config())) {
      s3.handler = r -> notImplemented();
      assertThat(client.partLengths("bkt", "k")).isEmpty();
      assertThat(client.partLengths("bkt", "other")).isEmpty();
      assertThat(s3.requests).as("501 is the service's answer: asked once per client").hasSize(1);
    }
    try (MockS3 s3 = new MockS3(); BlobClient client = new BlobClient(s3.config())) {
      // Ignored: the whole object's HEAD, no parts count, an ETag that says it has parts.
      s3.handler =
          r -> new MockResponse.Builder().code(200).addHeader("ETag", "\"" + etag + "\"")
              .setHeader("Content-Length", "100").build();
      assertThat(client.partLengths("bkt", "k")).isEmpty();
      s3.handler = r -> partHead(etag, 20_000, 100);
      assertThatThrownBy(() -> client.partLengths("bkt", "k"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("20000 parts; S3 allows 1 to 10000");
    }
  }

  /* S3Proxy's answer to HEAD ?partNumber: 501 (MockS3 drops the error's body for a HEAD). */
  private static MockResponse notImplemented() {
    return MockS3.error(501, "NotImplemented");
  }

  /* The object, or the range a GET asks for. */
  private static MockResponse objectOrRange(RecordedRequest r, byte[] data, String etag) {
    String range = r.getHeaders().get("Range");
    if (range == null) {
      return MockS3.object(data, etag);
    }
    Matcher m = Pattern.compile("bytes=(\\d+)-(\\d+)").matcher(range);
    if (!m.matches()) {
      return MockS3.error(400, "InvalidArgument");
    }
    int from = Integer.parseInt(m.group(1));
    int to = Integer.parseInt(m.group(2));
    return new MockResponse.Builder()
        .code(206)
        .addHeader("ETag", "\"" + etag + "\"")
        .addHeader("Content-Range", "bytes " + from + "-" + to + "/" + data.length)
        .body(new okio.Buffer().write(data, from, to - from + 1))
        .build();
  }

  /*
   * Scripted: one connection in all (maxConnections(1)). Below the threshold the parts are asked
   * for only once the body is in, so the HEADs never wait for the connection the GET holds; above
   * it, the first GET is closed before them. Every read ends, verified (a flipped byte fails it).
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {64, 5}) // MiB: above, below 12 MiB
  void oneConnection_thePartsAreLearntWithoutWaitingForIt(int thresholdMib) throws Exception {
    byte[] data = bytes(12 * MIB, 336);
    long[] parts = {7L * MIB, 5L * MIB};
    String etag = md5Composite(data, parts);
    byte[] flipped = data.clone();
    flipped[8 * MIB] ^= 1;
    try (MockS3 s3 = new MockS3()) {
      s3.handler =
          r -> {
            if (r.getMethod().equals("HEAD")) {
              int k = Integer.parseInt(r.getTarget().replaceAll(".*partNumber=", ""));
              return partHead(etag, 2, parts[k - 1]);
            }
            return objectOrRange(r, flip ? flipped : data, etag);
          };
      BlobConfig one =
          Fixtures.config(s3.endpoint(), "AKIDEXAMPLE", "secret")
              .concurrency(1)
              .maxConnections(1)
              .multipartThreshold(thresholdMib * (long) MIB)
              .build();
      try (BlobClient blocking = new BlobClient(one)) {
        AsyncBlobClient async = new AsyncBlobClient(one);
        try {
          for (ThrowingRead r : reads(blocking, async, "k", "bkt")) {
            Fixtures.assertSameBytes(r.read().run(), data);
          }
          flip = true;
          assertThatThrownBy(() -> blocking.get("bkt", "k")).isInstanceOf(BlobIntegrityException.class);
          assertThatThrownBy(() -> await(async.get("bkt", "k")))
              .isInstanceOf(BlobIntegrityException.class);
        } finally {
          await(async.close());
        }
      }
    }
  }

  /* The multipart ETag of `data` cut at `lengths`: the MD5 of the parts' MD5s, "-N". */
  private static String md5Composite(byte[] data, long... lengths) {
    byte[] sums = new byte[16 * lengths.length];
    int off = 0;
    for (int i = 0; i < lengths.length; i++) {
      byte[] md5 = Hasher.of(ChecksumAlgorithm.MD5, data, off, (int) lengths[i]);
      System.arraycopy(md5, 0, sums, 16 * i, 16);
      off += (int) lengths[i];
    }
    return java.util.HexFormat.of().formatHex(Hasher.of(ChecksumAlgorithm.MD5, sums, 0, sums.length))
        + "-" + lengths.length;
  }

  /* S3's answer to HEAD ?partNumber=k: the part's length, the object's ETag and parts count. */
  private static MockResponse partHead(String etag, int parts, long length) {
    return new MockResponse.Builder()
        .code(206)
        .addHeader("ETag", "\"" + etag + "\"")
        .addHeader("x-amz-mp-parts-count", Integer.toString(parts))
        .setHeader("Content-Length", Long.toString(length)) // replaces the builder's "0"
        .build();
  }

  /* Scripted: a server whose part lengths do not add up to the object's size. */
  @Test
  void partLengthsThatDoNotAddUp_failTheDownload_andLeaveNothing() throws Exception {
    byte[] data = bytes(12 * MIB, 333);
    String etag = "0123456789abcdef0123456789abcdef-2";
    try (MockS3 s3 = new MockS3()) {
      // Two parts of 5 MiB: 10 MiB, not the object's 12.
      s3.handler =
          r -> r.getMethod().equals("HEAD") ? partHead(etag, 2, 5 * MIB) : MockS3.object(data, etag);
      Path target = dir.resolve("t.bin");
      try (BlobClient client = new BlobClient(s3.config())) {
        assertThatThrownBy(() -> client.download("bkt", "k", target, null))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("add up to 10485760 bytes, but the object has 12582912");
      }
      try (Stream<Path> left = Files.list(dir)) {
        assertThat(left).isEmpty();
      }
    }
  }

  /*
   * Scripted: a server that refuses part numbers: the object is read, checked by its length, and
   * the client does not ask that server again.
   */
  @Test
  void serverThatRefusesPartNumbers_readsWithTheLengthChecked() throws Exception {
    byte[] data = bytes(12 * MIB, 334);
    String etag = "0123456789abcdef0123456789abcdef-2";
    try (MockS3 s3 = new MockS3()) {
      s3.handler =
          r -> {
            if (r.getTarget().contains("partNumber=")) {
              return notImplemented();
            }
            return objectOrRange(r, data, etag);
          };
      try (BlobClient client = new BlobClient(s3.config())) {
        Fixtures.assertSameBytes(client.get("bkt", "k"), data);
        Fixtures.assertSameBytes(client.get("bkt", "k"), data);
        client.download("bkt", "k", dir.resolve("k.bin"), null);
        Fixtures.assertSameBytes(Files.readAllBytes(dir.resolve("k.bin")), data);
      }
      // Asked once, not retried, and not again by the same client: 501 is the service's answer.
      assertThat(s3.matching("HEAD", "partNumber=1")).hasSize(1);
      assertThat(s3.matching("HEAD", "partNumber=2")).isEmpty();
    }
  }

  /*
   * Scripted: cancelled while the parts' lengths are asked for (after the body is in, below the
   * threshold; before the ranges, above it): nothing is left, and close() finds nothing running.
   */
  @ParameterizedTest
  @org.junit.jupiter.params.provider.ValueSource(ints = {64, 5}) // MiB: above, below 12 MiB
  void cancelledWhileThePartsAreAskedFor_leavesNothing(int thresholdMib) throws Exception {
    byte[] data = bytes(12 * MIB, 335);
    // The object's true multipart ETag (two equal parts): only the cancellation can fail it.
    String etag = md5Composite(data, data.length / 2, data.length / 2);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    try (MockS3 s3 = new MockS3()) {
      s3.handler =
          r -> {
            if (r.getMethod().equals("HEAD")) {
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return partHead(etag, 2, data.length / 2);
            }
            return MockS3.object(data, etag);
          };
      Path target = dir.resolve("t.bin");
      AsyncBlobClient async =
          new AsyncBlobClient(
              Fixtures.config(s3.endpoint(), "AKIDEXAMPLE", "secret")
                  .multipartThreshold(thresholdMib * (long) MIB)
                  .build());
      try {
        java.util.concurrent.CompletableFuture<BlobObject> download =
            async.download("bkt", "k", target, null);
        org.awaitility.Awaitility.await()
            .atMost(java.time.Duration.ofSeconds(30))
            .until(() -> !s3.matching("HEAD", "partNumber=1").isEmpty());
        assertThat(download.cancel(true)).isTrue();
      } finally {
        release.countDown();
        await(async.close());
      }
      try (Stream<Path> left = Files.list(dir)) {
        assertThat(left).isEmpty();
      }
      assertThat(s3.matching("GET", "/bkt/k").size())
          .as("no ranged GET after the cancellation")
          .isLessThanOrEqualTo(1);
    }
  }
}
