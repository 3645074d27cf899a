package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.internal.Hasher;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The parallel ranged download to a file, through both generated clients, against a scripted
 * server that serves ranges (after the first GET of the whole object, whose headers tell the size
 * and checksums and which the client closes): every way the whole object is checked (MD5 of one PUT, multipart ETag
 * with the part size, a full-object CRC combined from the ranges' CRCs, a composite SHA), a range
 * failing once (retried on its own, the rest not fetched again), a range failing for good (the
 * typed error, nothing left at the destination) and a range damaged every time (integrity error);
 * then the same ranged download into memory, which {@code get} of a large object is.
 */
class RangedDownloadTest {
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS = MockS3.clients();

  static final int SIZE = 12 * MIB + 5; // three ranges of at most 5 MiB
  static final int PART = 5 * MIB;
  static final int STREAM_RANGE = Math.min(PART, 8 * MIB); // min(partSize, 8 MiB)
  static final Pattern RANGE = Pattern.compile("bytes=([0-9]+)-([0-9]+)");

  enum Kind {
    MD5_SINGLE,
    MD5_MULTIPART,
    CRC32C_FULL_OBJECT,
    SHA256_COMPOSITE,
    NONE,
    /** A full-object CRC32C and no ETag: ranges cannot be guarded by If-Match. */
    CRC32C_NO_ETAG
  }

  /** The kinds whose objects carry an ETag, so that their ranges are guarded by If-Match. */
  static final List<Kind> GUARDED =
      Arrays.stream(Kind.values()).filter(k -> k != Kind.CRC32C_NO_ETAG).toList();

  /** The headers of the object for each way of checking it. */
  static Map<String, String> headers(byte[] data, Kind kind) {
    String b64sha = "";
    switch (kind) {
      case MD5_SINGLE:
        return Map.of("ETag", "\"" + MockS3.md5Hex(data) + "\"");
      case MD5_MULTIPART: {
        ByteArrayOutputStream md5s = new ByteArrayOutputStream();
        int n = 0;
        for (int off = 0; off < data.length; off += PART, n++) {
          md5s.writeBytes(Hasher.of(ChecksumAlgorithm.MD5, data, off, Math.min(PART, data.length - off)));
        }
        return Map.of(
            "ETag", "\"" + MockS3.md5Hex(md5s.toByteArray()) + "-" + n + "\"",
            "x-amz-meta-ambidex-part-size", Integer.toString(PART));
      }
      case CRC32C_FULL_OBJECT:
        return Map.of(
            "ETag", "\"0123456789abcdef0123456789abcdef-3\"",
            "x-amz-checksum-crc32c",
                Base64.getEncoder().encodeToString(Hasher.of(ChecksumAlgorithm.CRC32C, data, 0, data.length)),
            "x-amz-checksum-type", "FULL_OBJECT");
      case SHA256_COMPOSITE: {
        Hasher h = Hasher.of(ChecksumAlgorithm.SHA256);
        int n = 0;
        for (int off = 0; off < data.length; off += PART, n++) {
          byte[] sum = Hasher.of(ChecksumAlgorithm.SHA256, data, off, Math.min(PART, data.length - off));
          h.update(sum, 0, sum.length);
        }
        b64sha = Base64.getEncoder().encodeToString(h.digest()) + "-" + n;
        return Map.of(
            "ETag", "\"0123456789abcdef0123456789abcdef-3\"",
            "x-amz-checksum-sha256", b64sha,
            "x-amz-checksum-type", "COMPOSITE",
            "x-amz-meta-ambidex-part-size", Integer.toString(PART));
      }
      case CRC32C_NO_ETAG:
        return Map.of(
            "x-amz-checksum-crc32c",
                Base64.getEncoder().encodeToString(Hasher.of(ChecksumAlgorithm.CRC32C, data, 0, data.length)),
            "x-amz-checksum-type", "FULL_OBJECT");
      default:
        return Map.of("ETag", "\"opaque\"");
    }
  }

  /**
   * Serves HEAD and ranged GETs of {@code data}; {@code fault} may answer a ranged GET instead
   * (given the range's start and the request), or return null to serve it.
   */
  static Function<RecordedRequest, MockResponse> server(
      byte[] data, Kind kind, RangeFault fault) {
    return server(data, data, kind, fault);
  }

  /** As {@link #server(byte[], Kind, RangeFault)}, serving {@code body} with {@code data}'s headers. */
  static Function<RecordedRequest, MockResponse> server(
      byte[] data, byte[] body, Kind kind, RangeFault fault) {
    Map<String, String> headers = headers(data, kind);
    return r -> {
      MockResponse.Builder b = new MockResponse.Builder();
      headers.forEach(b::addHeader);
      String range = r.getHeaders().get("Range");
      if (range == null) {
        // The first GET, of the whole object: the client reads its headers and closes it.
        return b.code(200).body(new okio.Buffer().write(body)).build();
      }
      Matcher m = RANGE.matcher(range);
      String etag = headers.get("ETag");
      if (!m.matches() || etag == null || !etag.equals(r.getHeaders().get("If-Match"))) {
        return MockS3.error(400, "NotARangeWithIfMatch");
      }
      int start = Integer.parseInt(m.group(1));
      int end = Integer.parseInt(m.group(2));
      MockResponse faulty = fault.answer(start, end, b);
      if (faulty != null) {
        return faulty;
      }
      return b.code(206)
          .addHeader("Content-Range", "bytes " + start + "-" + end + "/" + body.length)
          .body(new okio.Buffer().write(Arrays.copyOfRange(body, start, end + 1)))
          .build();
    };
  }

  interface RangeFault {
    MockResponse answer(int start, int end, MockResponse.Builder withHeaders);
  }

  /** Serves the range that starts at {@code at} with the bits {@code flip} of one byte flipped. */
  static RangeFault damaging(byte[] data, int at, int offset, int flip) {
    return (start, end, b) -> {
      if (start != at) {
        return null;
      }
      byte[] range = Arrays.copyOfRange(data, start, end + 1);
      range[offset] ^= (byte) flip;
      return b.code(206)
          .addHeader("Content-Range", "bytes " + start + "-" + end + "/" + data.length)
          .body(new okio.Buffer().write(range))
          .build();
    };
  }

  /**
   * Holds every ranged GET until two have arrived at once, then serves them; sets {@code alone}
   * if one waited 10 s in vain (the client fetched its ranges one at a time).
   */
  static RangeFault untilTwoAtOnce(AtomicBoolean alone) {
    CountDownLatch two = new CountDownLatch(2);
    return (start, end, b) -> {
      two.countDown();
      try {
        if (!two.await(10, TimeUnit.SECONDS)) {
          alone.set(true);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    };
  }

  /** The Range headers of the ranged GETs the server saw, in order. */
  static List<String> ranged(MockS3 s3) {
    return s3.matching("GET", "/bkt/k").stream()
        .map(r -> r.getHeaders().get("Range"))
        .filter(java.util.Objects::nonNull)
        .toList();
  }

  static void assertNothingBut(Path dir, Path... files) throws Exception {
    try (Stream<Path> listed = Files.list(dir)) {
      assertThat(listed).containsExactlyInAnyOrder(files);
    }
  }

  /*
   * Ranges are guarded by If-Match on the ETag; an object whose response carries none cannot be,
   * so its first GET serves it whole on every path (file, memory, stream), still checked against
   * its checksum.
   */
  @ParityTest
  void anObjectWithoutAnEtag_isServedByItsFirstGet_onEveryPath(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    byte[] data = bytes(6 * PART + 17, 91); // enough ranges for a stream's lead and its probe
    s3.handler = server(data, Kind.CRC32C_NO_ETAG, (start, end, b) -> null);
    Path target = dir.resolve("out.bin");

    p.call(c -> c.download("bkt", "k", target, null), a -> a.download("bkt", "k", target, null));
    Fixtures.assertSameBytes(Files.readAllBytes(target), data);
    Fixtures.assertSameBytes(p.call(c -> c.get("bkt", "k"), a -> a.get("bkt", "k")), data);
    Fixtures.assertSameBytes(
        concat(p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k"))), data);

    assertThat(ranged(s3)).as("no range: none could be guarded").isEmpty();
    assertThat(s3.matching("GET", "/bkt/k")).as("one GET per download").hasSize(3);

    // Still checked: a damaged byte fails the stream's last pull.
    byte[] damaged = data.clone();
    damaged[data.length / 2] ^= 0x10;
    s3.handler = server(data, damaged, Kind.CRC32C_NO_ETAG, (start, end, b) -> null);
    assertThatThrownBy(
            () -> p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k")))
        .isInstanceOf(BlobIntegrityException.class);
  }

  @ParityTest
  void download_everyKindOfChecksum_isVerifiedWhole(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    byte[] data = bytes(SIZE, 90);
    Path target = dir.resolve("out.bin");
    for (Kind kind : GUARDED) {
      s3.requests.clear();
      s3.handler = server(data, kind, (start, end, b) -> null);
      BlobObject got =
          p.call(c -> c.download("bkt", "k", target, null), a -> a.download("bkt", "k", target, null));
      assertThat(got.size()).as(kind.name()).isEqualTo(SIZE);
      Fixtures.assertSameBytes(Files.readAllBytes(target), data);
      assertThat(ranged(s3)).as(kind.name()).hasSize(3);
      assertNothingBut(dir, target);

      // The same object with one byte damaged in its middle range: detected, nothing written.
      Files.delete(target);
      s3.handler = server(data, kind, damaging(data, PART, 1000, 0x20));
      if (kind == Kind.NONE) {
        p.call(c -> c.download("bkt", "k", target, null), a -> a.download("bkt", "k", target, null));
        Files.delete(target); // nothing to check it with: only the lengths are
      } else {
        assertThatThrownBy(
                () -> p.call(c -> c.download("bkt", "k", target, null))
                    .async(a -> a.download("bkt", "k", target, null)))
            .as(kind.name())
            .isInstanceOf(BlobIntegrityException.class);
      }
      assertNothingBut(dir);
    }
  }

  @ParityTest
  void download_rangeFailingOnce_isRetriedAlone(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    byte[] data = bytes(SIZE, 91);
    Path target = dir.resolve("out.bin");
    Map<Integer, AtomicInteger> attempts = new ConcurrentHashMap<>();
    s3.handler =
        server(data, Kind.CRC32C_FULL_OBJECT, (start, end, b) -> {
          if (start == PART && attempts.computeIfAbsent(start, s -> new AtomicInteger()).getAndIncrement() % 2 == 0) {
            // Half the range, then the connection closes: the handler restarts at the offset.
            return b.code(206)
                .addHeader("Content-Range", "bytes " + start + "-" + end + "/" + data.length)
                .body(new okio.Buffer().write(Arrays.copyOfRange(data, start, end + 1)))
                .onResponseBody(new SocketEffect.CloseSocket())
                .build();
          }
          return null;
        });

    p.call(c -> c.download("bkt", "k", target, null), a -> a.download("bkt", "k", target, null));
    Fixtures.assertSameBytes(Files.readAllBytes(target), data);
    assertNothingBut(dir, target);
    List<String> ranges = ranged(s3);
    // Ranges 1 and 3 once, range 2 twice (each facade has a server of its own).
    assertThat(ranges.stream().filter(r -> r.startsWith("bytes=" + PART + "-")).count()).isEqualTo(2);
    assertThat(ranges).hasSize(4);
  }

  /*
   * A range's first attempt sends wrong bytes (three MiB and more: some written to the file,
   * some still gathered for the next write) and breaks; its retry sends the right ones. What the
   * first attempt wrote must be overwritten, what it gathered never written, and the whole
   * checked: the file is the object, byte for byte.
   */
  @ParityTest
  void download_rangeBrokenAfterWrongBytes_itsRetryWritesTheRangeAgain(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    byte[] data = bytes(SIZE, 94);
    byte[] wrong = bytes(SIZE, 95);
    Path target = dir.resolve("out.bin");
    AtomicInteger attempts = new AtomicInteger();
    s3.handler =
        server(data, Kind.CRC32C_FULL_OBJECT, (start, end, b) ->
            start != PART || attempts.getAndIncrement() > 0
                ? null
                : partial(b, wrong, start, end, 3 * MIB + 1000, RangedDownloadTest::breakConnection));

    p.call(c -> c.download("bkt", "k", target, null), a -> a.download("bkt", "k", target, null));
    Fixtures.assertSameBytes(Files.readAllBytes(target), data);
    assertNothingBut(dir, target);
    assertThat(attempts).as("range 2's attempts").hasValue(2);
  }

  /*
   * The client lends at most 4 * concurrency buffers of a MiB to the ranges in flight (here 4:
   * concurrency 1); six downloads at once hold six ranges, each kept in flight until all six have
   * begun, so two find no buffer and write each chunk as it comes. Every file is the object.
   */
  @ParityTest
  void download_moreRangesAtOnceThanBuffersToLend_everyFileIsRight(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    byte[] data = bytes(SIZE, 96);
    int downloads = 6;
    CountDownLatch allBegun = new CountDownLatch(downloads);
    AtomicBoolean neverAll = new AtomicBoolean();
    s3.handler =
        server(data, Kind.CRC32C_FULL_OBJECT, (start, end, b) ->
            start != 0
                ? null
                : partial(b, data, start, end, MIB, sink -> {
                  allBegun.countDown();
                  if (!await(allBegun)) {
                    neverAll.set(true);
                  }
                  sink.write(data, start + MIB, end + 1 - start - MIB);
                }));
    BlobConfig oneRangeEach =
        Fixtures.config(s3.endpoint(), "AKIDEXAMPLE", "secret")
            .concurrency(1)
            .maxConnections(8)
            .build();
    ExecutorService callers = Executors.newFixedThreadPool(downloads);
    try (SideClient c = SideClient.open(p, oneRangeEach)) {
      List<Future<?>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < downloads; i++) {
        Path target = dir.resolve("out" + i + ".bin");
        calls.add(
            callers.submit(
                () -> c.call(
                    b -> b.download("bkt", "k", target, null),
                    a -> a.download("bkt", "k", target, null))));
      }
      for (Future<?> call : calls) {
        call.get(60, TimeUnit.SECONDS);
      }
    } finally {
      callers.shutdownNow();
    }
    assertThat(neverAll).as("the six first ranges were never all in flight at once").isFalse();
    for (int i = 0; i < downloads; i++) {
      Fixtures.assertSameBytes(Files.readAllBytes(dir.resolve("out" + i + ".bin")), data);
    }
    try (Stream<Path> listed = Files.list(dir)) {
      assertThat(listed).as("no temporary file left").hasSize(downloads);
    }
  }

  @ParityTest
  void download_rangeFailingForGood_failsTyped_andLeavesNothing(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    byte[] data = bytes(SIZE, 92);
    Path target = Files.writeString(dir.resolve("keep.txt"), "precious");
    s3.handler =
        server(data, Kind.MD5_MULTIPART, (start, end, b) ->
            start == 2 * PART ? MockS3.error(503, "SlowDown") : null);

    assertThatThrownBy(
            () -> p.call(c -> c.download("bkt", "k", target, null))
                .async(a -> a.download("bkt", "k", target, null)))
        .isInstanceOfSatisfying(BlobException.class, e -> {
          assertThat(e.code()).isEqualTo("SlowDown");
          assertThat(e.status()).isEqualTo(503);
        });
    assertThat(Files.readString(target)).isEqualTo("precious");
    assertNothingBut(dir, target);
  }

  @ParityTest
  void download_objectReplacedMidway_failsWithPreconditionFailed(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    byte[] data = bytes(SIZE, 93);
    Path target = dir.resolve("out.bin");
    s3.handler =
        server(data, Kind.MD5_SINGLE, (start, end, b) ->
            start == PART ? MockS3.error(412, "PreconditionFailed") : null);

    assertThatThrownBy(
            () -> p.call(c -> c.download("bkt", "k", target, null))
                .async(a -> a.download("bkt", "k", target, null)))
        .isInstanceOfSatisfying(BlobException.class, e -> assertThat(e.status()).isEqualTo(412));
    assertNothingBut(dir);
  }

  @ParityTest
  void open_largeObject_readInRanges_inOrder_verified(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 94);
    for (Kind kind : GUARDED) {
      s3.requests.clear();
      s3.handler = server(data, kind, (start, end, b) -> null);
      List<java.nio.ByteBuffer> got = p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k"));
      Fixtures.assertSameBytes(concat(got), data);
      // A stream's ranges are min(partSize, 8 MiB).
      assertThat(ranged(s3)).as(kind.name()).hasSize((SIZE + STREAM_RANGE - 1) / STREAM_RANGE);

      s3.handler = server(data, kind, damaging(data, 2 * STREAM_RANGE, 0, 0x04));
      if (kind != Kind.NONE) {
        assertThatThrownBy(() -> p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k")))
            .as(kind.name())
            .isInstanceOf(BlobIntegrityException.class);
      }
    }
  }

  @ParityTest
  void open_rangeFailingOnce_isRetried_rangeFailingForGood_failsTyped(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 95);
    AtomicInteger calls = new AtomicInteger();
    s3.handler =
        server(data, Kind.CRC32C_FULL_OBJECT, (start, end, b) ->
            start == STREAM_RANGE && calls.getAndIncrement() == 0
                ? MockS3.error(500, "InternalError")
                : null);
    Fixtures.assertSameBytes(concat(p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k"))), data);

    s3.handler =
        server(data, Kind.CRC32C_FULL_OBJECT, (start, end, b) ->
            start == STREAM_RANGE ? MockS3.error(500, "InternalError") : null);
    assertThatThrownBy(() -> p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k")))
        .isInstanceOfSatisfying(BlobException.class, e -> assertThat(e.status()).isEqualTo(500));
  }

  /*
   * A stream hands out a range's bytes as they arrive, not once the whole range is in: this
   * server sends the first MiB of the first range, then holds the rest until the reader has
   * taken a buffer (at most 10 s, which the test then reports).
   */
  @ParityTest
  void open_handsOutARangeAsItArrives(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    byte[] data = bytes(SIZE, 97);
    CountDownLatch taken = new CountDownLatch(1);
    AtomicBoolean heldWhole = new AtomicBoolean();
    s3.handler =
        server(data, Kind.CRC32C_FULL_OBJECT, (start, end, b) ->
            start != 0
                ? null
                : partial(b, data, start, end, MIB, sink -> {
                  if (!await(taken)) {
                    heldWhole.set(true);
                  }
                  sink.write(data, start + MIB, end + 1 - start - MIB);
                }));
    List<ByteBuffer> got =
        p.items(c -> c.open("bkt", "k").peek(b -> taken.countDown()))
            .async(a -> peek(a.open("bkt", "k"), b -> taken.countDown()));
    Fixtures.assertSameBytes(concat(got), data);
    assertThat(heldWhole)
        .as("the reader got nothing before the whole first range was sent")
        .isFalse();
  }

  /*
   * A range whose connection breaks after the reader has taken some of it is fetched again, and
   * goes on where its bytes in place end: what the reader took stays as the reader left it (the
   * caller owns it: here it zeroes each buffer once it has copied it), and the bytes read are the
   * object's, checked by its checksum.
   */
  @ParityTest
  void open_rangeBrokenAfterTheReaderTookSome_isRetried_withoutWritingOverIt(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 98);
    AtomicInteger attempts = new AtomicInteger();
    CountDownLatch tookSome = new CountDownLatch(1);
    AtomicBoolean neverTook = new AtomicBoolean();
    s3.handler =
        server(data, Kind.CRC32C_FULL_OBJECT, (start, end, b) ->
            start != STREAM_RANGE || attempts.getAndIncrement() > 0
                ? null
                : partial(b, data, start, end, MIB, sink -> {
                  if (!await(tookSome)) {
                    neverTook.set(true);
                  }
                  breakConnection(sink);
                }));
    ByteArrayOutputStream copied = new ByteArrayOutputStream();
    Consumer<ByteBuffer> take =
        b -> {
          synchronized (copied) {
            byte[] copy = new byte[b.remaining()];
            b.duplicate().get(copy);
            copied.write(copy, 0, copy.length);
            b.duplicate().put(new byte[b.remaining()]);
            if (copied.size() > STREAM_RANGE) {
              tookSome.countDown();
            }
          }
        };
    List<ByteBuffer> got =
        p.items(c -> c.open("bkt", "k").peek(take)).async(a -> peek(a.open("bkt", "k"), take));
    Fixtures.assertSameBytes(copied.toByteArray(), data);
    assertThat(neverTook).as("the reader took nothing of the range before it broke").isFalse();
    assertThat(attempts).as("the broken range's attempts").hasValue(2);
    byte[] after = concat(got);
    assertThat(after)
        .as("what the reader zeroed, after the retry")
        .isEqualTo(new byte[data.length]);
  }

  /*
   * Closes the response's connection midway through its body. Throwing alone is not enough:
   * MockWebServer ends the exchange but leaves the socket open, and the client saw the break
   * only about 20 s later (its retry came then): the tests waited out a stall instead of a break,
   * 20 s per facade.
   */
  static void breakConnection(okio.BufferedSink sink) throws java.io.IOException {
    sink.close();
    throw new java.io.IOException("the test breaks the connection midway");
  }

  /* A 206 of the range whose body sends `first` bytes, flushes, then runs `rest`. */
  static MockResponse partial(
      MockResponse.Builder b, byte[] data, int start, int end, int first, BodyRest rest) {
    return b.code(206)
        .addHeader("Content-Range", "bytes " + start + "-" + end + "/" + data.length)
        .body(new mockwebserver3.MockResponseBody() {
          @Override
          public long getContentLength() {
            return end + 1L - start;
          }

          @Override
          public void writeTo(okio.BufferedSink sink) throws java.io.IOException {
            sink.write(data, start, first);
            sink.flush();
            rest.write(sink);
          }
        })
        .build();
  }

  interface BodyRest {
    void write(okio.BufferedSink sink) throws java.io.IOException;
  }

  static boolean await(CountDownLatch latch) {
    try {
      return latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /* The publisher's items, each given to `each` before the subscriber gets it. */
  static <T> Flow.Publisher<T> peek(Flow.Publisher<T> publisher, Consumer<T> each) {
    return subscriber ->
        publisher.subscribe(new Flow.Subscriber<T>() {
          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscriber.onSubscribe(s);
          }

          @Override
          public void onNext(T item) {
            each.accept(item);
            subscriber.onNext(item);
          }

          @Override
          public void onError(Throwable failure) {
            subscriber.onError(failure);
          }

          @Override
          public void onComplete() {
            subscriber.onComplete();
          }
        });
  }

  /*
   * Both paths keep several ranges of a stream in flight while the reader waits: this server
   * holds every range until it has seen two at once. On the blocking path the ranges used to be
   * fetched on the reader's thread, one after the other, so the first waited here in vain.
   */
  @ParityTest
  void open_fetchesSeveralRangesAtOnce_onBothPaths(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 96);
    AtomicBoolean alone = new AtomicBoolean();
    s3.handler = server(data, Kind.CRC32C_FULL_OBJECT, untilTwoAtOnce(alone));
    Fixtures.assertSameBytes(
        concat(p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k"))), data);
    assertThat(alone).as("a range was requested while no other was in flight").isFalse();
  }

  /*
   * get() of a whole object above the multipart threshold is the ranged download into memory:
   * the same ranges, checks, retries and typed failures as download(), each range copied once to
   * its place in the one array returned.
   */
  @ParityTest
  void get_largeObject_fetchedInRanges_everyKindOfChecksumVerified(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 97);
    for (Kind kind : GUARDED) {
      s3.requests.clear();
      s3.handler = server(data, kind, (start, end, b) -> null);
      Fixtures.assertSameBytes(p.call(c -> c.get("bkt", "k"), a -> a.get("bkt", "k")), data);
      assertThat(ranged(s3)).as(kind.name()).hasSize(3);

      s3.handler = server(data, kind, damaging(data, PART, 4321, 0x01));
      if (kind != Kind.NONE) {
        assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")))
            .as(kind.name())
            .isInstanceOf(BlobIntegrityException.class);
      }
    }
  }

  @ParityTest
  void get_rangeFailingOnce_isRetriedAlone_rangeFailingForGood_failsTyped(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 98);
    AtomicInteger calls = new AtomicInteger();
    s3.handler =
        server(data, Kind.MD5_MULTIPART, (start, end, b) ->
            start == PART && calls.getAndIncrement() == 0
                ? MockS3.error(500, "InternalError")
                : null);
    Fixtures.assertSameBytes(p.call(c -> c.get("bkt", "k"), a -> a.get("bkt", "k")), data);
    // Ranges 1 and 3 once, range 2 twice (each facade has a server of its own).
    assertThat(ranged(s3).stream().filter(r -> r.startsWith("bytes=" + PART + "-")).count())
        .isEqualTo(2);
    assertThat(ranged(s3)).hasSize(4);

    s3.handler =
        server(data, Kind.MD5_MULTIPART, (start, end, b) ->
            start == 2 * PART ? MockS3.error(503, "SlowDown") : null);
    assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")))
        .isInstanceOfSatisfying(BlobException.class, e -> {
          assertThat(e.code()).isEqualTo("SlowDown");
          assertThat(e.status()).isEqualTo(503);
        });
  }

  @ParityTest
  void get_largeObject_fetchesSeveralRangesAtOnce_onBothPaths(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 99);
    AtomicBoolean alone = new AtomicBoolean();
    s3.handler = server(data, Kind.CRC32C_FULL_OBJECT, untilTwoAtOnce(alone));
    Fixtures.assertSameBytes(p.call(c -> c.get("bkt", "k"), a -> a.get("bkt", "k")), data);
    assertThat(alone).as("a range was requested while no other was in flight").isFalse();
  }

  @ParityTest
  void get_atTheThreshold_isOneGet_andARangeIsNeverSplit(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(5 * MIB, 100); // the multipart threshold of Fixtures.config
    s3.handler = server(data, Kind.MD5_SINGLE, (start, end, b) -> null);
    Fixtures.assertSameBytes(p.call(c -> c.get("bkt", "k"), a -> a.get("bkt", "k")), data);
    assertThat(ranged(s3)).isEmpty();

    byte[] large = bytes(SIZE, 101);
    s3.handler =
        r -> {
          // A ranged get() of a large object is the one request asked for.
          String range = r.getHeaders().get("Range");
          int from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
          int to = Integer.parseInt(range.substring(range.indexOf('-') + 1));
          return new MockResponse.Builder()
              .code(206)
              .addHeader("ETag", "\"opaque\"")
              .addHeader("Content-Range", "bytes " + from + "-" + to + "/" + large.length)
              .body(new okio.Buffer().write(Arrays.copyOfRange(large, from, to + 1)))
              .build();
        };
    s3.requests.clear();
    ByteRange most = ByteRange.of(1, SIZE - 2);
    Fixtures.assertSameBytes(
        p.call(c -> c.get("bkt", "k", most), a -> a.get("bkt", "k", most)),
        Arrays.copyOfRange(large, 1, SIZE - 1));
    assertThat(ranged(s3)).containsOnly("bytes=1-" + (SIZE - 2));
  }

  static byte[] concat(List<java.nio.ByteBuffer> buffers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (java.nio.ByteBuffer b : buffers) {
      byte[] a = new byte[b.remaining()];
      b.get(a);
      out.writeBytes(a);
    }
    return out.toByteArray();
  }
}
