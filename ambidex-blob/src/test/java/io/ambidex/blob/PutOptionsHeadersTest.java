package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The requests {@link PutOptions} make, recorded on a scripted server: the headers on the single
 * PUT and on {@code CreateMultipartUpload} (not on the parts), inside the signature; {@code
 * REPLACE} on a copy only when options are given; nothing sent for a null argument.
 */
@Timeout(60)
class PutOptionsHeadersTest {
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS = MockS3.clients();

  static final PutOptions OPTIONS =
      PutOptions.defaults()
          .withContentType("text/html")
          .withCacheControl("no-cache")
          .withContentDisposition("inline")
          .withContentEncoding("gzip")
          .withMetadata("Owner", "ops");

  static final List<String> OBJECT_HEADERS =
      List.of(
          "content-type", "cache-control", "content-disposition", "content-encoding", "x-amz-meta-owner");

  static void assertCarriesTheOptions(RecordedRequest r) {
    assertThat(r.getHeaders().get("Content-Type")).isEqualTo("text/html");
    assertThat(r.getHeaders().get("Cache-Control")).isEqualTo("no-cache");
    assertThat(r.getHeaders().get("Content-Disposition")).isEqualTo("inline");
    assertThat(r.getHeaders().get("Content-Encoding")).isEqualTo("gzip");
    assertThat(r.getHeaders().get("x-amz-meta-owner")).isEqualTo("ops");
    assertThat(signedHeaders(r)).containsAll(OBJECT_HEADERS);
  }

  static List<String> signedHeaders(RecordedRequest r) {
    String auth = r.getHeaders().get("Authorization");
    assertThat(auth).contains("SignedHeaders=");
    String signed = auth.substring(auth.indexOf("SignedHeaders=") + "SignedHeaders=".length());
    return List.of(signed.substring(0, signed.indexOf(',')).split(";"));
  }

  @ParityTest
  void put_single_sendsTheOptionsOnThePut_signed(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    s3.handler = FaultTest.multipart(r -> null);
    Path file = Files.write(dir.resolve("f.html"), new byte[] {1, 2, 3});

    p.call(c -> c.put("bkt", "b", new byte[] {1}, OPTIONS, null), a -> a.put("bkt", "b", new byte[] {1}, OPTIONS, null));
    p.call(c -> c.put("bkt", "f", file, OPTIONS, null), a -> a.put("bkt", "f", file, OPTIONS, null));
    p.call(
        c -> c.put("bkt", "s", new ByteArrayInputStream(new byte[] {1}), OPTIONS, null),
        a -> a.put("bkt", "s", new ByteArrayInputStream(new byte[] {1}), OPTIONS, null));

    List<RecordedRequest> puts = s3.matching("PUT", "/bkt/");
    assertThat(puts).hasSize(3);
    puts.forEach(PutOptionsHeadersTest::assertCarriesTheOptions);
  }

  @ParityTest
  void put_multipart_sendsTheOptionsOnTheCreate_notOnTheParts(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    s3.handler = FaultTest.multipart(r -> null);
    byte[] data = bytes(16 * MIB + 1, 41);

    p.call(c -> c.put("bkt", "big", data, OPTIONS, null), a -> a.put("bkt", "big", data, OPTIONS, null));

    RecordedRequest create = s3.matching("POST", "?uploads").get(0);
    assertCarriesTheOptions(create);
    assertThat(create.getHeaders().get("x-amz-meta-ambidex-part-size")).isEqualTo(Integer.toString(5 * MIB));
    List<RecordedRequest> parts = s3.matching("PUT", "uploadId=");
    assertThat(parts).hasSize(4);
    for (RecordedRequest part : parts) {
      for (String h : OBJECT_HEADERS) {
        assertThat(part.getHeaders().get(h)).as(h).isNull();
      }
    }
    RecordedRequest complete = s3.matching("POST", "?uploadId=").get(0);
    assertThat(complete.getHeaders().get("x-amz-meta-owner")).isNull();
  }

  @ParityTest
  void copy_withOptions_sendsReplace_andTheSourcePartSize(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    s3.handler =
        r ->
            r.getMethod().equals("HEAD")
                ? new MockResponse.Builder()
                    .code(200)
                    .addHeader("ETag", "\"0123456789abcdef0123456789abcdef-2\"")
                    .addHeader("x-amz-meta-ambidex-part-size", "5242880")
                    .build()
                : new MockResponse.Builder()
                    .code(200)
                    .body("<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>")
                    .build();

    String etag =
        p.call(
            c -> c.copy("bkt", "src", "bkt", "dst", OPTIONS),
            a -> a.copy("bkt", "src", "bkt", "dst", OPTIONS));

    assertThat(etag).isEqualTo("e");
    assertThat(s3.matching("HEAD", "/bkt/src")).hasSize(1);
    RecordedRequest copy = s3.matching("PUT", "/bkt/dst").get(0);
    assertThat(copy.getHeaders().get("x-amz-copy-source")).isEqualTo("/bkt/src");
    assertThat(copy.getHeaders().get("x-amz-metadata-directive")).isEqualTo("REPLACE");
    assertThat(copy.getHeaders().get("x-amz-meta-ambidex-part-size")).isEqualTo("5242880");
    assertCarriesTheOptions(copy);
    assertThat(signedHeaders(copy)).contains("x-amz-metadata-directive");
  }

  @ParityTest
  void copy_withoutOptions_sendsNoDirective_andNoHead(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    s3.handler =
        r ->
            new MockResponse.Builder()
                .code(200)
                .body("<CopyObjectResult><ETag>\"e\"</ETag></CopyObjectResult>")
                .build();

    p.call(c -> c.copy("bkt", "src", "bkt", "dst"), a -> a.copy("bkt", "src", "bkt", "dst"));

    assertThat(s3.requests).hasSize(1);
    RecordedRequest copy = s3.requests.get(0);
    assertThat(copy.getHeaders().get("x-amz-metadata-directive")).isNull();
    assertThat(copy.getHeaders().get("Content-Type")).isNull();
  }

  @ParityTest
  void nullOptions_areRejectedAtTheCall_andNothingIsSent(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    Path file = Files.write(dir.resolve("f"), new byte[] {1});
    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "k", new byte[1], null, null), a -> a.put("bkt", "k", new byte[1], null, null)))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("options");
    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "k", file, null, null), a -> a.put("bkt", "k", file, null, null)))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("options");
    assertThatThrownBy(
            () ->
                p.call(
                    c -> c.put("bkt", "k", new ByteArrayInputStream(new byte[1]), null, null),
                    a -> a.put("bkt", "k", new ByteArrayInputStream(new byte[1]), null, null)))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("options");
    assertThatThrownBy(() -> p.call(c -> c.copy("bkt", "a", "bkt", "b", null), a -> a.copy("bkt", "a", "bkt", "b", null)))
        .isInstanceOf(NullPointerException.class).hasMessageContaining("options");
    assertThatThrownBy(
            () ->
                p.call(
                    c -> c.put("Bad_Bucket", "k", new byte[1], OPTIONS, null),
                    a -> a.put("Bad_Bucket", "k", new byte[1], OPTIONS, null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid bucket name");
    // Every PutOptions rule throws while the options are built: no client call, no request.
    assertThatThrownBy(() -> p.call(c -> c.put("bkt", "k", new byte[1], OPTIONS.withMetadata("bad name", "v"), null),
            a -> a.put("bkt", "k", new byte[1], OPTIONS.withMetadata("bad name", "v"), null)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("HTTP token");

    assertThat(s3.requests).as("nothing was sent").isEmpty();
  }
}
