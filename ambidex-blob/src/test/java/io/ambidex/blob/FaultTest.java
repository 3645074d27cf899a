package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.http.error.HttpIOException;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults scripted with mockwebserver3, through both generated clients: retried where safe, a
 * typed error where not, never a corrupted or truncated object returned, a failing multipart
 * upload aborted. The requests the server saw are checked too.
 */
class FaultTest {
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS = MockS3.clients();

  // ---- downloads ----

  @ParityTest
  void get_503Twice_thenOk_isRetried(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    byte[] data = bytes(50_000, 1);
    AtomicInteger calls = new AtomicInteger();
    s3.handler =
        r -> calls.incrementAndGet() <= 2 ? MockS3.error(503, "SlowDown") : MockS3.object(data, MockS3.md5Hex(data));

    Fixtures.assertSameBytes(p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")), data);
    assertThat(s3.matching("GET", "/bkt/k")).hasSize(3);
  }

  @ParityTest
  void get_503Always_failsWithTheTypedError(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    s3.handler = r -> MockS3.error(503, "SlowDown");
    assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")))
        .isInstanceOfSatisfying(BlobException.class, e -> {
          assertThat(e.code()).isEqualTo("SlowDown");
          assertThat(e.status()).isEqualTo(503);
          assertThat(e.requestId()).isEqualTo("req-1");
          assertThat(e.isThrottling()).isTrue();
        });
    assertThat(s3.matching("GET", "/bkt/k")).hasSize(3);
  }

  @ParityTest
  void get_truncatedEveryTime_failsWithAnIoError_neverReturnsData(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    byte[] data = bytes(300_000, 2);
    s3.handler =
        r -> new MockResponse.Builder()
            .code(200)
            .addHeader("ETag", "\"" + MockS3.md5Hex(data) + "\"")
            .body(new okio.Buffer().write(data))
            .onResponseBody(new SocketEffect.CloseSocket())
            .build();

    assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")))
        .isInstanceOf(HttpIOException.class);
    assertThat(s3.matching("GET", "/bkt/k")).hasSize(3);
  }

  @ParityTest
  void get_bytesNotMatchingTheEtag_failsWithBlobIntegrityException(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    byte[] data = bytes(10_000, 3);
    byte[] other = bytes(10_000, 4);
    s3.handler = r -> MockS3.object(data, MockS3.md5Hex(other));

    assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")))
        .isInstanceOfSatisfying(BlobIntegrityException.class, e -> {
          assertThat(e.expected()).isEqualTo(MockS3.md5Hex(other));
          assertThat(e.actual()).isEqualTo(MockS3.md5Hex(data));
        });
    // A damaged transfer is an I/O failure: retried, like a reset.
    assertThat(s3.matching("GET", "/bkt/k")).hasSize(3);
  }

  @ParityTest
  void download_corrupted_leavesTheTargetUntouched(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    byte[] data = bytes(10_000, 5);
    s3.handler = r -> MockS3.object(data, MockS3.md5Hex(new byte[1]));
    Path target = Files.writeString(dir.resolve("keep.txt"), "precious");

    assertThatThrownBy(
            () -> p.call(c -> c.download("bkt", "k", target, null))
                .async(a -> a.download("bkt", "k", target, null)))
        .isInstanceOf(BlobIntegrityException.class);
    assertThat(Files.readString(target)).isEqualTo("precious");
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @ParityTest
  void open_corrupted_failsAtTheEndOfTheStream(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    byte[] data = bytes(200_000, 6);
    s3.handler = r -> MockS3.object(data, MockS3.md5Hex(new byte[2]));
    assertThatThrownBy(() -> p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k")))
        .isInstanceOf(BlobIntegrityException.class);
  }

  @ParityTest
  void get_multipartEtag_withPartSize_isCheckedPartByPart(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(10, 7);
    String composite = composite(data, 4);
    byte[] corrupted = data.clone();
    corrupted[9] ^= 1;
    AtomicInteger calls = new AtomicInteger();
    s3.handler =
        r -> new MockResponse.Builder()
            .code(200)
            .addHeader("ETag", "\"" + composite + "\"")
            .addHeader("x-amz-meta-ambidex-part-size", "4")
            .body(new okio.Buffer().write(calls.incrementAndGet() == 1 ? data : corrupted))
            .build();

    Fixtures.assertSameBytes(p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")), data);
    assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")))
        .isInstanceOfSatisfying(
            BlobIntegrityException.class, e -> assertThat(e.expected()).isEqualTo(composite));
  }

  @ParityTest
  void get_multipartEtag_withoutPartSize_checksTheLengthOnly(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(10, 8);
    s3.handler = r -> MockS3.object(data, "0123456789abcdef0123456789abcdef-3");
    Fixtures.assertSameBytes(p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")), data);
  }

  // ---- uploads ----

  @ParityTest
  void put_sendsContentMd5_andTheSignedPayloadHash_neverChunked(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(70_000, 9);
    s3.handler = r -> etagOfBody(r);

    p.call(c -> c.put("bkt", "bytes", data), a -> a.put("bkt", "bytes", data));
    p.call(c -> c.put("bkt", "stream", new ByteArrayInputStream(data)),
        a -> a.put("bkt", "stream", new ByteArrayInputStream(data)));

    for (RecordedRequest r : s3.matching("PUT", "/bkt/")) {
      assertThat(r.getHeaders().get("Content-MD5")).isEqualTo(Base64.getEncoder().encodeToString(md5(data)));
      assertThat(r.getHeaders().get("x-amz-content-sha256")).isEqualTo(sha256Hex(data));
      assertThat(r.getHeaders().get("Authorization")).startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/");
      assertThat(r.getHeaders().get("Content-Length")).isEqualTo(Integer.toString(data.length));
      assertThat(r.getHeaders().get("Transfer-Encoding")).isNull();
      assertThat(r.getHeaders().get("Content-Encoding")).isNull();
    }
    assertThat(s3.matching("PUT", "/bkt/")).hasSize(2);
  }

  @ParityTest
  void put_unsignedPayloadMode_stillSendsContentMd5(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    try (MockS3 s3 = new MockS3()) {
      s3.handler = r -> etagOfBody(r);
      BlobConfig unsigned =
          Fixtures.config(s3.endpoint(), "AKIDEXAMPLE", "secret")
              .payloadSigning(PayloadSigning.UNSIGNED)
              .build();
      byte[] data = bytes(1000, 10);
      if (p.isBlocking()) {
        try (BlobClient c = new BlobClient(unsigned)) {
          c.put("bkt", "k", data);
        }
      } else {
        AsyncBlobClient a = new AsyncBlobClient(unsigned);
        p.await(a.put("bkt", "k", data));
        p.await(a.close());
      }
      RecordedRequest put = s3.matching("PUT", "/bkt/k").get(0);
      assertThat(put.getHeaders().get("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
      assertThat(put.getHeaders().get("Content-MD5")).isEqualTo(Base64.getEncoder().encodeToString(md5(data)));
    }
  }

  /*
   * The default, PayloadSigning.AUTO, signs the payload's SHA-256 over http (the test above) and
   * not over https, where TLS protects the body on the way; SIGNED signs it over https too. The
   * checksum is sent either way.
   */
  @ParityTest
  void put_defaultPayloadSigning_overHttps_isUnsigned_signedWhenAskedFor(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    okhttp3.tls.HeldCertificate cert =
        new okhttp3.tls.HeldCertificate.Builder()
            .commonName("127.0.0.1")
            .addSubjectAlternativeName("127.0.0.1")
            .build();
    okhttp3.tls.HandshakeCertificates serverSide =
        new okhttp3.tls.HandshakeCertificates.Builder().heldCertificate(cert).build();
    javax.net.ssl.SSLContext trusting =
        new okhttp3.tls.HandshakeCertificates.Builder()
            .addTrustedCertificate(cert.certificate())
            .build()
            .sslContext();
    try (MockS3 s3 = new MockS3(serverSide.sslSocketFactory())) {
      s3.handler = r -> etagOfBody(r);
      assertThat(s3.endpoint().getScheme()).isEqualTo("https");
      byte[] data = bytes(1000, 11);
      for (PayloadSigning mode : new PayloadSigning[] {null, PayloadSigning.SIGNED}) {
        BlobConfig.Builder b =
            Fixtures.config(s3.endpoint(), "AKIDEXAMPLE", "secret").sslContext(trusting);
        if (mode != null) {
          b.payloadSigning(mode);
        }
        BlobConfig config = b.build();
        String key = mode == null ? "default" : "signed";
        if (p.isBlocking()) {
          try (BlobClient c = new BlobClient(config)) {
            c.put("bkt", key, data);
          }
        } else {
          AsyncBlobClient a = new AsyncBlobClient(config);
          p.await(a.put("bkt", key, data));
          p.await(a.close());
        }
      }
      RecordedRequest byDefault = s3.matching("PUT", "/bkt/default").get(0);
      assertThat(byDefault.getHeaders().get("x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
      assertThat(byDefault.getHeaders().get("Content-MD5")).isEqualTo(Base64.getEncoder().encodeToString(md5(data)));
      RecordedRequest signed = s3.matching("PUT", "/bkt/signed").get(0);
      assertThat(signed.getHeaders().get("x-amz-content-sha256")).isEqualTo(sha256Hex(data));
    }
  }

  @ParityTest
  void put_serverSaysBadDigest_failsWithBlobIntegrityException(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    s3.handler = r -> MockS3.error(400, "BadDigest");
    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "k", new byte[5])).async(a -> a.put("bkt", "k", new byte[5])))
        .isInstanceOf(BlobIntegrityException.class)
        .hasMessageContaining("BadDigest");
  }

  /* The refusal's HttpStatusException (request id, body) used to be dropped. */
  @ParityTest
  void put_serverSaysBadDigest_keepsTheErrorResponseAsTheCause(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    for (String code : new String[] {"BadDigest", "XAmzContentSHA256Mismatch"}) {
      s3.handler = r -> MockS3.error(400, code);
      assertThatThrownBy(() -> p.call(c -> c.put("bkt", "k", new byte[5])).async(a -> a.put("bkt", "k", new byte[5])))
          .isInstanceOfSatisfying(
              BlobIntegrityException.class,
              e -> {
                assertThat(e.refusal()).isNotNull();
                assertThat(e.refusal().status()).isEqualTo(400);
                assertThat(e.refusal().bodySnippet()).contains("<Code>" + code + "</Code>", "req-1");
                assertThat(e.getCause().getCause()).isSameAs(e.refusal());
              })
          .hasRootCauseInstanceOf(io.ambidex.http.HttpStatusException.class)
          .hasMessageContaining("[request id req-1]");
    }
  }

  @ParityTest
  void put_serverSaysXAmzContentSHA256Mismatch_failsWithBlobIntegrityException(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    s3.handler = r -> MockS3.error(400, "XAmzContentSHA256Mismatch");
    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "k", new byte[5])).async(a -> a.put("bkt", "k", new byte[5])))
        .isInstanceOfSatisfying(
            BlobIntegrityException.class, e -> assertThat(e.expected()).isEqualTo("x-amz-content-sha256"))
        .hasMessageContaining("XAmzContentSHA256Mismatch");
  }

  @ParityTest
  void put_storedEtagIsNotTheMd5Sent_failsWithBlobIntegrityException(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    s3.handler = r -> MockS3.object(new byte[0], MockS3.md5Hex(new byte[] {42}));
    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "k", new byte[5])).async(a -> a.put("bkt", "k", new byte[5])))
        .isInstanceOf(BlobIntegrityException.class)
        .hasMessageContaining("stored something else");
  }

