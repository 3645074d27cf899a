package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.BlobParityTest.Recorder;
import io.ambidex.http.TransferProgress;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The operation set against OpenStack Swift's S3 layer (s3api + tempauth), an independent
 * implementation that really checks AWS Signature V4 and refuses {@code aws-chunked} bodies.
 * Through both generated clients, with payloads signed (their SHA-256) and unsigned.
 *
 * <p>The server is not started here: {@code bash .ci/swift start} installs and starts it (Debian
 * packages, about 30 s the first time, 5 s after) and prints the endpoint, which the tests read
 * from {@code AMBIDEX_SWIFT_ENDPOINT}:
 *
 * <pre>
 * export AMBIDEX_SWIFT_ENDPOINT=$(bash .ci/swift start)
 * mvn -B -pl ambidex-blob -am verify -Dtest=SwiftTest -Dsurefire.failIfNoSpecifiedTests=false
 * bash .ci/swift stop
 * </pre>
 *
 * Without the variable the tests are skipped, saying so; with {@code CI=true} they fail instead
 * ({@code .ci/run} starts Swift).
 */
@Timeout(120)
class SwiftTest {
  /** The tempauth user of {@code .ci/swift}: S3 access key "account:user", secret its key. */
  static final String ACCESS_KEY = "test:tester";

  static final String SECRET_KEY = "testing";

  static URI endpoint;
  static S3Client sdk;

  @BeforeAll
  static void connect() {
    String value = System.getenv("AMBIDEX_SWIFT_ENDPOINT");
    if (value == null || value.isBlank()) {
      if ("true".equals(System.getenv("CI"))) {
        // In CI the server must be there (.ci/run starts it): never skip silently.
        throw new IllegalStateException(
            "AMBIDEX_SWIFT_ENDPOINT is not set, and CI=true: .ci/run should have started Swift"
                + " (bash .ci/swift start) and exported it");
      }
      return;
    }
    endpoint = URI.create(value.strip());
    // Without aws-chunked uploads, which Swift refuses (see awsChunkedUpload_isRefused).
    sdk = Fixtures.sdk(endpoint, ACCESS_KEY, SECRET_KEY, false);
  }

  /* Each test rather than the class is skipped, so that a run reports them as skipped, with why. */
  @BeforeEach
  void requireSwift() {
    Assumptions.assumeTrue(
        endpoint != null,
        "AMBIDEX_SWIFT_ENDPOINT is not set: run `export AMBIDEX_SWIFT_ENDPOINT=$(bash .ci/swift"
            + " start)` to test against OpenStack Swift's S3 layer");
  }

  @AfterAll
  static void close() {
    if (sdk != null) {
      sdk.close();
    }
  }

  static BlobConfig config(PayloadSigning signing) {
    return Fixtures.config(endpoint, ACCESS_KEY, SECRET_KEY).payloadSigning(signing).build();
  }

  /** Four runs per test: both facades, payloads signed and unsigned (the fixture). */
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("Swift, signed payload", () -> PayloadSigning.SIGNED, s -> new BlobClient(config(s)))
          .blocking("Swift, unsigned payload", () -> PayloadSigning.UNSIGNED, s -> new BlobClient(config(s)))
          .async("Swift, signed payload", () -> PayloadSigning.SIGNED, s -> new AsyncBlobClient(config(s)))
          .async("Swift, unsigned payload", () -> PayloadSigning.UNSIGNED, s -> new AsyncBlobClient(config(s)))
          .timeout(Duration.ofSeconds(90))
          .build();

  static String bucket(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = Fixtures.bucket();
    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    return bucket;
  }

  /** Deletes every object of a bucket (through the SDK), then the bucket. */
  static void drop(String bucket) {
    sdk.listObjectsV2Paginator(b -> b.bucket(bucket))
        .contents()
        .forEach(o -> sdk.deleteObject(b -> b.bucket(bucket).key(o.key())));
    sdk.deleteBucket(b -> b.bucket(bucket));
  }

  // ---- buckets and single objects ----

