package io.ambidex.blob;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.internal.SigV4;
import io.ambidex.s3embedded.EmbeddedS3;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.net.URI;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code describe} and {@code presign} through both facades against S3Proxy, which checks SigV4
 * signatures in headers and in query strings; and the presigning against AWS's published example.
 */
@Timeout(60)
class DescribePresignTest {
  static EmbeddedS3 s3;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build();
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("S3Proxy", () -> new BlobClient(config()))
          .async("S3Proxy", () -> new AsyncBlobClient(config()))
          .build();

  private static final String ODD_KEY = "dir with space/ünï+100%/a&b=c?.txt";

  @ParityTest
  void describe_returnsHeadDetails(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = Fixtures.bucket();
    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    byte[] data = "hello details".getBytes(UTF_8);
    PutResult put = p.call(c -> c.put(bucket, ODD_KEY, data), a -> a.put(bucket, ODD_KEY, data));

    ObjectDetails d = p.call(c -> c.describe(bucket, ODD_KEY), a -> a.describe(bucket, ODD_KEY));

    assertThat(d.key()).isEqualTo(ODD_KEY);
    assertThat(d.size()).isEqualTo(data.length);
    assertThat(d.etag()).isEqualTo(put.etag());
    assertThat(d.lastModified()).isNotNull();
    assertThat(d.contentType()).isNotBlank();
    assertThat(d.object()).isEqualTo(p.call(c -> c.head(bucket, ODD_KEY), a -> a.head(bucket, ODD_KEY)));
    assertThatThrownBy(() -> p.call(c -> c.describe(bucket, "missing"), a -> a.describe(bucket, "missing")))
        .isInstanceOf(NoSuchKeyException.class);
  }

  @ParityTest
  void presign_getAndPutWork_tamperedFails(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = Fixtures.bucket();
    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));

    URI put = p.call(
        c -> c.presign("PUT", bucket, ODD_KEY, Duration.ofMinutes(5)),
        a -> java.util.concurrent.CompletableFuture.completedFuture(
            a.presign("PUT", bucket, ODD_KEY, Duration.ofMinutes(5))));
    assertThat(send("PUT", put, "presigned body")).startsWith("200 ");

    URI get = p.call(
        c -> c.presign("GET", bucket, ODD_KEY, Duration.ofMinutes(5)),
        a -> java.util.concurrent.CompletableFuture.completedFuture(
            a.presign("GET", bucket, ODD_KEY, Duration.ofMinutes(5))));
    assertThat(get.getRawQuery()).contains("X-Amz-Expires=300").contains("X-Amz-Signature=");
    assertThat(send("GET", get, null)).isEqualTo("200 presigned body");

    URI tampered = URI.create(get.toString().replace("X-Amz-Expires=300", "X-Amz-Expires=301"));
    assertThat(send("GET", tampered, null)).startsWith("403 ");
  }

  /* Sends a request with no credentials of its own; returns "status body". */
  private static String send(String method, URI uri, String body) throws IOException {
    HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
    try {
      c.setRequestMethod(method);
      if (body != null) {
        c.setDoOutput(true);
        c.getOutputStream().write(body.getBytes(UTF_8));
      }
      int status = c.getResponseCode();
      try (InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream()) {
        return status + " " + (in == null ? "" : new String(in.readAllBytes(), UTF_8));
      }
    } finally {
      c.disconnect();
    }
  }

  @Test
  void presign_rejectsBadArguments() {
    try (BlobClient c = new BlobClient(config())) {
      assertThatThrownBy(() -> c.presign("POST", "bucket", "k", Duration.ofMinutes(1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'POST'");
      assertThatThrownBy(() -> c.presign("GET", "bucket", "k", Duration.ofDays(8)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("7 days");
      assertThatThrownBy(() -> c.presign("GET", "bucket", "k", Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> c.presign("GET", "Bad_Bucket", "k", Duration.ofMinutes(1)))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("Invalid bucket name");
    }
  }

  /** The example of AWS's "Authenticating Requests: Using Query Parameters (AWS Signature V4)". */
  @Test
  void presign_matchesAwsPublishedExample() {
    URI signed = SigV4.presign(
        "GET",
        URI.create("https://examplebucket.s3.amazonaws.com/test.txt"),
        Credentials.of("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        "us-east-1",
        "s3",
        Instant.parse("2013-05-24T00:00:00Z"),
        86400);
    assertThat(signed.getRawQuery())
        .endsWith("X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
        .contains("X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request");
  }
}