  @ParityTest
  void put_multipart_aPartKeepsFailing_abortsTheUpload_andNeverCompletes(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    s3.handler = multipart(r -> r.getTarget().contains("partNumber=2&") ? MockS3.error(500, "InternalError") : null);

    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "big", bytes(12 * MIB, 11))).async(a -> a.put("bkt", "big", bytes(12 * MIB, 11))))
        .isInstanceOfSatisfying(BlobException.class, e -> assertThat(e.code()).isEqualTo("InternalError"));
    assertThat(s3.matching("PUT", "partNumber=2&")).hasSize(3); // retried, then given up
    assertThat(s3.matching("DELETE", "uploadId=upload-1")).hasSize(1);
    assertThat(s3.matching("POST", "?uploadId=")).isEmpty();
  }

  private static final String ONE_PART_LISTED =
      "<ListPartsResult><UploadId>upload-1</UploadId><Part><PartNumber>2</PartNumber>"
          + "<ETag>\"x\"</ETag><Size>5</Size></Part></ListPartsResult>";

  @ParityTest
  void put_multipart_partStoredAfterTheAbort_isAbortedAgain(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    java.util.concurrent.atomic.AtomicInteger listings = new java.util.concurrent.atomic.AtomicInteger();
    s3.handler =
        multipart(r -> {
          if (r.getTarget().contains("partNumber=2&")) {
            return MockS3.error(400, "InvalidPart");
          }
          if (r.getMethod().equals("GET") && r.getTarget().contains("uploadId=upload-1")) {
            // The first ListParts still finds a part (stored after the abort), the second none.
            return listings.getAndIncrement() == 0
                ? new MockResponse.Builder().code(200).body(ONE_PART_LISTED).build()
                : new MockResponse.Builder().code(200).body("<ListPartsResult/>").build();
          }
          return null;
        });

    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "big", bytes(12 * MIB, 15))).async(a -> a.put("bkt", "big", bytes(12 * MIB, 15))))
        .isInstanceOfSatisfying(BlobException.class, e -> {
          assertThat(e.code()).isEqualTo("InvalidPart");
          assertThat(e.getSuppressed()).noneMatch(t -> t.getMessage().contains("still had parts"));
        });
    assertThat(s3.matching("DELETE", "uploadId=upload-1")).hasSize(2);
    assertThat(s3.matching("GET", "uploadId=upload-1")).hasSize(2);
  }

  @ParityTest
  void put_multipart_partsThatOutliveEveryAbort_areReportedWithTheFailure(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    s3.handler =
        multipart(r -> {
          if (r.getTarget().contains("partNumber=2&")) {
            return MockS3.error(400, "InvalidPart");
          }
          if (r.getMethod().equals("GET") && r.getTarget().contains("uploadId=upload-1")) {
            return new MockResponse.Builder().code(200).body(ONE_PART_LISTED).build();
          }
          return null;
        });

    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "big", bytes(12 * MIB, 16))).async(a -> a.put("bkt", "big", bytes(12 * MIB, 16))))
        .isInstanceOfSatisfying(BlobException.class, e -> {
          assertThat(e.code()).isEqualTo("InvalidPart");
          assertThat(e.getSuppressed())
              .anySatisfy(t -> assertThat(t).hasMessageContaining("upload-1")
                  .hasMessageContaining("still had parts after it was aborted 4 times"));
        });
    assertThat(s3.matching("DELETE", "uploadId=upload-1")).hasSize(4);
  }

  @ParityTest
  void put_multipart_abortDroppedOnce_isSentAgain_evenWithRetriesOff(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    AtomicInteger deletes = new AtomicInteger();
    s3.handler =
        multipart(r -> {
          if (r.getTarget().contains("partNumber=2&")) {
            return MockS3.error(500, "InternalError");
          }
          if (r.getMethod().equals("DELETE") && deletes.incrementAndGet() == 1) {
            // The connection drops before the answer, as a pooled connection a proxy closed does.
            return new MockResponse.Builder().code(204).onResponseStart(new SocketEffect.CloseSocket()).build();
          }
          return null;
        });
    BlobConfig noRetries =
        Fixtures.config(s3.endpoint(), "AKIDEXAMPLE", "secret")
            .retryPolicy(io.ambidex.control.RetryPolicy.none())
            .build();

    try (SideClient c = SideClient.open(p, noRetries)) {
      assertThatThrownBy(() -> c.call(b -> b.put("bkt", "big", bytes(12 * MIB, 13)), a -> a.put("bkt", "big", bytes(12 * MIB, 13))))
          .isInstanceOfSatisfying(BlobException.class, e -> {
            assertThat(e.code()).isEqualTo("InternalError");
            assertThat(e.getSuppressed()).noneMatch(t -> t instanceof HttpIOException);
          });
    }
    assertThat(s3.matching("PUT", "partNumber=2&")).hasSize(1); // retries off
    assertThat(s3.matching("DELETE", "uploadId=upload-1")).hasSize(2); // the abort, sent again
  }

  @ParityTest
  void put_multipart_completeFailsInsideA200_failsAndAborts(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    s3.handler =
        multipart(r -> r.getMethod().equals("POST") && r.getTarget().contains("uploadId=")
            ? new MockResponse.Builder().code(200)
                .body("<Error><Code>InternalError</Code><Message>oops</Message></Error>").build()
            : null);

    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "big", bytes(6 * MIB, 12))).async(a -> a.put("bkt", "big", bytes(6 * MIB, 12))))
        .isInstanceOfSatisfying(BlobException.class, e -> {
          assertThat(e.code()).isEqualTo("InternalError");
          assertThat(e.serverMessage()).isEqualTo("oops");
        });
    assertThat(s3.matching("DELETE", "uploadId=upload-1")).hasSize(1);
  }

  @ParityTest
  void put_multipart_completedWithAnotherCompositeEtag_failsWithBlobIntegrityException(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    s3.handler =
        multipart(r -> r.getMethod().equals("POST") && r.getTarget().contains("uploadId=")
            ? new MockResponse.Builder().code(200)
                .body("<CompleteMultipartUploadResult><ETag>\"0123456789abcdef0123456789abcdef-2\"</ETag>"
                    + "</CompleteMultipartUploadResult>").build()
            : null);

    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "big", bytes(6 * MIB, 14))).async(a -> a.put("bkt", "big", bytes(6 * MIB, 14))))
        .isInstanceOf(BlobIntegrityException.class)
        .hasMessageContaining("assembled something else");
  }

  @ParityTest
  void put_multipart_sendsEveryPartAndCompletesInOrder(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    byte[] data = bytes(16 * MIB + 1, 13);
    s3.handler = multipart(r -> null);

    PutResult put = p.call(c -> c.put("bkt", "big", data), a -> a.put("bkt", "big", data));

    assertThat(put.parts()).isEqualTo(4);
    RecordedRequest complete = s3.matching("POST", "?uploadId=upload-1").get(0);
    String xml = complete.getBody().utf8();
    for (int i = 1; i <= 4; i++) {
      assertThat(xml).contains("<PartNumber>" + i + "</PartNumber>");
      byte[] part = Arrays.copyOfRange(data, (i - 1) * 5 * MIB, Math.min(data.length, i * 5 * MIB));
      assertThat(xml).contains("\"" + MockS3.md5Hex(part) + "\"");
    }
    assertThat(xml.indexOf("<PartNumber>1<")).isLessThan(xml.indexOf("<PartNumber>4<"));
    assertThat(s3.matching("POST", "?uploads").get(0).getHeaders().get("x-amz-meta-ambidex-part-size"))
        .isEqualTo(Integer.toString(5 * MIB));
    assertThat(s3.matching("DELETE", "uploadId")).isEmpty();
  }

  // ---- bad input: rejected at the call, nothing sent ----

  @ParityTest
  void badInput_isRejectedAtTheCall_andNothingIsSent(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) {
    String longKey = "é".repeat(513); // 1026 bytes of UTF-8
    for (String bucket : new String[] {"ab", "Upper", "under_score", "a..b", "-start", "end-", "192.168.0.1", "x".repeat(64)}) {
      assertThatThrownBy(() -> p.run(c -> c.createBucket(bucket)).async(a -> a.createBucket(bucket)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("Invalid bucket name '" + bucket + "'");
    }
    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "", new byte[1])).async(a -> a.put("bkt", "", new byte[1])))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must not be empty");
    assertThatThrownBy(() -> p.call(c -> c.get("bkt", longKey)).async(a -> a.get("bkt", longKey)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("1026");
    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "k", (byte[]) null)).async(a -> a.put("bkt", "k", (byte[]) null)))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("data");
    assertThatThrownBy(() -> p.call(c -> c.get(null, "k")).async(a -> a.get(null, "k")))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("bucket");
    assertThatThrownBy(() -> p.call(c -> c.head("bkt", null)).async(a -> a.head("bkt", null)))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("key");
    Path missing = dir.resolve("missing.bin");
    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "k", missing)).async(a -> a.put("bkt", "k", missing)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no such file");
    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "k", dir)).async(a -> a.put("bkt", "k", dir)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a regular file");
    assertThatThrownBy(() -> p.call(c -> c.download("bkt", "k", dir, null)).async(a -> a.download("bkt", "k", dir, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is a directory");
    Path noDir = dir.resolve("no/such/dir/file");
    assertThatThrownBy(() -> p.call(c -> c.download("bkt", "k", noDir, null)).async(a -> a.download("bkt", "k", noDir, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
    assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k", null)).async(a -> a.get("bkt", "k", null)))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("range");
    assertThatThrownBy(() -> p.items(c -> c.list("bkt", null, "")).async(a -> a.list("bkt", null, "")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("delimiter");
    assertThatThrownBy(() -> p.call(c -> c.copy("bkt", "k", "B2", "k")).async(a -> a.copy("bkt", "k", "B2", "k")))
        .isInstanceOf(IllegalArgumentException.class);

    assertThat(s3.requests).as("nothing was sent").isEmpty();
  }

  /*
   * UTF-8 cannot encode an unpaired surrogate: String.getBytes sent '?' in its place, so "k\uD800"
   * and "k\uDC00" were both stored as "k?", the second overwriting the first.
   */
  @ParityTest
  void badInput_unpairedSurrogate_isRejectedAtTheCall_andNothingIsSent(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) {
    String high = "k\uD800";
    String low = "k\uDC00";
    String reversed = "a\uDC00\uD800";
    for (String key : new String[] {high, low, reversed}) {
      assertThatThrownBy(() -> p.call(c -> c.put("bkt", key, new byte[1])).async(a -> a.put("bkt", key, new byte[1])))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a key must be valid Unicode")
          .hasMessageContaining("unpaired surrogate");
    }
    assertThatThrownBy(() -> p.call(c -> c.get("bkt", high)).async(a -> a.get("bkt", high)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Invalid key 'k\\uD800'")
        .hasMessageContaining("U+D800 at index 1");
    assertThatThrownBy(() -> p.call(c -> c.download("bkt", low, dir.resolve("f"), null)).async(a -> a.download("bkt", low, dir.resolve("f"), null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("U+DC00 at index 1");
    assertThatThrownBy(() -> p.items(c -> c.open("bkt", high)).async(a -> a.open("bkt", high)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unpaired surrogate");
    assertThatThrownBy(() -> p.call(c -> c.copy("bkt", high, "bkt", "ok")).async(a -> a.copy("bkt", high, "bkt", "ok")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid key");
    assertThatThrownBy(() -> p.call(c -> c.copy("bkt", "ok", "bkt", low)).async(a -> a.copy("bkt", "ok", "bkt", low)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid key");
    assertThatThrownBy(() -> p.items(c -> c.list("bkt", high)).async(a -> a.list("bkt", high)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid prefix");
    assertThatThrownBy(() -> p.items(c -> c.list("bkt", high, "/")).async(a -> a.list("bkt", high, "/")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid prefix");
    assertThatThrownBy(() -> p.items(c -> c.list("bkt", "p/", "\uD800")).async(a -> a.list("bkt", "p/", "\uD800")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid delimiter");
    assertThatThrownBy(() -> p.items(c -> c.listUploads("bkt", low)).async(a -> a.listUploads("bkt", low)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid prefix");
    assertThatThrownBy(() -> p.run(c -> c.abortUpload("bkt", "k", "id\uD800")).async(a -> a.abortUpload("bkt", "k", "id\uD800")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid uploadId");
    java.time.Duration hour = java.time.Duration.ofHours(1);
    assertThatThrownBy(
            () -> {
              if (p.isBlocking()) {
                p.blocking().presign("GET", "bkt", high, hour);
              } else {
                p.async().presign("GET", "bkt", high, hour);
              }
            })
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid key");

    assertThat(s3.requests).as("nothing was sent").isEmpty();
  }

  @ParityTest
  void put_keyWithASurrogatePair_isSentAsItsUtf8(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    s3.handler = r -> MockS3.object(new byte[0], MockS3.md5Hex(new byte[] {7}));
    p.call(c -> c.put("bkt", "k\uD83D\uDE00", new byte[] {7})).async(a -> a.put("bkt", "k\uD83D\uDE00", new byte[] {7}));
    assertThat(s3.requests.get(0).getTarget()).isEqualTo("/bkt/k%F0%9F%98%80");
  }

  @org.junit.jupiter.api.Test
  void byteRange_rejectsNegativeAndInvertedBounds() {
    assertThatThrownBy(() -> ByteRange.of(-1, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    assertThatThrownBy(() -> ByteRange.of(5, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("before first");
    assertThatThrownBy(() -> ByteRange.from(-3)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-3");
    assertThatThrownBy(() -> ByteRange.lastBytes(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
    assertThat(ByteRange.of(0, 0).header()).isEqualTo("bytes=0-0");
    assertThat(ByteRange.from(7).header()).isEqualTo("bytes=7-");
    assertThat(ByteRange.lastBytes(3).header()).isEqualTo("bytes=-3");
  }

  @org.junit.jupiter.api.Test
  void config_rejectsBadSettings() {
    assertThatThrownBy(() -> BlobConfig.builder().partSize(1024)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("5 MiB");
    assertThatThrownBy(() -> BlobConfig.builder().concurrency(0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BlobConfig.builder().endpoint("ftp://x")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> BlobConfig.builder().endpoint("http://h:1/path")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no path");
    BlobConfig aws = BlobConfig.builder().credentials(Credentials.of("a", "b")).region("eu-west-1").build();
    assertThat(aws.endpoint().toString()).isEqualTo("https://s3.eu-west-1.amazonaws.com");
    assertThat(aws.pathStyle()).isFalse();
    assertThat(BlobConfig.builder().credentials(Credentials.of("a", "b")).endpoint("http://127.0.0.1:9000").build().pathStyle()).isTrue();
    assertThatThrownBy(() -> BlobConfig.builder().maxConnections(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections must be between 1 and 4096, but was 0");
    assertThatThrownBy(() -> BlobConfig.builder().credentials(Credentials.of("a", "b")).concurrency(6).maxConnections(5).build())
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxConnections (5) must be at least concurrency (6)");
    assertThat(BlobConfig.builder().credentials(Credentials.of("a", "b")).build().maxConnections()).isEqualTo(8);
    assertThat(BlobConfig.builder().credentials(Credentials.of("a", "b")).concurrency(10).build().maxConnections()).isEqualTo(20);
    assertThat(BlobConfig.builder().credentials(Credentials.of("a", "b")).maxConnections(64).build().maxConnections()).isEqualTo(64);
  }

  /*
   * "-", "eu-", "-eu" and "a--b" passed the setter's [a-z0-9-]+ and made the default endpoint
   * https://s3.eu-.amazonaws.com, whose host Java's URI does not parse: build() threw a
   * NullPointerException.
   */
  @org.junit.jupiter.api.Test
  void region_emptyOrDashEndedWords_rejectedBySetter_neverANullPointerInBuild() {
    for (String bad : new String[] {"-", "eu-", "-eu", "eu--west-1", "", "EU-west-1", "eu_west_1", "eu.west"}) {
      assertThatThrownBy(() -> BlobConfig.builder().region(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("region must be lower-case letters and digits in words joined by single dashes")
          .hasMessageContaining("but was '" + bad + "'");
    }
    for (String good : new String[] {"eu-west-1", "us-east-1", "cn-north-1", "us-gov-west-1", "local", "garage1"}) {
      BlobConfig config = BlobConfig.builder().credentials(Credentials.of("a", "b")).region(good).build();
      assertThat(config.region()).isEqualTo(good);
      assertThat(config.endpoint().getHost()).isEqualTo("s3." + good + ".amazonaws.com");
    }
  }

  /*
   * endpoint("http://u:p@h:9000") was accepted and BlobConfig.toString() printed the password;
   * ports 0 and above 65535 were accepted too.
   */
  @org.junit.jupiter.api.Test
  void endpoint_userInfoOrPortOutOfRange_rejectedWithoutEchoingThePassword() {
    for (String withUser : new String[] {"http://u:p4ssw0rd@127.0.0.1:9000", "https://p4ssw0rd@s3.example.com"}) {
      assertThatThrownBy(() -> BlobConfig.builder().endpoint(withUser))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("endpoint must have no user-info")
          .hasMessageContaining("credentials(..)")
          .hasMessageContaining("://***@")
          .message()
          .doesNotContain("p4ssw0rd");
    }
    for (String port : new String[] {"0", "65536", "70000"}) {
      assertThatThrownBy(() -> BlobConfig.builder().endpoint("http://127.0.0.1:" + port))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("endpoint port must be between 1 and 65535, but was " + port);
    }
    for (String good : new String[] {"http://127.0.0.1:1", "http://127.0.0.1:65535", "https://s3.example.com"}) {
      BlobConfig config = BlobConfig.builder().credentials(Credentials.of("a", "b")).endpoint(good).build();
      assertThat(config.endpoint().toString()).isEqualTo(good);
    }
  }

  /*
   * A 1 ns read timeout passed positive() and became a 0 ms socket timeout on the blocking client:
   * no timeout at all (the async client timed out).
   */
  @org.junit.jupiter.api.Test
  void timeouts_belowOneMillisecond_rejectedBySetter() {
    for (java.time.Duration d : new java.time.Duration[] {
        java.time.Duration.ofNanos(1), java.time.Duration.ofNanos(999_999), java.time.Duration.ZERO,
        java.time.Duration.ofSeconds(-1)}) {
      assertThatThrownBy(() -> BlobConfig.builder().readTimeout(d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("readTimeout must be at least 1 ms")
          .hasMessageContaining("but was " + d);
      assertThatThrownBy(() -> BlobConfig.builder().connectTimeout(d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("connectTimeout must be at least 1 ms");
      assertThatThrownBy(() -> BlobConfig.builder().requestTimeout(d))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("requestTimeout must be at least 1 ms");
    }
    java.time.Duration ms = java.time.Duration.ofMillis(1);
    BlobConfig config =
        BlobConfig.builder().credentials(Credentials.of("a", "b"))
            .readTimeout(ms).connectTimeout(ms).requestTimeout(ms).build();
    assertThat(config.readTimeout()).isEqualTo(ms);
  }

  @ParityTest
  void maxConnections_thatManyRequestsAreInFlightAtOnce(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    // The default pool for concurrency 1 is 8 connections; 12 requests arrive together only if
    // the configured 12 are used. Each response waits until all 12 requests have arrived (or 10 s).
    int n = 12;
    byte[] data = bytes(100, 11);
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    java.util.concurrent.CountDownLatch all = new java.util.concurrent.CountDownLatch(n);
    try (MockS3 s3 = new MockS3()) {
      s3.handler =
          r -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            all.countDown();
            try {
              all.await(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            return MockS3.object(data, MockS3.md5Hex(data));
          };
      BlobConfig config =
          Fixtures.config(s3.endpoint(), "AKIDEXAMPLE", "secret").concurrency(1).maxConnections(n).build();
      if (p.isBlocking()) {
        try (BlobClient c = new BlobClient(config);
            var threads = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
          var gets = java.util.stream.IntStream.range(0, n).mapToObj(i -> threads.submit(() -> c.get("bkt", "k" + i))).toList();
          for (var get : gets) {
            Fixtures.assertSameBytes(get.get(), data);
          }
        }
      } else {
        AsyncBlobClient a = new AsyncBlobClient(config);
        var gets = java.util.stream.IntStream.range(0, n).mapToObj(i -> a.get("bkt", "k" + i)).toList();
        for (var get : gets) {
          Fixtures.assertSameBytes(p.await(get), data);
        }
        p.await(a.close());
      }
    }
    assertThat(most.get()).as("requests in flight at once").isEqualTo(n);
  }

  // ---- helpers ----

  /**
   * A scripted multipart server: uploads are "upload-1", parts answer with their MD5; {@code
   * override} may answer a request itself (non-null).
   */
  static java.util.function.Function<RecordedRequest, MockResponse> multipart(
      java.util.function.Function<RecordedRequest, MockResponse> override) {
    return r -> {
      MockResponse o = override.apply(r);
      if (o != null) {
        return o;
      }
      String t = r.getTarget();
      if (r.getMethod().equals("POST") && t.endsWith("?uploads")) {
        return new MockResponse.Builder().code(200)
            .body("<InitiateMultipartUploadResult><UploadId>upload-1</UploadId></InitiateMultipartUploadResult>")
            .build();
      }
      if (r.getMethod().equals("PUT")) {
        return etagOfBody(r);
      }
      if (r.getMethod().equals("POST") && t.contains("uploadId=")) {
        return new MockResponse.Builder().code(200)
            .body("<CompleteMultipartUploadResult><ETag>\"abc-4\"</ETag></CompleteMultipartUploadResult>")
            .build();
      }
      if (r.getMethod().equals("DELETE")) {
        return new MockResponse.Builder().code(204).build();
      }
      if (r.getMethod().equals("GET") && t.contains("uploadId=")) {
        return MockS3.error(404, "NoSuchUpload"); // ListParts after the abort: gone
      }
      return MockS3.error(400, "Unexpected");
    };
  }

  static MockResponse etagOfBody(RecordedRequest r) {
    byte[] body = r.getBody() == null ? new byte[0] : r.getBody().toByteArray();
    return new MockResponse.Builder().code(200).addHeader("ETag", "\"" + MockS3.md5Hex(body) + "\"").build();
  }

  static String composite(byte[] data, int partSize) throws Exception {
    ByteArrayOutputStream md5s = new ByteArrayOutputStream();
    int parts = 0;
    for (int off = 0; off < data.length; off += partSize) {
      md5s.writeBytes(md5(Arrays.copyOfRange(data, off, Math.min(data.length, off + partSize))));
      parts++;
    }
    return HexFormat.of().formatHex(md5(md5s.toByteArray())) + "-" + parts;
  }

  static byte[] md5(byte[] data) {
    try {
      return MessageDigest.getInstance("MD5").digest(data);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