  @ParityTest
  void bucketAndObjectLifecycle_singlePut_roundTrips(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    byte[] hello = "hello, swift".getBytes(UTF_8);
    String key = "dir/a key with spaces & ünïcode?";

    PutResult put = p.call(c -> c.put(bucket, key, hello), a -> a.put(bucket, key, hello));
    assertThat(put.isMultipart()).isFalse();
    assertThat(put.etag()).isEqualTo(MockS3.md5Hex(hello));

    assertThat(p.call(c -> c.get(bucket, key)).async(a -> a.get(bucket, key))).isEqualTo(hello);
    BlobObject head = p.call(c -> c.head(bucket, key), a -> a.head(bucket, key));
    assertThat(head.size()).isEqualTo(hello.length);
    assertThat(head.etag()).isEqualTo(put.etag());
    assertThat(head.lastModified()).isNotNull();
    // What we wrote, the AWS SDK reads the same.
    assertThat(sdk.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray()).isEqualTo(hello);

    p.run(c -> c.delete(bucket, key), a -> a.delete(bucket, key));
    assertThatThrownBy(() -> p.call(c -> c.head(bucket, key)).async(a -> a.head(bucket, key)))
        .isInstanceOf(NoSuchKeyException.class);
    assertThatThrownBy(() -> p.call(c -> c.get(bucket, key)).async(a -> a.get(bucket, key)))
        .isInstanceOfSatisfying(
            NoSuchKeyException.class, e -> assertThat(e.code()).isEqualTo("NoSuchKey"));
    p.run(c -> c.delete(bucket, key), a -> a.delete(bucket, key)); // a missing key: no error

    p.run(c -> c.deleteBucket(bucket), a -> a.deleteBucket(bucket));
    assertThatThrownBy(() -> p.call(c -> c.get(bucket, key)).async(a -> a.get(bucket, key)))
        .isInstanceOfSatisfying(
            NoSuchBucketException.class, e -> assertThat(e.code()).isEqualTo("NoSuchBucket"));
    assertThatThrownBy(() -> p.run(c -> c.deleteBucket(bucket)).async(a -> a.deleteBucket(bucket)))
        .isInstanceOf(NoSuchBucketException.class);
  }

  @ParityTest
  void createBucket_twice_andDeleteBucket_notEmpty_areTyped(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    assertThatThrownBy(() -> p.run(c -> c.createBucket(bucket)).async(a -> a.createBucket(bucket)))
        .isInstanceOfSatisfying(
            BucketAlreadyExistsException.class,
            e -> {
              // s3api says BucketAlreadyOwnedByYou with 409 in every region (S3 in us-east-1
              // answers 200 for a bucket one owns).
              assertThat(e.ownedByYou()).isTrue();
              assertThat(e.status()).isEqualTo(409);
            });
    p.call(c -> c.put(bucket, "k", new byte[1]), a -> a.put(bucket, "k", new byte[1]));
    assertThatThrownBy(() -> p.run(c -> c.deleteBucket(bucket)).async(a -> a.deleteBucket(bucket)))
        .isInstanceOf(BucketNotEmptyException.class);
    p.run(c -> c.delete(bucket, "k"), a -> a.delete(bucket, "k"));
    p.run(c -> c.deleteBucket(bucket), a -> a.deleteBucket(bucket));
  }

  @ParityTest
  void get_missingBucket_failsWithNoSuchBucket(Parity<BlobClient, AsyncBlobClient> p) {
    String bucket = Fixtures.bucket();
    assertThatThrownBy(() -> p.call(c -> c.get(bucket, "k")).async(a -> a.get(bucket, "k")))
        .isInstanceOfSatisfying(
            NoSuchBucketException.class, e -> assertThat(e.code()).isEqualTo("NoSuchBucket"));
  }

  // ---- multipart ----

