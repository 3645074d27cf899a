package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.CallerStackTrace;
import io.ambidex.http.error.TlsException;
import io.ambidex.s3embedded.EmbeddedS3;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The blob clients over HTTPS against S3Proxy embedded with a certificate from a private CA,
 * which only {@link BlobConfig.Builder#sslContext} makes trusted: round trips through both
 * clients, virtual hosts under a wildcard certificate, and the typed, unretried error when the
 * CA is not trusted.
 */
@Timeout(120)
class TlsTest {
  static final HeldCertificate CA =
      new HeldCertificate.Builder().certificateAuthority(0).commonName("ambidex private CA").build();

  static final HeldCertificate SERVER =
      new HeldCertificate.Builder()
          .signedBy(CA)
          .commonName("s3.localhost")
          .addSubjectAlternativeName("s3.localhost")
          .addSubjectAlternativeName("*.s3.localhost")
          .build();

  static EmbeddedS3 s3;

  @BeforeAll
  static void start() {
    SSLContext server =
        new HandshakeCertificates.Builder().heldCertificate(SERVER, CA.certificate()).build().sslContext();
    s3 = EmbeddedS3.builder().tls(server).virtualHost("s3.localhost").start();
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  static SSLContext trustingTheCa() {
    return new HandshakeCertificates.Builder().addTrustedCertificate(CA.certificate()).build().sslContext();
  }

  static BlobConfig.Builder config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey());
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("https, private CA", () -> new BlobClient(config().sslContext(trustingTheCa()).build()))
          .async("https, private CA", () -> new AsyncBlobClient(config().sslContext(trustingTheCa()).build()))
          .build();

  @ParityTest
  void roundTrip_overHttps_withThePrivateCaTrusted(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    assertThat(s3.endpoint().getScheme()).isEqualTo("https");
    String bucket = Fixtures.bucket();
    byte[] small = "secret".getBytes(UTF_8);
    byte[] large = bytes(11 * MIB, 51);

    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    p.call(c -> c.put(bucket, "small", small), a -> a.put(bucket, "small", small));
    assertThat(p.call(c -> c.put(bucket, "large", large), a -> a.put(bucket, "large", large)).parts())
        .isEqualTo(3);
    assertThat(p.call(c -> c.get(bucket, "small")).async(a -> a.get(bucket, "small"))).isEqualTo(small);
    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "large")).async(a -> a.get(bucket, "large")), large);
    assertThat(p.items(c -> c.list(bucket, null), a -> a.list(bucket, null)))
        .extracting(BlobObject::key)
        .containsExactly("large", "small");
    p.run(c -> c.delete(bucket, "small"), a -> a.delete(bucket, "small"));
    p.run(c -> c.delete(bucket, "large"), a -> a.delete(bucket, "large"));
    p.run(c -> c.deleteBucket(bucket), a -> a.deleteBucket(bucket));
  }

  @ParityTest
  void virtualHost_overHttps_wildcardCertificate_dottedBucketFallsBackToPathStyle(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    BlobConfig virtualHost = config().sslContext(trustingTheCa()).pathStyle(false).build();
    String plain = Fixtures.bucket();
    // *.s3.localhost does not cover d.<hex>.s3.localhost: only path style can reach this bucket.
    String dotted = "d." + Fixtures.bucket();
    byte[] data = "wildcard".getBytes(UTF_8);
    try (SideClient c = SideClient.open(p, virtualHost)) {
      for (String bucket : List.of(plain, dotted)) {
        c.run(b -> b.createBucket(bucket), a -> a.createBucket(bucket));
        c.call(b -> b.put(bucket, "k", data), a -> a.put(bucket, "k", data));
        assertThat(c.<byte[]>call(b -> b.get(bucket, "k"), a -> a.get(bucket, "k"))).isEqualTo(data);
        c.run(b -> b.delete(bucket, "k"), a -> a.delete(bucket, "k"));
        c.run(b -> b.deleteBucket(bucket), a -> a.deleteBucket(bucket));
      }
    }
    assertThat(LocalhostResolverProvider.answered()).contains(plain + ".s3.localhost");
  }

  @ParityTest
  void untrustedCertificate_failsWithTlsException_causeKept_notRetried(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    BlobConfig defaultTrust = config().build(); // the JVM's trust store: the private CA is unknown
    try (SideClient c = SideClient.open(p, defaultTrust)) {
      assertThatThrownBy(() -> c.call(b -> b.get("any", "k"), a -> a.get("any", "k")))
          .isInstanceOf(TlsException.class)
          .hasMessageContaining("TLS handshake with s3.localhost:" + s3.endpoint().getPort())
          .hasMessageContaining("check the server's certificate, the trust store")
          .satisfies(
              e -> assertThat(Arrays.stream(e.getSuppressed()))
                  .as("failures of earlier attempts (none: a TLS failure is not retried)")
                  .allMatch(s -> s instanceof CallerStackTrace))
          .cause()
          .isInstanceOf(SSLException.class);
    }
  }

  @Test
  void sslContext_null_isRejected() {
    assertThatThrownBy(() -> BlobConfig.builder().sslContext(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("sslContext");
    assertThat(config().build().sslContext()).isNull();
  }
}
