package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.control.AsyncCallback;
import io.ambidex.http.TransferProgress;
import io.ambidex.test.ApiParity;
import io.ambidex.test.FlavourLenses;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole operation set through both generated clients and the Reactor, RxJava 3 and Mutiny
 * flavours (each async call run through the flavour's adapter, as the generated {@code
 * ReactorBlobClient}, {@code Rx3BlobClient} and {@code MutinyBlobClient} run it), against S3Proxy
 * embedded with AWS Signature V4 checked. Each run gets a fresh client and a fresh bucket.
 */
class BlobParityTest extends EmbeddedS3Fixture {
  static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build();
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("S3Proxy", () -> new BlobClient(config()))
          .async("S3Proxy", () -> new AsyncBlobClient(config()))
          .flavour("S3Proxy", FlavourLenses.reactor(), BlobParityTest::config, AsyncBlobClient::new)
          .flavour("S3Proxy", FlavourLenses.rxjava3(), BlobParityTest::config, AsyncBlobClient::new)
          .flavour("S3Proxy", FlavourLenses.mutiny(), BlobParityTest::config, AsyncBlobClient::new)
          .build();

  /** Creates a fresh bucket through the client under test. */
  static String bucket(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = Fixtures.bucket();
    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    return bucket;
  }

  @Test
  void facades_haveParallelShapes() {
    ApiParity.assertParallel(BlobClient.class, AsyncBlobClient.class);
  }

  // ---- buckets ----

  @ParityTest
  void createBucket_twice_failsWithBucketAlreadyExists(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    assertThatThrownBy(() -> p.run(c -> c.createBucket(bucket)).async(a -> a.createBucket(bucket)))
        .isInstanceOfSatisfying(
            BucketAlreadyExistsException.class,
            e -> assertThat(e.status()).isEqualTo(409));
  }

  @ParityTest
  void deleteBucket_withObjects_failsWithBucketNotEmpty_thenSucceedsOnceEmpty(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    p.call(c -> c.put(bucket, "k", new byte[1]), a -> a.put(bucket, "k", new byte[1]));

    assertThatThrownBy(() -> p.run(c -> c.deleteBucket(bucket)).async(a -> a.deleteBucket(bucket)))
        .isInstanceOf(BucketNotEmptyException.class)
        .hasMessageContaining("BucketNotEmpty");

    p.run(c -> c.delete(bucket, "k"), a -> a.delete(bucket, "k"));
    p.run(c -> c.deleteBucket(bucket), a -> a.deleteBucket(bucket));
    assertThat(sdk.listBuckets().buckets()).noneMatch(b -> b.name().equals(bucket));
  }

  @ParityTest
  void listBuckets_includesTheBucketsCreated_withTheirCreationDates(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String first = bucket(p);
    String second = bucket(p);

    List<Bucket> buckets = p.items(BlobClient::listBuckets, AsyncBlobClient::listBuckets);

    assertThat(buckets).extracting(Bucket::name).contains(first, second).doesNotHaveDuplicates();
    assertThat(buckets)
        .filteredOn(b -> b.name().equals(first) || b.name().equals(second))
        .allSatisfy(b -> assertThat(b.created()).isNotNull());
    p.run(c -> c.deleteBucket(second), a -> a.deleteBucket(second));
    assertThat(p.items(BlobClient::listBuckets, AsyncBlobClient::listBuckets))
        .extracting(Bucket::name)
        .contains(first)
        .doesNotContain(second);
  }

  @ParityTest
  void get_missingBucket_failsWithNoSuchBucket(Parity<BlobClient, AsyncBlobClient> p) {
    assertThatThrownBy(() -> p.call(c -> c.get("no-such-bucket-x", "k")).async(a -> a.get("no-such-bucket-x", "k")))
        .isInstanceOfSatisfying(
            NoSuchBucketException.class, e -> assertThat(e.code()).isEqualTo("NoSuchBucket"));
  }

  // ---- objects: round trips ----

  @ParityTest
  void put_bytes_thenGetHeadDelete(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] hello = "hello, blob".getBytes(UTF_8);
    String key = "dir/a key with spaces & ünïcode?";

    PutResult put = p.call(c -> c.put(bucket, key, hello), a -> a.put(bucket, key, hello));
    assertThat(put.isMultipart()).isFalse();
    assertThat(put.size()).isEqualTo(hello.length);
    assertThat(put.etag()).isEqualTo(MockS3.md5Hex(hello));