  @ParityTest
  void put_multipartBytes_concurrentParts_readBackIdentical_withProgress(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(12 * MIB + 321, 41); // 5 MiB + 5 MiB + 2 MiB + 321 bytes
    Recorder up = new Recorder();

    PutResult put =
        p.call(
            c -> c.put(bucket, "big", data, up::accept),
            a -> a.put(bucket, "big", data, up.async()));

    assertThat(put.parts()).isEqualTo(3);
    assertThat(put.size()).isEqualTo(data.length);
    // s3api gives a completed upload S3's ETag, the MD5 of the parts' MD5s with "-3" (the client
    // has compared it with the parts it sent).
    assertThat(put.etag()).matches("[0-9a-f]{32}-3");
    up.assertCompleteAndMonotonic(TransferProgress.Direction.UPLOAD, data.length);
    assertThat(Fixtures.uploads(sdk, bucket)).isEmpty();

    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "big")).async(a -> a.get(bucket, "big")), data);
    BlobObject head = p.call(c -> c.head(bucket, "big"), a -> a.head(bucket, "big"));
    assertThat(head.size()).isEqualTo(data.length);
    assertThat(head.etag()).isEqualTo(put.etag());
    // s3api keeps the user metadata given to CreateMultipartUpload, so the downloads above were
    // checked part by part against the composite ETag, not for length only.
    assertThat(sdk.headObject(b -> b.bucket(bucket).key("big")).metadata())
        .containsEntry("ambidex-part-size", Integer.toString(5 * MIB));
    Fixtures.assertSameBytes(sdk.getObjectAsBytes(b -> b.bucket(bucket).key("big")).asByteArray(), data);
    drop(bucket);
  }

  @ParityTest
  void put_multipartFile_thenDownload_isByteIdentical(
      Parity<BlobClient, AsyncBlobClient> p, @TempDir Path dir) throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(11 * MIB, 42);
    Path source = Files.write(dir.resolve("source.bin"), data);
    Path target = dir.resolve("target.bin");
    Recorder up = new Recorder();
    Recorder down = new Recorder();

    PutResult put =
        p.call(
            c -> c.put(bucket, "file", source, up::accept),
            a -> a.put(bucket, "file", source, up.async()));
    BlobObject got =
        p.call(
            c -> c.download(bucket, "file", target, down::accept),
            a -> a.download(bucket, "file", target, down.async()));

    assertThat(put.parts()).isEqualTo(3);
    assertThat(got.etag()).isEqualTo(put.etag());
    Fixtures.assertSameBytes(Files.readAllBytes(target), data);
    up.assertCompleteAndMonotonic(TransferProgress.Direction.UPLOAD, data.length);
    down.assertCompleteAndMonotonic(TransferProgress.Direction.DOWNLOAD, data.length);
    drop(bucket);
  }

  @ParityTest
  void put_streamsOfUnknownLength_singleAndMultipart(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    byte[] small = bytes(200_000, 43);
    byte[] large = bytes(10 * MIB + 1, 44); // 5 MiB + 5 MiB + 1 byte
    Recorder up = new Recorder();

    PutResult one =
        p.call(
            c -> c.put(bucket, "small", trickle(small)),
            a -> a.put(bucket, "small", trickle(small)));
    PutResult multi =
        p.call(
            c -> c.put(bucket, "large", trickle(large), up::accept),
            a -> a.put(bucket, "large", trickle(large), up.async()));

    assertThat(one.isMultipart()).isFalse();
    assertThat(one.etag()).isEqualTo(MockS3.md5Hex(small));
    assertThat(multi.parts()).isEqualTo(3);
    assertThat(multi.size()).isEqualTo(large.length);
    up.assertCompleteAndMonotonic(TransferProgress.Direction.UPLOAD, large.length);
    assertThat(p.call(c -> c.get(bucket, "small")).async(a -> a.get(bucket, "small"))).isEqualTo(small);
    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "large")).async(a -> a.get(bucket, "large")), large);
    Fixtures.assertSameBytes(sdk.getObjectAsBytes(b -> b.bucket(bucket).key("large")).asByteArray(), large);
    drop(bucket);
  }

  /** A stream that hands out at most 64 KiB per read, as a socket would. */
  static InputStream trickle(byte[] data) {
    return new FilterInputStream(new ByteArrayInputStream(data)) {
      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        return super.read(b, off, Math.min(len, 64 * 1024));
      }
    };
  }

  // ---- ranges and streams ----

  @ParityTest
  void get_ranges_ofAMultipartObject(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(11 * MIB, 45);
    p.call(c -> c.put(bucket, "r", data), a -> a.put(bucket, "r", data));
    int boundary = 5 * MIB;

    assertThat(p.call(c -> c.get(bucket, "r", ByteRange.of(boundary - 3, boundary + 2)))
            .async(a -> a.get(bucket, "r", ByteRange.of(boundary - 3, boundary + 2))))
        .containsExactly(Arrays.copyOfRange(data, boundary - 3, boundary + 3));
    assertThat(p.call(c -> c.get(bucket, "r", ByteRange.lastBytes(4)))
            .async(a -> a.get(bucket, "r", ByteRange.lastBytes(4))))
        .containsExactly(Arrays.copyOfRange(data, data.length - 4, data.length));
    assertThat(p.call(c -> c.get(bucket, "r", ByteRange.from(data.length - 2)))
            .async(a -> a.get(bucket, "r", ByteRange.from(data.length - 2))))
        .containsExactly(Arrays.copyOfRange(data, data.length - 2, data.length));
    assertThatThrownBy(() -> p.call(c -> c.get(bucket, "r", ByteRange.from(data.length)))
            .async(a -> a.get(bucket, "r", ByteRange.from(data.length))))
        .isInstanceOf(InvalidRangeException.class);

    List<ByteBuffer> whole = p.items(c -> c.open(bucket, "r"), a -> a.open(bucket, "r"));
    Fixtures.assertSameBytes(BlobParityTest.concat(whole), data);
    drop(bucket);
  }

  // ---- listing and copy ----

  @ParityTest
  void list_withPrefixAndDelimiter_acrossPages(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    List<String> keys = List.of("a/1", "a/2", "a/b/3", "c", "d/4", "e");
    for (String k : keys) {
      p.call(c -> c.put(bucket, k, k.getBytes(UTF_8)), a -> a.put(bucket, k, k.getBytes(UTF_8)));
    }

    // Page size 2: six keys take three pages.
    List<BlobObject> all = p.items(c -> c.list(bucket, null), a -> a.list(bucket, null));
    assertThat(all).extracting(BlobObject::key).containsExactlyElementsOf(keys);
    assertThat(all).allSatisfy(o -> assertThat(o.size()).isEqualTo(o.key().length()));
    assertThat(all).allSatisfy(o -> assertThat(o.etag()).isEqualTo(MockS3.md5Hex(o.key().getBytes(UTF_8))));

    assertThat(p.items(c -> c.list(bucket, "a/"), a -> a.list(bucket, "a/")))
        .extracting(BlobObject::key)
        .containsExactly("a/1", "a/2", "a/b/3");
    assertThat(p.items(c -> c.list(bucket, null, "/"), a -> a.list(bucket, null, "/")))
        .containsExactlyInAnyOrder(
            new CommonPrefix("a/"), new CommonPrefix("d/"), all.get(3), all.get(5));
    assertThat(p.items(c -> c.list(bucket, "a/", "/"), a -> a.list(bucket, "a/", "/")))
        .containsExactlyInAnyOrder(all.get(0), all.get(1), new CommonPrefix("a/b/"));
    assertThat(p.items(c -> c.list(bucket, "zzz"), a -> a.list(bucket, "zzz"))).isEmpty();
    drop(bucket);
  }

  @ParityTest
  void copy_withinAndAcrossBuckets(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    String other = bucket(p);
    byte[] data = bytes(70_000, 46);
    PutResult put = p.call(c -> c.put(bucket, "src/a b", data), a -> a.put(bucket, "src/a b", data));

    String same = p.call(c -> c.copy(bucket, "src/a b", bucket, "dst"), a -> a.copy(bucket, "src/a b", bucket, "dst"));
    String across = p.call(c -> c.copy(bucket, "src/a b", other, "dst"), a -> a.copy(bucket, "src/a b", other, "dst"));

    assertThat(same).isEqualTo(put.etag());
    assertThat(across).isEqualTo(put.etag());
    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "dst")).async(a -> a.get(bucket, "dst")), data);
    Fixtures.assertSameBytes(p.call(c -> c.get(other, "dst")).async(a -> a.get(other, "dst")), data);
    assertThatThrownBy(() -> p.call(c -> c.copy(bucket, "nope", other, "x")).async(a -> a.copy(bucket, "nope", other, "x")))
        .isInstanceOf(NoSuchKeyException.class);
    drop(bucket);
    drop(other);
  }

  // ---- the other way: what the AWS SDK writes, we read ----

  /**
   * The point of this server: over plain HTTP the AWS SDK sends an upload's body {@code
   * aws-chunked} by default, and Swift's s3api refuses it (501 NotImplemented), where S3Proxy and
   * moto accept it. The blob client never sends {@code aws-chunked} (stream parts are buffered and
   * sent with a length), which every test above relies on.
   */
  @Test
  void awsChunkedUpload_isRefused() {
    try (S3Client chunking = Fixtures.sdk(endpoint, ACCESS_KEY, SECRET_KEY, true)) {
      String bucket = Fixtures.bucket();
      chunking.createBucket(b -> b.bucket(bucket));
      assertThatThrownBy(
              () -> chunking.putObject(b -> b.bucket(bucket).key("k"), RequestBody.fromBytes(new byte[1000])))
          .isInstanceOfSatisfying(
              S3Exception.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(501);
                assertThat(e.getMessage()).contains("aws-chunked");
              });
      chunking.deleteBucket(b -> b.bucket(bucket));
    }
  }

  @ParityTest
  void sdkWrites_clientReadsTheSame(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(300_000, 47);
    sdk.putObject(b -> b.bucket(bucket).key("from-sdk"), RequestBody.fromBytes(data));
    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "from-sdk")).async(a -> a.get(bucket, "from-sdk")), data);
    assertThat(p.call(c -> c.head(bucket, "from-sdk")).async(a -> a.head(bucket, "from-sdk")).etag())
        .isEqualTo(MockS3.md5Hex(data));
    drop(bucket);
  }

  // ---- authentication: Swift really checks the signature ----

  @ParityTest
  void wrongSecret_failsWithBlobAuthenticationException(
      Parity<BlobClient, AsyncBlobClient> p, PayloadSigning signing) throws Exception {
    String bucket = bucket(p);
    BlobConfig wrong =
        Fixtures.config(endpoint, ACCESS_KEY, "not-the-secret").payloadSigning(signing).build();
    if (p.isBlocking()) {
      try (BlobClient c = new BlobClient(wrong)) {
        assertThatThrownBy(() -> c.get(bucket, "k"))
            .isInstanceOfSatisfying(BlobAuthenticationException.class, e -> {
              assertThat(e.code()).isEqualTo("SignatureDoesNotMatch");
              assertThat(e.status()).isEqualTo(403);
            });
        assertThatThrownBy(() -> c.put(bucket, "k", new byte[3]))
            .isInstanceOf(BlobAuthenticationException.class);
        assertThatThrownBy(() -> c.createBucket(Fixtures.bucket()))
            .isInstanceOf(BlobAuthenticationException.class);
      }
    } else {
      AsyncBlobClient a = new AsyncBlobClient(wrong);
      try {
        assertThatThrownBy(() -> p.await(a.get(bucket, "k")))
            .isInstanceOfSatisfying(BlobAuthenticationException.class, e -> {
              assertThat(e.code()).isEqualTo("SignatureDoesNotMatch");
              assertThat(e.status()).isEqualTo(403);
            });
        assertThatThrownBy(() -> p.await(a.put(bucket, "k", new byte[3])))
            .isInstanceOf(BlobAuthenticationException.class);
        assertThatThrownBy(() -> p.await(a.createBucket(Fixtures.bucket())))
            .isInstanceOf(BlobAuthenticationException.class);
      } finally {
        p.await(a.close());
      }
    }
    assertThatThrownBy(() -> sdk.headObject(b -> b.bucket(bucket).key("k"))).hasMessageContaining("404");
    p.run(c -> c.deleteBucket(bucket), a -> a.deleteBucket(bucket));
  }

  /*
   * With tempauth, s3api cannot tell an unknown access key from a wrong secret: it answers
   * SignatureDoesNotMatch for both, where S3 says InvalidAccessKeyId. Either is a 403 and the same
   * exception type.
   */
  @ParityTest
  void wrongAccessKey_failsWithBlobAuthenticationException(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    BlobConfig wrong = Fixtures.config(endpoint, "nobody:none", SECRET_KEY).build();
    if (p.isBlocking()) {
      try (BlobClient c = new BlobClient(wrong)) {
        assertThatThrownBy(() -> c.createBucket(Fixtures.bucket()))
            .isInstanceOfSatisfying(BlobAuthenticationException.class, e -> {
              assertThat(e.code()).isEqualTo("SignatureDoesNotMatch");
              assertThat(e.getMessage()).contains("AWS_ACCESS_KEY_ID");
            });
      }
    } else {
      AsyncBlobClient a = new AsyncBlobClient(wrong);
      try {
        assertThatThrownBy(() -> p.await(a.createBucket(Fixtures.bucket())))
            .isInstanceOfSatisfying(BlobAuthenticationException.class, e -> {
              assertThat(e.code()).isEqualTo("SignatureDoesNotMatch");
              assertThat(e.getMessage()).contains("AWS_ACCESS_KEY_ID");
            });
      } finally {
        p.await(a.close());
      }
    }
  }
}
