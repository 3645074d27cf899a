package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Temporary credentials: with a session token every request carries {@code x-amz-security-token},
 * listed in the signed headers (so a server that checks signatures, S3Proxy, verifies it with
 * the rest); moto accepts it; the token is read from {@code AWS_SESSION_TOKEN} — checked through
 * the package-private {@code fromEnvironment(Map)} and, end to end, in a child JVM whose real
 * environment holds the variables (the test's own environment is never changed).
 */
@Timeout(120)
class SessionTokenTest {
  static final String TOKEN = "FwoGZXIvYXdzEXAMPLE//token+with/slashes==";
  static final String KEY = "ambidex";
  static final String SECRET = "ambidex-local-secret";
  static MotoServer moto;
  static S3Proxy s3proxy;
  static URI s3proxyEndpoint;

  /*
   * S3Proxy answers 501 NotImplemented to headers it does not know, x-amz-security-token among
   * them, unless told to ignore them; it still verifies the signature over every signed header,
   * the token included. EmbeddedS3 keeps its strict default, so S3Proxy is built here.
   */
  @BeforeAll
  static void start() throws Exception {
    Properties properties = new Properties();
    properties.setProperty("jclouds.identity", KEY);
    properties.setProperty("jclouds.credential", SECRET);
    s3proxy =
        S3Proxy.builder()
            .blobStore(BlobStores.create("transient", properties))
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, KEY, SECRET)
            .ignoreUnknownHeaders(true)
            .build();
    s3proxy.start();
    await().atMost(Duration.ofSeconds(30)).until(() -> "STARTED".equals(s3proxy.getState()));
    s3proxyEndpoint = URI.create("http://127.0.0.1:" + s3proxy.getPort());
    moto = MotoServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    MotoServer.stop(moto);
    s3proxy.stop();
  }

  static BlobConfig withToken(MockS3 s3) {
    return Fixtures.config(s3.endpoint(), "x", "x")
        .credentials(new Credentials("ASIATEMPORARY", "secret", TOKEN))
        .build();
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("mockwebserver", MockS3::create, m -> new BlobClient(withToken(m)))
          .async("mockwebserver", MockS3::create, m -> new AsyncBlobClient(withToken(m)))
          .build();

  private static final Pattern SIGNED_HEADERS = Pattern.compile("SignedHeaders=([^,]+),");

  static List<String> signedHeaders(RecordedRequest r) {
    Matcher m = SIGNED_HEADERS.matcher(r.getHeaders().get("Authorization"));
    assertThat(m.find()).as("Authorization of %s", r.getTarget()).isTrue();
    return List.of(m.group(1).split(";"));
  }

  @ParityTest
  void everyRequest_carriesTheToken_inTheSignedHeaders(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = bytes(12 * MIB, 61); // a multipart upload: create, three parts, complete
    s3.handler =
        FaultTest.multipart(
            r -> r.getMethod().equals("GET")
                ? new MockResponse.Builder().code(200)
                    .body("<ListBucketResult><Name>bkt</Name><KeyCount>0</KeyCount>"
                        + "<IsTruncated>false</IsTruncated></ListBucketResult>")
                    .build()
                : null);

    p.call(c -> c.put("bkt", "big", data), a -> a.put("bkt", "big", data));
    p.items(c -> c.list("bkt", null), a -> a.list("bkt", null));

    assertThat(s3.requests).hasSizeGreaterThanOrEqualTo(6);
    assertThat(s3.requests).allSatisfy(r -> {
      assertThat(r.getHeaders().get("x-amz-security-token")).isEqualTo(TOKEN);
      assertThat(r.getHeaders().get("Authorization"))
          .startsWith("AWS4-HMAC-SHA256 Credential=ASIATEMPORARY/");
      assertThat(signedHeaders(r)).contains("host", "x-amz-date", "x-amz-security-token");
    });
  }

  @ParityTest
  void tokenCredentials_areAccepted_byS3Proxy_whichChecksTheSignature_andByMoto(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    byte[] data = "temporary".getBytes(UTF_8);
    BlobConfig proxy =
        Fixtures.config(s3proxyEndpoint, "x", "x")
            .credentials(new Credentials(KEY, SECRET, TOKEN))
            .build();
    BlobConfig motoConfig =
        Fixtures.config(moto.endpoint, "x", "x")
            .credentials(new Credentials("ASIATEMPORARY", "secret", TOKEN))
            .build();
    BlobConfig wrongSecret =
        Fixtures.config(s3proxyEndpoint, "x", "x")
            .credentials(new Credentials(KEY, "not-the-secret", TOKEN))
            .build();
    try (SideClient c = SideClient.open(p, wrongSecret)) {
      // The server does check signatures on this path: a wrong secret is refused.
      assertThatThrownBy(() -> c.run(b -> b.createBucket("refused"), a -> a.createBucket("refused")))
          .isInstanceOf(BlobAuthenticationException.class);
    }
    for (BlobConfig config : List.of(proxy, motoConfig)) {
      String bucket = Fixtures.bucket();
      try (SideClient c = SideClient.open(p, config)) {
        c.run(b -> b.createBucket(bucket), a -> a.createBucket(bucket));
        c.call(b -> b.put(bucket, "k", data), a -> a.put(bucket, "k", data));
        assertThat(c.<byte[]>call(b -> b.get(bucket, "k"), a -> a.get(bucket, "k"))).isEqualTo(data);
      }
    }
  }

  // ---- the environment ----

  @Test
  void fromEnvironment_readsTheSessionToken_andTreatsABlankOneAsUnset() {
    Map<String, String> env =
        Map.of("AWS_ACCESS_KEY_ID", "ASIAENV", "AWS_SECRET_ACCESS_KEY", "s", "AWS_SESSION_TOKEN", "tok");
    assertThat(Credentials.fromEnvironment(env)).isEqualTo(new Credentials("ASIAENV", "s", "tok"));
    for (String blank : List.of("", "  ")) {
      assertThat(
              Credentials.fromEnvironment(
                  Map.of("AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "s",
                      "AWS_SESSION_TOKEN", blank))
                  .sessionToken())
          .isNull();
      assertThatThrownBy(() -> new Credentials("a", "s", blank))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("sessionToken must be null");
    }
    assertThatThrownBy(() -> Credentials.fromEnvironment(Map.of("AWS_ACCESS_KEY_ID", "a")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("AWS_SECRET_ACCESS_KEY is not set");
  }

  @Test
  void buildWithoutCredentials_usesTheProcessEnvironment_tokenIncluded(@TempDir Path dir)
      throws Exception {
    try (MockS3 s3 = new MockS3()) {
      s3.handler = r -> new MockResponse.Builder().code(200).build();
      Path log = dir.resolve("child.log");
      String java = ProcessHandle.current().info().command().orElse("java");
      String classPath =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      ProcessBuilder pb =
          new ProcessBuilder(
                  List.of(java, "-cp", classPath, EnvCredentialsMain.class.getName(),
                      s3.endpoint().toString()))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().keySet().removeIf(k -> k.startsWith("AWS_"));
      pb.environment().put("AWS_ACCESS_KEY_ID", "ASIAFROMENV");
      pb.environment().put("AWS_SECRET_ACCESS_KEY", "env-secret");
      pb.environment().put("AWS_SESSION_TOKEN", TOKEN);
      Process child = pb.start();
      boolean finished;
      try {
        finished = child.waitFor(60, TimeUnit.SECONDS);
      } finally {
        child.destroyForcibly();
      }
      String output = Files.readString(log, UTF_8);
      assertThat(finished).as("the child JVM finished: " + output).isTrue();
      assertThat(child.exitValue()).as(output).isZero();
      assertThat(output).contains("OK").doesNotContain(TOKEN).doesNotContain("env-secret");

      assertThat(s3.requests)
          .extracting(RecordedRequest::getTarget)
          .containsExactly("/from-env-blocking", "/from-env-async");
      assertThat(s3.requests).allSatisfy(r -> {
        assertThat(r.getHeaders().get("x-amz-security-token")).isEqualTo(TOKEN);
        assertThat(r.getHeaders().get("Authorization")).contains("Credential=ASIAFROMENV/");
        assertThat(signedHeaders(r)).contains("x-amz-security-token");
      });
    }
  }
}
