package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static io.ambidex.blob.RangedDownloadTest.PART;
import static io.ambidex.blob.RangedDownloadTest.concat;
import static io.ambidex.blob.RangedDownloadTest.ranged;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.RangedDownloadTest.Kind;
import io.ambidex.blob.RangedDownloadTest.RangeFault;
import io.ambidex.control.RetryPolicy;
import io.ambidex.http.error.HttpIOException;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stream of an object of at least four ranges starts with one GET, the lead, and adds ranged GETs
 * only when they help: against a scripted server whose whole-object GET is slow (about 10 MiB/s)
 * while its ranges are fast, the client probes with the object's last range and then hands the rest
 * over to ranges; when that probe is slow to answer, the lead serves on up to it, and when it
 * fails, to the end; a lead whose connection breaks is resumed by ranges from where it stopped
 * (unless retries are off). Every object is checked whole however its bytes came, through both
 * generated clients.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StreamLeadTest {
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS = MockS3.clients();

  /**
   * Six ranges of 5 MiB (the test client's part size) and a little: the lead is measured up to
   * 11 MiB, and then takes 1.4 s (at 10 MiB/s) to reach the probe, time for the probe to answer.
   */
  static final int SIZE = 6 * PART + 4321;

  /** Where the probe starts: the object's last range, of a whole range size. */
  static final int PROBE = SIZE - PART;

  /*
   * Serves `body` with the headers of `data` (its ETag, checksums) as RangedDownloadTest's server
   * does, but with the GET of the whole object (the lead) sent as `lead` writes it.
   */
  static Function<RecordedRequest, MockResponse> server(
      byte[] data, byte[] body, Kind kind, LeadBody lead, RangeFault fault) {
    Function<RecordedRequest, MockResponse> ranges = RangedDownloadTest.server(data, body, kind, fault);
    java.util.Map<String, String> headers = RangedDownloadTest.headers(data, kind);
    return r -> {
      if (r.getHeaders().get("Range") != null) {
        return ranges.apply(r);
      }
      MockResponse.Builder b = new MockResponse.Builder();
      headers.forEach(b::addHeader);
      return b.code(200)
          .body(new mockwebserver3.MockResponseBody() {
            @Override
            public long getContentLength() {
              return body.length;
            }

            @Override
            public void writeTo(okio.BufferedSink sink) throws IOException {
              lead.write(body, sink);
            }
          })
          .build();
    };
  }

  static Function<RecordedRequest, MockResponse> server(
      byte[] data, Kind kind, LeadBody lead, RangeFault fault) {
    return server(data, data, kind, lead, fault);
  }

  interface LeadBody {
    void write(byte[] data, okio.BufferedSink sink) throws IOException;
  }

  /* The whole object in 256 KiB pieces, 25 ms apart: about 10 MiB/s. */
  static void slowly(byte[] data, okio.BufferedSink sink) throws IOException {
    for (int at = 0; at < data.length; at += 256 * 1024) {
      sink.write(data, at, Math.min(256 * 1024, data.length - at));
      sink.flush();
      sleep(25);
    }
  }

  static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /* Serves every ranged GET, each after `millis`. */
  static RangeFault answeringAfter(long millis) {
    return (start, end, b) -> {
      try {
        Thread.sleep(millis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return null;
    };
  }

  /* [start, end] of each ranged GET the server saw, by start (ranges in flight arrive in any order). */
  static List<long[]> spans(MockS3 s3) {
    List<long[]> out = new ArrayList<>();
    for (String range : ranged(s3)) {
      Matcher m = RangedDownloadTest.RANGE.matcher(range);
      assertThat(m.matches()).as(range).isTrue();
      out.add(new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2))});
    }
    out.sort(java.util.Comparator.comparingLong(span -> span[0]));
    return out;
  }

  @ParityTest
  void aSlowLead_isProbed_andHandedOverToRanges_fromWhereItStopped(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 201);
    s3.handler = server(data, Kind.CRC32C_FULL_OBJECT, StreamLeadTest::slowly, (s, e, b) -> null);

    List<ByteBuffer> got = p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k"));

    Fixtures.assertSameBytes(concat(got), data);
    assertThat(s3.matching("GET", "/bkt/k")).as("the lead and the ranges").hasSizeGreaterThan(2);
    List<long[]> spans = spans(s3);
    assertThat(spans.get(spans.size() - 1)).as("the probe: the last range").containsExactly(PROBE, SIZE - 1);
    long from = spans.get(0)[0];
    assertThat(from)
        .as("the ranges go on where the lead stopped: past the measure (1 + 10 MiB), before the probe")
        .isGreaterThanOrEqualTo(11L * MIB)
        .isLessThan(PROBE);
    long at = from;
    for (long[] span : spans.subList(0, spans.size() - 1)) {
      assertThat(span[0]).as("ranges without a gap").isEqualTo(at);
      assertThat(span[1] - span[0] + 1).isLessThanOrEqualTo(PART);
      at = span[1] + 1;
    }
    assertThat(at).as("the ranges end where the probe starts").isEqualTo(PROBE);
  }

  @ParityTest
  void aProbeThatAnswersLate_leavesTheLeadServing_upToIt(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 202);
    // The probe is sent after about 1.1 s; the lead reaches it about 1.4 s later.
    RangeFault late = answeringAfter(3_000);
    s3.handler = server(data, Kind.MD5_SINGLE, StreamLeadTest::slowly, late);

    List<ByteBuffer> got = p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k"));

    Fixtures.assertSameBytes(concat(got), data);
    assertThat(s3.matching("GET", "/bkt/k")).as("the lead and the probe").hasSize(2);
    assertThat(spans(s3).get(0)).containsExactly(PROBE, SIZE - 1);
  }

  /*
   * The first quarter of the lead, then nothing: the client's read timeout (1 s here) breaks it.
   */
  static void stalls(byte[] data, okio.BufferedSink sink) throws IOException {
    sink.write(data, 0, data.length / 4);
    sink.flush();
    sleep(2_000);
    throw new IOException("the test's lead gives up");
  }

  static BlobConfig.Builder shortTimeout(MockS3 s3) {
    return Fixtures.config(s3.endpoint(), "AKIDEXAMPLE", "secret")
        .readTimeout(java.time.Duration.ofSeconds(1));
  }

  @ParityTest
  void aProbeThatFails_isDropped_andTheLeadServesTheEnd(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 208);
    s3.handler =
        server(
            data,
            Kind.CRC32C_FULL_OBJECT,
            StreamLeadTest::slowly,
            (start, end, b) -> MockS3.error(500, "InternalError"));

    List<ByteBuffer> got = p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k"));

    Fixtures.assertSameBytes(concat(got), data);
    assertThat(spans(s3))
        .as("the probe's attempts (three, the test client's retries), and no other range")
        .hasSize(3)
        .allSatisfy(span -> assertThat(span).containsExactly(PROBE, SIZE - 1));
  }

  @ParityTest
  void withOneRequestAtATime_theLeadServesAlone_evenWhenSlow(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 207);
    s3.handler = server(data, Kind.CRC32C_FULL_OBJECT, StreamLeadTest::slowly, (s, e, b) -> null);

    List<ByteBuffer> got;
    BlobConfig one =
        Fixtures.config(s3.endpoint(), "AKIDEXAMPLE", "secret").concurrency(1).build();
    try (SideClient c = SideClient.open(p, one)) {
      got = c.items(b -> b.open("bkt", "k"), a -> a.open("bkt", "k"));
    }

    Fixtures.assertSameBytes(concat(got), data);
    assertThat(ranged(s3)).as("one range at a time cannot go faster than the lead").isEmpty();
  }

  /*
   * Also a small object's stream (up to the threshold, 5 MiB here, where no range would be sent
   * otherwise): a break is resumed by ranges, from where the reader stopped.
   */
  @ParityTest
  void aLeadThatBreaks_isResumedByRanges_andTheWholeIsChecked(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    AtomicInteger leads = new AtomicInteger();
    for (int size : new int[] {SIZE, 4 * MIB}) {
      byte[] data = bytes(size, 203);
      for (Kind kind : List.of(Kind.MD5_SINGLE, Kind.CRC32C_FULL_OBJECT)) {
        s3.requests.clear();
        leads.set(0);
        s3.handler =
            server(
                data,
                kind,
                (bytes, sink) -> {
                  leads.incrementAndGet();
                  stalls(bytes, sink);
                },
                (s, e, b) -> null);

        List<ByteBuffer> got;
        try (SideClient c = SideClient.open(p, shortTimeout(s3).build())) {
          got = c.items(b -> b.open("bkt", "k"), a -> a.open("bkt", "k"));
        }

        String what = size + " bytes, " + kind;
        Fixtures.assertSameBytes(concat(got), data);
        assertThat(leads).as("the lead is not sent again: " + what).hasValue(1);
        List<long[]> spans = spans(s3);
        assertThat(spans).as(what).isNotEmpty();
        assertThat(spans.get(0)[0]).as("resumed where the reader stopped: " + what).isBetween(1L, size / 4L);
        assertThat(spans.get(spans.size() - 1)[1]).isEqualTo(size - 1);
      }
    }
  }

  /*
   * Where no range may resume a broken lead, the stream fails with the lead's error and no range
   * is sent: with retries off, and for an object without an ETag (If-Match could not guard the
   * ranges), however retried.
   */
  @ParityTest
  void aLeadThatBreaks_whereNoRangeMayResumeIt_failsTyped(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    record Case(String why, Kind kind, boolean retries) {}
    for (Case when :
        List.of(
            new Case("retries are off", Kind.MD5_SINGLE, false),
            new Case("no ETag to guard ranges with", Kind.CRC32C_NO_ETAG, true))) {
      for (int size : new int[] {SIZE, 4 * MIB}) {
        s3.requests.clear();
        byte[] data = bytes(size, 204);
        s3.handler = server(data, when.kind(), StreamLeadTest::stalls, (s, e, b) -> null);
        BlobConfig.Builder config = shortTimeout(s3);
        if (!when.retries()) {
          config.retryPolicy(RetryPolicy.none());
        }
        try (SideClient c = SideClient.open(p, config.build())) {
          assertThatThrownBy(() -> c.items(b -> b.open("bkt", "k"), a -> a.open("bkt", "k")))
              .as(when.why())
              .isInstanceOf(HttpIOException.class);
        }
        assertThat(ranged(s3)).as("no range: " + when.why()).isEmpty();
      }
    }
  }

  @ParityTest
  void damagedBytes_inTheLead_orEverywhere_failTheLastPull(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 205);
    byte[] damaged = data.clone();
    damaged[100] ^= 0x10;
    s3.handler =
        server(data, Kind.CRC32C_FULL_OBJECT, (bytes, sink) -> sink.write(damaged), (s, e, b) -> null);
    assertThatThrownBy(() -> p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k")))
        .isInstanceOf(BlobIntegrityException.class);

    // Damaged near the end in every response, so whoever serves it (lead or probe) serves it.
    byte[] late = data.clone();
    late[SIZE - 10] ^= 0x01;
    s3.handler =
        server(data, late, Kind.MD5_SINGLE, (bytes, sink) -> sink.write(bytes), (s, e, b) -> null);
    assertThatThrownBy(() -> p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k")))
        .isInstanceOf(BlobIntegrityException.class);
  }

  @ParityTest
  void closedWhileProbing_cancelsTheProbe_andTheClientGoesOn(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(SIZE, 206);
    RangeFault late = answeringAfter(1_000);
    s3.handler = server(data, Kind.MD5_SINGLE, StreamLeadTest::slowly, late);
    long enough = 12L * MIB; // past the probe's start (after 11 MiB), before its answer
    java.util.concurrent.atomic.AtomicLong taken = new java.util.concurrent.atomic.AtomicLong();

    List<ByteBuffer> got =
        p.items(c -> c.open("bkt", "k").takeWhile(b -> taken.getAndAdd(b.remaining()) < enough))
            .async(a -> take(a.open("bkt", "k"), enough));

    byte[] took = concat(got);
    assertThat(took.length).as("what the reader took").isGreaterThan(11 * MIB);
    assertThat(took).isEqualTo(java.util.Arrays.copyOf(data, took.length));
    assertThat(ranged(s3)).as("the probe was sent").hasSize(1);
    // The client is whole: its next stream reads everything.
    s3.handler = RangedDownloadTest.server(data, Kind.MD5_SINGLE, (s, e, b) -> null);
    Fixtures.assertSameBytes(
        concat(p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k"))), data);
  }

  /* The buffers of `publisher` until `n` bytes have passed, then a cancel and the end. */
  static Flow.Publisher<ByteBuffer> take(Flow.Publisher<ByteBuffer> publisher, long n) {
    return subscriber ->
        publisher.subscribe(new Flow.Subscriber<ByteBuffer>() {
          private Flow.Subscription subscription;
          private long seen;

          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            subscriber.onSubscribe(s);
          }

          @Override
          public void onNext(ByteBuffer item) {
            if (seen >= n) {
              return;
            }
            seen += item.remaining();
            subscriber.onNext(item);
            if (seen >= n) {
              subscription.cancel();
              subscriber.onComplete();
            }
          }

          @Override
          public void onError(Throwable failure) {
            if (seen < n) {
              subscriber.onError(failure);
            }
          }

          @Override
          public void onComplete() {
            if (seen < n) {
              subscriber.onComplete();
            }
          }
        });
  }
}