    assertThat(p.call(c -> c.get(bucket, key)).async(a -> a.get(bucket, key))).isEqualTo(hello);
    BlobObject head = p.call(c -> c.head(bucket, key), a -> a.head(bucket, key));
    assertThat(head.key()).isEqualTo(key);
    assertThat(head.size()).isEqualTo(hello.length);
    assertThat(head.etag()).isEqualTo(put.etag());
    assertThat(head.lastModified()).isNotNull();

    p.run(c -> c.delete(bucket, key), a -> a.delete(bucket, key));
    assertThatThrownBy(() -> p.call(c -> c.head(bucket, key)).async(a -> a.head(bucket, key)))
        .isInstanceOf(NoSuchKeyException.class);
    assertThatThrownBy(() -> p.call(c -> c.get(bucket, key)).async(a -> a.get(bucket, key)))
        .isInstanceOfSatisfying(
            NoSuchKeyException.class, e -> assertThat(e.code()).isEqualTo("NoSuchKey"));
    // Deleting again is not an error, as in S3.
    p.run(c -> c.delete(bucket, key), a -> a.delete(bucket, key));
  }

  @ParityTest
  void put_emptyBytes_storesAnEmptyObject(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    PutResult put = p.call(c -> c.put(bucket, "empty", new byte[0]), a -> a.put(bucket, "empty", new byte[0]));
    assertThat(put.etag()).isEqualTo("d41d8cd98f00b204e9800998ecf8427e");
    assertThat(p.call(c -> c.get(bucket, "empty")).async(a -> a.get(bucket, "empty"))).isEmpty();
  }

  @ParityTest
  void put_multipartBytes_sendsConcurrentParts_andReadsBackIdentical(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(12 * MIB + 123, 7);

    PutResult put = p.call(c -> c.put(bucket, "big", data), a -> a.put(bucket, "big", data));

    assertThat(put.parts()).isEqualTo(3);
    assertThat(put.etag()).endsWith("-3");
    assertThat(put.size()).isEqualTo(data.length);
    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "big")).async(a -> a.get(bucket, "big")), data);
    assertThat(Fixtures.uploads(sdk, bucket)).isEmpty();
  }

  @ParityTest
  void put_file_multipart_thenDownload_isByteIdentical_withProgress(
      Parity<BlobClient, AsyncBlobClient> p, @TempDir Path dir) throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(11 * MIB, 8);
    Path source = Files.write(dir.resolve("source.bin"), data);
    Path target = dir.resolve("target.bin");
    Files.writeString(target, "old content, replaced");
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
    assertThat(got.size()).isEqualTo(data.length);
    assertThat(got.etag()).isEqualTo(put.etag());
    Fixtures.assertSameBytes(Files.readAllBytes(target), data);
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).as("no temporary file left").hasSize(2);
    }
    up.assertCompleteAndMonotonic(TransferProgress.Direction.UPLOAD, data.length);
    down.assertCompleteAndMonotonic(TransferProgress.Direction.DOWNLOAD, data.length);
  }

  @ParityTest
  void put_smallStreamOfUnknownLength_isOneRequest(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(100_000, 9);
    Recorder up = new Recorder();

    PutResult put =
        p.call(
            c -> c.put(bucket, "s", new ByteArrayInputStream(data), up::accept),
            a -> a.put(bucket, "s", new ByteArrayInputStream(data), up.async()));

    assertThat(put.isMultipart()).isFalse();
    assertThat(put.size()).isEqualTo(data.length);
    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "s")).async(a -> a.get(bucket, "s")), data);
    up.assertCompleteAndMonotonic(TransferProgress.Direction.UPLOAD, data.length);
  }

  @ParityTest
  void put_largeStreamOfUnknownLength_isMultipart(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(10 * MIB + 1, 10); // 5 MiB + 5 MiB + 1 byte: the probe finds the last byte
    Recorder up = new Recorder();

    PutResult put =
        p.call(
            c -> c.put(bucket, "s", new ByteArrayInputStream(data), up::accept),
            a -> a.put(bucket, "s", new ByteArrayInputStream(data), up.async()));

    assertThat(put.parts()).isEqualTo(3);
    assertThat(put.size()).isEqualTo(data.length);
    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "s")).async(a -> a.get(bucket, "s")), data);
    up.assertCompleteAndMonotonic(TransferProgress.Direction.UPLOAD, data.length);
  }

  @ParityTest
  void put_streamOfExactlyOnePart_isOneRequest(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(5 * MIB, 11);
    PutResult put =
        p.call(
            c -> c.put(bucket, "s", new ByteArrayInputStream(data)),
            a -> a.put(bucket, "s", new ByteArrayInputStream(data)));
    assertThat(put.isMultipart()).isFalse();
    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "s")).async(a -> a.get(bucket, "s")), data);
  }

  // ---- ranges and streams ----

  @ParityTest
  void get_ranges_returnTheRequestedBytes(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] data = "0123456789".getBytes(UTF_8);
    p.call(c -> c.put(bucket, "r", data), a -> a.put(bucket, "r", data));

    assertThat(p.call(c -> c.get(bucket, "r", ByteRange.of(2, 4))).async(a -> a.get(bucket, "r", ByteRange.of(2, 4))))
        .asString(UTF_8).isEqualTo("234");
    assertThat(p.call(c -> c.get(bucket, "r", ByteRange.from(7))).async(a -> a.get(bucket, "r", ByteRange.from(7))))
        .asString(UTF_8).isEqualTo("789");
    assertThat(p.call(c -> c.get(bucket, "r", ByteRange.lastBytes(3))).async(a -> a.get(bucket, "r", ByteRange.lastBytes(3))))
        .asString(UTF_8).isEqualTo("789");
    assertThat(p.call(c -> c.get(bucket, "r", ByteRange.of(8, 100))).async(a -> a.get(bucket, "r", ByteRange.of(8, 100))))
        .asString(UTF_8).isEqualTo("89");
    assertThatThrownBy(() -> p.call(c -> c.get(bucket, "r", ByteRange.from(10))).async(a -> a.get(bucket, "r", ByteRange.from(10))))
        .isInstanceOf(InvalidRangeException.class);
  }

  @ParityTest
  void open_readsTheWholeObject_andARange(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(3 * MIB + 5, 12);
    p.call(c -> c.put(bucket, "o", data), a -> a.put(bucket, "o", data));

    List<ByteBuffer> whole = p.items(c -> c.open(bucket, "o"), a -> a.open(bucket, "o"));
    Fixtures.assertSameBytes(concat(whole), data);
    List<ByteBuffer> range =
        p.items(c -> c.open(bucket, "o", ByteRange.of(1, 3)), a -> a.open(bucket, "o", ByteRange.of(1, 3)));
    assertThat(concat(range)).containsExactly(data[1], data[2], data[3]);
  }

  @ParityTest
  void open_missingKey_failsOnFirstPull(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    assertThatThrownBy(() -> p.items(c -> c.open(bucket, "nope")).async(a -> a.open(bucket, "nope")))
        .isInstanceOf(NoSuchKeyException.class);
  }

  @Test
  void open_closedEarly_releasesTheConnection() throws Exception {
    String bucket = Fixtures.bucket();
    byte[] data = bytes(4 * MIB, 13);
    try (BlobClient c = new BlobClient(config())) {
      c.createBucket(bucket);
      c.put(bucket, "o", data);
      for (int i = 0; i < 20; i++) { // more than the pool's 8 connections
        try (Stream<ByteBuffer> s = c.open(bucket, "o")) {
          assertThat(s.findFirst()).isPresent();
        }
      }
      Fixtures.assertSameBytes(c.get(bucket, "o"), data);
    }
  }

  // ---- listing and copy ----

  @ParityTest
  void list_paginatesLazily_withPrefixAndDelimiter(Parity<BlobClient, AsyncBlobClient> p)
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

    List<BlobObject> underA = p.items(c -> c.list(bucket, "a/"), a -> a.list(bucket, "a/"));
    assertThat(underA).extracting(BlobObject::key).containsExactly("a/1", "a/2", "a/b/3");

    List<ListEntry> top = p.items(c -> c.list(bucket, null, "/"), a -> a.list(bucket, null, "/"));
    assertThat(top)
        .containsExactlyInAnyOrder(
            new CommonPrefix("a/"), new CommonPrefix("d/"), all.get(3), all.get(5));

    List<ListEntry> inA = p.items(c -> c.list(bucket, "a/", "/"), a -> a.list(bucket, "a/", "/"));
    assertThat(inA).containsExactlyInAnyOrder(all.get(0), all.get(1), new CommonPrefix("a/b/"));

    assertThat(p.items(c -> c.list(bucket, "zzz"), a -> a.list(bucket, "zzz"))).isEmpty();
  }

  @Test
  void list_blocking_stopsFetchingWhenTheStreamIsClosedEarly() throws Exception {
    String bucket = Fixtures.bucket();
    try (BlobClient c = new BlobClient(config())) {
      c.createBucket(bucket);
      for (int i = 0; i < 7; i++) {
        c.put(bucket, "k" + i, new byte[0]);
      }
      try (Stream<BlobObject> s = c.list(bucket, null)) {
        assertThat(s.limit(3).map(BlobObject::key)).containsExactly("k0", "k1", "k2");
      }
    }
  }

  @ParityTest
  void copy_copiesTheBytes(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    String other = bucket(p);
    byte[] data = bytes(70_000, 14);
    PutResult put = p.call(c -> c.put(bucket, "src/a b", data), a -> a.put(bucket, "src/a b", data));

    String etag =
        p.call(c -> c.copy(bucket, "src/a b", other, "dst"), a -> a.copy(bucket, "src/a b", other, "dst"));

    assertThat(etag).isEqualTo(put.etag());
    Fixtures.assertSameBytes(p.call(c -> c.get(other, "dst")).async(a -> a.get(other, "dst")), data);
    assertThatThrownBy(() -> p.call(c -> c.copy(bucket, "nope", other, "x")).async(a -> a.copy(bucket, "nope", other, "x")))
        .isInstanceOf(NoSuchKeyException.class);
  }

  /**
   * A copy's request is addressed to its target, so the service's NoSuchKey or NoSuchBucket came
   * with the target's address: "PUT .../other/x failed: NoSuchKey" for a missing source, and
   * "NoSuchBucket" naming a bucket that exists. The message says which was missing. (S3Proxy
   * does not say which bucket; MotoTest checks the message when the service does.)
   */
  @ParityTest
  void copy_ofAMissingSource_saysTheSourceIsMissing(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    String other = bucket(p);
    p.call(c -> c.put(bucket, "here", new byte[3]), a -> a.put(bucket, "here", new byte[3]));

    assertThatThrownBy(() -> p.call(c -> c.copy(bucket, "nope", other, "x")).async(a -> a.copy(bucket, "nope", other, "x")))
        .isInstanceOf(NoSuchKeyException.class)
        .hasMessageContaining("The copy's source s3://" + bucket + "/nope does not exist.");
    assertThatThrownBy(() -> p.call(c -> c.copy("no-such-bucket-c1", "k", other, "x")).async(a -> a.copy("no-such-bucket-c1", "k", other, "x")))
        .isInstanceOf(NoSuchBucketException.class)
        .hasMessageContaining(
            "The copy reads s3://no-such-bucket-c1/k into bucket " + other
                + ": one of the two buckets does not exist.");
    assertThatThrownBy(() -> p.call(c -> c.copy("no-such-bucket-c1", "k", "no-such-bucket-c1", "x")).async(a -> a.copy("no-such-bucket-c1", "k", "no-such-bucket-c1", "x")))
        .isInstanceOf(NoSuchBucketException.class)
        .hasMessageContaining("The copy's source bucket no-such-bucket-c1 does not exist.");
  }

  // ---- authentication ----

  @ParityTest
  void wrongSecret_failsWithBlobAuthenticationException(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    BlobConfig wrong = Fixtures.config(s3.endpoint(), s3.accessKey(), "not-the-secret").build();
    if (p.isBlocking()) {
      try (BlobClient c = new BlobClient(wrong)) {
        assertThatThrownBy(() -> c.get(bucket, "k"))
            .isInstanceOfSatisfying(BlobAuthenticationException.class, e -> {
              assertThat(e.code()).isEqualTo("SignatureDoesNotMatch");
              assertThat(e.status()).isEqualTo(403);
            });
        assertThatThrownBy(() -> c.put(bucket, "k", new byte[3]))
            .isInstanceOf(BlobAuthenticationException.class);
      }
    } else {
      AsyncBlobClient a = new AsyncBlobClient(wrong);
      try {
        assertThatThrownBy(() -> p.await(a.get(bucket, "k")))
            .isInstanceOfSatisfying(BlobAuthenticationException.class,
                e -> assertThat(e.code()).isEqualTo("SignatureDoesNotMatch"));
        assertThatThrownBy(() -> p.await(a.put(bucket, "k", new byte[3])))
            .isInstanceOf(BlobAuthenticationException.class);
      } finally {
        p.await(a.close());
      }
    }
  }

  @ParityTest
  void wrongAccessKey_failsWithBlobAuthenticationException(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    BlobConfig wrong = Fixtures.config(s3.endpoint(), "nobody", s3.secretKey()).build();
    if (p.isBlocking()) {
      try (BlobClient c = new BlobClient(wrong)) {
        assertThatThrownBy(() -> c.createBucket("some-bucket"))
            .isInstanceOf(BlobAuthenticationException.class)
            .hasMessageContaining("AWS_ACCESS_KEY_ID");
      }
    } else {
      AsyncBlobClient a = new AsyncBlobClient(wrong);
      try {
        assertThatThrownBy(() -> p.await(a.createBucket("some-bucket")))
            .isInstanceOf(BlobAuthenticationException.class);
      } finally {
        p.await(a.close());
      }
    }
  }

  // ---- a failing multipart upload is aborted ----

  @ParityTest
  void put_multipart_progressCallbackThrows_failsAndAbortsTheUpload(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] data = bytes(12 * MIB, 15);
    AtomicInteger events = new AtomicInteger();
    IllegalStateException stop = new IllegalStateException("stop the upload");

    assertThatThrownBy(
            () ->
                p.call(
                        c ->
                            c.put(bucket, "big", data, e -> {
                              if (events.incrementAndGet() == 20) {
                                throw stop;
                              }
                            }))
                    .async(
                        a ->
                            a.put(bucket, "big", data, e -> {
                              if (events.incrementAndGet() == 20) {
                                throw stop;
                              }
                              return null;
                            })))
        .isSameAs(stop);

    assertThat(Fixtures.uploads(sdk, bucket)).isEmpty();
    assertThatThrownBy(() -> sdk.headObject(b -> b.bucket(bucket).key("big")))
        .hasMessageContaining("404");
    assertThat(storedFiles()).noneMatch(f -> f.contains(bucket));
  }

  /** The files of the embedded store, for checks that no part was left behind. */
  static List<String> storedFiles() throws Exception {
    return storedFilesUnder(data.resolve("store"), "");
  }

  /** The files of a filesystem store whose path mentions {@code bucket}. */
  static List<String> storedFilesUnder(Path store, String bucket) throws Exception {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.walk(store)) {
      files
          .filter(Files::isRegularFile)
          .map(Path::toString)
          .filter(f -> f.contains(bucket))
          .forEach(out::add);
    }
    return out;
  }

  static byte[] concat(List<ByteBuffer> buffers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (ByteBuffer b : buffers) {
      byte[] a = new byte[b.remaining()];
      b.duplicate().get(a);
      out.writeBytes(a);
    }
    return out.toByteArray();
  }

  /** Records progress events; fails if two ever run at once. */
  static final class Recorder {
    final List<TransferProgress> events = Collections.synchronizedList(new ArrayList<>());
    final AtomicInteger inside = new AtomicInteger();
    volatile boolean overlapped;

    void accept(TransferProgress e) {
      if (inside.incrementAndGet() != 1) {
        overlapped = true;
      }
      events.add(e);
      Thread.yield();
      inside.decrementAndGet();
    }

    AsyncCallback<TransferProgress> async() {
      return e -> {
        accept(e);
        return null;
      };
    }

    void assertCompleteAndMonotonic(TransferProgress.Direction direction, long size) {
      assertThat(overlapped).as("two callbacks ran at once").isFalse();
      assertThat(events).isNotEmpty();
      assertThat(events).allSatisfy(e -> assertThat(e.direction()).isEqualTo(direction));
      long previous = -1;
      for (TransferProgress e : events) {
        assertThat(e.loaded()).as("loaded never decreases").isGreaterThanOrEqualTo(previous);
        previous = e.loaded();
      }
      TransferProgress last = events.get(events.size() - 1);
      assertThat(last.loaded()).isEqualTo(size);
      assertThat(last.total()).isEqualTo(size);
      assertThat(last.isComplete()).isTrue();
      assertThat(events.subList(0, events.size() - 1)).noneMatch(TransferProgress::isComplete);
    }
  }
}
