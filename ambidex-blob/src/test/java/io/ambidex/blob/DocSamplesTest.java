package io.ambidex.blob;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The samples of docs/blob.md, compiled and run against the embedded store. */
class DocSamplesTest {
  @Test
  void blockingAndAsyncSamples_run(@TempDir Path dir) throws Exception {
    try (EmbeddedS3 s3 = EmbeddedS3.start(null)) {
      BlobConfig config = BlobConfig.builder()
          .endpoint(s3.endpoint())
          .credentials(Credentials.of(s3.accessKey(), s3.secretKey()))
          .build();
      Path photo = Files.write(dir.resolve("cat.jpg"), Fixtures.bytes(20_000, 1));
      Path copy = dir.resolve("copy.jpg");
      List<String> lines = new ArrayList<>();

      try (BlobClient blobs = new BlobClient(config)) {
        blobs.createBucket("photos");
        PutResult put = blobs.put("photos", "2024/cat.jpg", photo, p ->
            lines.add(p.loaded() + " of " + p.total() + " bytes"));
        blobs.download("photos", "2024/cat.jpg", copy, null);
        try (Stream<BlobObject> objects = blobs.list("photos", "2024/")) {
          objects.forEach(o -> lines.add(o.key() + " " + o.size()));
        }
        assertThat(put.size()).isEqualTo(20_000);
      }
      assertThat(Files.readAllBytes(copy)).isEqualTo(Files.readAllBytes(photo));
      assertThat(lines).endsWith("20000 of 20000 bytes", "2024/cat.jpg 20000");

      AsyncBlobClient blobs = new AsyncBlobClient(config);
      CompletableFuture<String> text =
          blobs.put("photos", "hello.txt", "hello".getBytes(UTF_8))
              .thenCompose(stored -> blobs.get("photos", "hello.txt"))
              .thenApply(bytes -> new String(bytes, UTF_8));
      assertThat(text.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
      blobs.close().get(10, TimeUnit.SECONDS);

      try (BlobClient client = new BlobClient(config)) {
        assertThat(sizeOrMinusOne(client, "photos", "missing.jpg")).isEqualTo(-1);
        assertThat(sizeOrMinusOne(client, "photos", "2024/cat.jpg")).isEqualTo(20_000);
      }
    }
  }

  @Test
  void profileSample_readsTheNamedProfile_orSaysWhereItLooked() throws Exception {
    String env = System.getenv("AWS_CONFIG_FILE");
    Path file = env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".aws", "config");
    org.junit.jupiter.api.Assumptions.assumeFalse(
        Files.exists(file) && Files.readString(file).contains("minio"),
        "this machine's AWS config may define the profile 'minio'");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> {
              BlobConfig config = BlobConfig.builder().profile(AwsProfile.load("minio")).build();
            })
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("The AWS profile 'minio' is not defined in " + file);
  }

  @Test
  void putOptionsSample_storesWhatItSays() throws Exception {
    try (EmbeddedS3 s3 = EmbeddedS3.start(null);
        BlobClient blobs = new BlobClient(BlobConfig.builder()
            .endpoint(s3.endpoint())
            .credentials(Credentials.of(s3.accessKey(), s3.secretKey()))
            .build())) {
      blobs.createBucket("site");
      byte[] html = "<p>hi</p>".getBytes(UTF_8);

      PutOptions page = PutOptions.defaults()
          .withContentType("text/html; charset=utf-8")
          .withCacheControl("max-age=300")
          .withMetadata("owner", "web-team");
      blobs.put("site", "index.html", html, page, null);
      ObjectDetails stored = blobs.describe("site", "index.html");
      blobs.copy("site", "index.html", "site", "archive/index.html",
          page.withContentDisposition("attachment; filename=\"index.html\""));

      assertThat(stored.cacheControl()).isEqualTo("max-age=300");
      assertThat(stored.metadata()).containsEntry("owner", "web-team");
      assertThat(blobs.describe("site", "archive/index.html").contentDisposition())
          .isEqualTo("attachment; filename=\"index.html\"");
    }
  }

  @Test
  void probeSample_uploadsWithTheChecksumTheServiceChecks(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("report.csv"), "a,b\n1,2\n");
    try (EmbeddedS3 s3 = EmbeddedS3.start(null);
        BlobClient blobs = new BlobClient(BlobConfig.builder()
            .endpoint(s3.endpoint())
            .credentials(Credentials.of(s3.accessKey(), s3.secretKey()))
            .build())) {
      blobs.createBucket("data");

      boolean checks = blobs.probeChecksum("data", "uploads/.probe-1f3a", ChecksumAlgorithm.CRC32C);
      PutOptions options = checks ? PutOptions.defaults().withChecksum(ChecksumAlgorithm.CRC32C)
                                  : PutOptions.defaults();
      blobs.put("data", "uploads/report.csv", file, options, null);

      assertThat(checks).isTrue(); // S3Proxy checks
      assertThat(blobs.describe("data", "uploads/report.csv").checksums()).containsKey("crc32c");
    }
  }

  @Test
  void addressingSample_buildsTheConfigurationItDescribes() throws Exception {
    int port = 9443;
    String accessKeyId = "ASIAEXAMPLE";
    String secretAccessKey = "secret";
    String sessionToken = "token";
    javax.net.ssl.SSLContext privateCa = TlsTest.trustingTheCa();

    BlobConfig config = BlobConfig.builder()
        .endpoint("https://s3.storage.internal:" + port)
        .region("eu-west-1")
        .credentials(new Credentials(accessKeyId, secretAccessKey, sessionToken))
        .sslContext(privateCa)
        .pathStyle(false)
        .build();

    assertThat(config.endpoint().toString()).isEqualTo("https://s3.storage.internal:9443");
    assertThat(config.region()).isEqualTo("eu-west-1");
    assertThat(config.credentials().sessionToken()).isEqualTo("token");
    assertThat(config.sslContext()).isSameAs(privateCa);
    assertThat(config.pathStyle()).isFalse();
  }

  static long sizeOrMinusOne(BlobClient blobs, String bucket, String key) {
    try {
      return blobs.head(bucket, key).size();
    } catch (NoSuchKeyException e) {
      return -1;
    }
  }
}
