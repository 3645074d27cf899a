package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * {@link PutOptions} end to end through both facades against S3Proxy (which checks SigV4, so the
 * signed object headers must be right): single PUT, multipart upload, stream, and copies with and
 * without replaced metadata; read back with {@code describe} and with the AWS SDK's {@code
 * headObject}.
 */
@Timeout(120)
class PutOptionsRoundTripTest extends EmbeddedS3Fixture {
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("S3Proxy", () -> new BlobClient(config()))
          .async("S3Proxy", () -> new AsyncBlobClient(config()))
          .build();

  /* 5 MiB parts above 5 MiB: a 6 MiB object is a multipart upload of two parts. */
  static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build();
  }

  static final PutOptions OPTIONS =
      PutOptions.defaults()
          .withContentType("text/html; charset=utf-8")
          .withCacheControl("max-age=3600, public")
          .withContentDisposition("attachment; filename=\"report 2026.html\"")
          .withContentEncoding("identity")
          .withMetadata("Owner", "ops-team")
          .withMetadata("note", "caf%C3%A9 & more: 100% ok");

  static String bucket(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = Fixtures.bucket();
    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    return bucket;
  }

  static ObjectDetails describe(Parity<BlobClient, AsyncBlobClient> p, String bucket, String key)
      throws Exception {
    return p.call(c -> c.describe(bucket, key), a -> a.describe(bucket, key));
  }

  /* What describe and the AWS SDK both read back, against what was sent. */
  static void assertStored(ObjectDetails d, HeadObjectResponse head, PutOptions sent) {
    assertThat(mediaType(d.contentType())).isEqualTo(mediaType(sent.contentType()));
    assertThat(d.cacheControl()).isEqualTo(sent.cacheControl());
    assertThat(d.contentDisposition()).isEqualTo(sent.contentDisposition());
    assertThat(d.contentEncoding()).isEqualTo(sent.contentEncoding());
    assertThat(d.metadata()).containsAllEntriesOf(sent.metadata());
    assertThat(mediaType(head.contentType())).isEqualTo(mediaType(sent.contentType()));
    assertThat(head.cacheControl()).isEqualTo(sent.cacheControl());
    assertThat(head.contentDisposition()).isEqualTo(sent.contentDisposition());
    assertThat(head.contentEncoding()).isEqualTo(sent.contentEncoding());
    assertThat(head.metadata()).containsAllEntriesOf(sent.metadata());
  }

  /*
   * S3Proxy (Jetty) stores "text/html; charset=utf-8" as "text/html;charset=utf-8"; S3 keeps the
   * value as sent. The same media type either way.
   */
  static String mediaType(String contentType) {
    return contentType == null ? null : contentType.replace("; ", ";");
  }

  HeadObjectResponse sdkHead(String bucket, String key) {
    return sdk.headObject(b -> b.bucket(bucket).key(key));
  }

  @ParityTest
  void put_bytesWithOptions_singlePut_describeAndSdkReadThemBack(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] body = "<p>hello</p>".getBytes(java.nio.charset.StandardCharsets.UTF_8);

    PutResult put =
        p.call(
            c -> c.put(bucket, "page.html", body, OPTIONS, null),
            a -> a.put(bucket, "page.html", body, OPTIONS, null));

    assertThat(put.parts()).isZero();
    ObjectDetails d = describe(p, bucket, "page.html");
    assertStored(d, sdkHead(bucket, "page.html"), OPTIONS);
    assertThat(d.metadata()).containsOnlyKeys("owner", "note");
    byte[] got = p.call(c -> c.get(bucket, "page.html"), a -> a.get(bucket, "page.html"));
    assertThat(got).isEqualTo(body);
  }

  @ParityTest
  void put_fileWithOptions_multipart_optionsOnTheObject_partSizeKept(
      Parity<BlobClient, AsyncBlobClient> p, @TempDir Path dir) throws Exception {
    String bucket = bucket(p);
    byte[] content = bytes(6 * MIB + 5, 31);
    Path file = Files.write(dir.resolve("big.bin"), content);
    java.util.List<Long> seen = new java.util.concurrent.CopyOnWriteArrayList<>();

    PutResult put =
        p.call(
            c -> c.put(bucket, "big.bin", file, OPTIONS, e -> seen.add(e.loaded())),
            a ->
                a.put(
                    bucket,
                    "big.bin",
                    file,
                    OPTIONS,
                    e -> {
                      seen.add(e.loaded());
                      return null;
                    }));

    assertThat(put.parts()).isEqualTo(2);
    assertThat(seen).last().isEqualTo((long) content.length);
    ObjectDetails d = describe(p, bucket, "big.bin");
    assertStored(d, sdkHead(bucket, "big.bin"), OPTIONS);
    assertThat(d.metadata()).containsEntry("ambidex-part-size", Integer.toString(5 * MIB));
    Path back = dir.resolve("back.bin");
    p.call(
        c -> c.download(bucket, "big.bin", back, null),
        a -> a.download(bucket, "big.bin", back, null));
    Fixtures.assertSameBytes(Files.readAllBytes(back), content);
  }

  @ParityTest
  void put_streamWithOptions_singleAndMultipart_optionsOnTheObject(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] small = bytes(1000, 32);
    byte[] large = bytes(6 * MIB, 33);
    PutOptions json = PutOptions.defaults().withContentType("application/json").withMetadata("n", "1");

    PutResult one =
        p.call(
            c -> c.put(bucket, "small.json", new ByteArrayInputStream(small), json, null),
            a -> a.put(bucket, "small.json", new ByteArrayInputStream(small), json, null));
    PutResult parts =
        p.call(
            c -> c.put(bucket, "large.json", new ByteArrayInputStream(large), json, null),
            a -> a.put(bucket, "large.json", new ByteArrayInputStream(large), json, null));

    assertThat(one.parts()).isZero();
    assertThat(parts.parts()).isEqualTo(2);
    assertStored(describe(p, bucket, "small.json"), sdkHead(bucket, "small.json"), json);
    assertStored(describe(p, bucket, "large.json"), sdkHead(bucket, "large.json"), json);
  }

  @ParityTest
  void put_withoutOptions_sendsNone_theServerDefaultApplies(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    p.call(c -> c.put(bucket, "plain", new byte[] {1}), a -> a.put(bucket, "plain", new byte[] {1}));
    p.call(
        c -> c.put(bucket, "defaults", new byte[] {1}, PutOptions.defaults(), null),
        a -> a.put(bucket, "defaults", new byte[] {1}, PutOptions.defaults(), null));

    ObjectDetails plain = describe(p, bucket, "plain");
    ObjectDetails defaults = describe(p, bucket, "defaults");
    assertThat(defaults.contentType()).isEqualTo(plain.contentType()).isNotEqualTo("text/html");
    assertThat(defaults.cacheControl()).isNull();
    assertThat(defaults.contentDisposition()).isNull();
    assertThat(defaults.contentEncoding()).isNull();
    assertThat(defaults.metadata()).isEmpty();
  }

  @ParityTest
  void put_gzipEncoding_bytesStoredAndReadAsSent(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    ByteArrayOutputStream zipped = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(zipped)) {
      gz.write("compressed text ".repeat(100).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    byte[] body = zipped.toByteArray();
    PutOptions gzip = PutOptions.defaults().withContentType("text/plain").withContentEncoding("gzip");

    p.call(c -> c.put(bucket, "a.txt", body, gzip, null), a -> a.put(bucket, "a.txt", body, gzip, null));

    assertThat(describe(p, bucket, "a.txt").contentEncoding()).isEqualTo("gzip");
    byte[] got = p.call(c -> c.get(bucket, "a.txt"), a -> a.get(bucket, "a.txt"));
    assertThat(got).isEqualTo(body);
  }

  @ParityTest
  void copy_withoutOptions_keepsTheSourceHeadersAndMetadata(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    p.call(
        c -> c.put(bucket, "src.html", new byte[] {1, 2}, OPTIONS, null),
        a -> a.put(bucket, "src.html", new byte[] {1, 2}, OPTIONS, null));

    p.call(
        c -> c.copy(bucket, "src.html", bucket, "dst.html"),
        a -> a.copy(bucket, "src.html", bucket, "dst.html"));

    assertStored(describe(p, bucket, "dst.html"), sdkHead(bucket, "dst.html"), OPTIONS);
  }

  @ParityTest
  void copy_withOptions_replacesHeadersAndMetadata_keepsThePartSize(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    byte[] content = bytes(6 * MIB, 34);
    p.call(
        c -> c.put(bucket, "src.bin", content, OPTIONS, null),
        a -> a.put(bucket, "src.bin", content, OPTIONS, null));
    PutOptions replaced =
        PutOptions.defaults().withContentType("application/pdf").withMetadata("stage", "final");

    p.call(
        c -> c.copy(bucket, "src.bin", bucket, "dst.bin", replaced),
        a -> a.copy(bucket, "src.bin", bucket, "dst.bin", replaced));

    ObjectDetails d = describe(p, bucket, "dst.bin");
    assertStored(d, sdkHead(bucket, "dst.bin"), replaced);
    assertThat(d.metadata())
        .containsOnly(
            Map.entry("stage", "final"),
            Map.entry("ambidex-part-size", Integer.toString(5 * MIB)));
    Fixtures.assertSameBytes(
        p.call(c -> c.get(bucket, "dst.bin"), a -> a.get(bucket, "dst.bin")), content);
    assertStored(describe(p, bucket, "src.bin"), sdkHead(bucket, "src.bin"), OPTIONS);
  }

  @ParityTest
  void copy_withDefaults_clearsWhatTheSourceHad(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    p.call(
        c -> c.put(bucket, "src", new byte[] {1}, OPTIONS, null),
        a -> a.put(bucket, "src", new byte[] {1}, OPTIONS, null));

    p.call(
        c -> c.copy(bucket, "src", bucket, "dst", PutOptions.defaults()),
        a -> a.copy(bucket, "src", bucket, "dst", PutOptions.defaults()));

    ObjectDetails d = describe(p, bucket, "dst");
    assertThat(d.metadata()).isEmpty();
    assertThat(d.cacheControl()).isNull();
    assertThat(d.contentDisposition()).isNull();
    assertThat(d.contentType()).isNotEqualTo(OPTIONS.contentType());
  }

  @ParityTest
  void copy_withOptions_ofAMissingSource_failsWithNoSuchKey(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = bucket(p);
    assertThatThrownBy(
            () ->
                p.call(
                    c -> c.copy(bucket, "missing", bucket, "dst", OPTIONS),
                    a -> a.copy(bucket, "missing", bucket, "dst", OPTIONS)))
        .isInstanceOf(NoSuchKeyException.class);
  }

  /*
   * PutOptions allows tabs inside header values; SigV4 signs them collapsed to one space, and
   * S3Proxy checks the signature that way: a signer that collapsed only spaces was refused with
   * SignatureDoesNotMatch (403).
   */
  @ParityTest
  void put_tabsInHeaderValues_singleAndMultipart_signedAndStored(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = bucket(p);
    PutOptions tabs =
        PutOptions.defaults()
            .withCacheControl("no-cache,\tprivate")
            .withContentDisposition("attachment;\t \tfilename=\"a  b.txt\"");
    byte[] small = bytes(100, 34);
    byte[] large = bytes(6 * MIB, 35);

    p.call(
        c -> c.put(bucket, "small", small, tabs, null),
        a -> a.put(bucket, "small", small, tabs, null));
    PutResult parts =
        p.call(
            c -> c.put(bucket, "large", new ByteArrayInputStream(large), tabs, null),
            a -> a.put(bucket, "large", new ByteArrayInputStream(large), tabs, null));

    assertThat(parts.parts()).isEqualTo(2);
    for (String key : new String[] {"small", "large"}) {
      ObjectDetails d = describe(p, bucket, key);
      assertThat(d.cacheControl()).isEqualTo(tabs.cacheControl());
      assertThat(d.contentDisposition()).isEqualTo(tabs.contentDisposition());
    }
    byte[] got = p.call(c -> c.get(bucket, "small"), a -> a.get(bucket, "small"));
    assertThat(got).isEqualTo(small);
  }
}
