package io.ambidex.s3embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class EmbeddedS3Test {
  @Test
  void start_listensOnLoopback_andRejectsUnsignedRequests(@TempDir Path dir) throws Exception {
    try (EmbeddedS3 s3 = EmbeddedS3.start(dir.resolve("data"))) {
      URI endpoint = s3.endpoint();
      assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
      assertThat(endpoint.getPort()).isPositive();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpResponse<String> response =
          http.send(HttpRequest.newBuilder(endpoint.resolve("/")).GET().build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).isEqualTo(403);
    }
  }

  @Test
  void port_restartedOnTheSamePortAndDirectory_servesAgain(@TempDir Path dir) throws Exception {
    int port;
    try (java.net.ServerSocket probe =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    for (int run = 0; run < 2; run++) {
      try (EmbeddedS3 s3 = EmbeddedS3.builder().dataDirectory(dir).port(port).start()) {
        assertThat(s3.endpoint()).isEqualTo(URI.create("http://127.0.0.1:" + port));
        HttpResponse<String> response =
            http.send(HttpRequest.newBuilder(s3.endpoint().resolve("/")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(403);
      }
    }
    assertThatThrownBy(() -> EmbeddedS3.builder().port(65536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be 0 to 65535, but was 65536");
  }

  @Test
  void port_inUse_isRefusedSayingSo() throws Exception {
    try (java.net.ServerSocket taken =
        new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThatThrownBy(() -> EmbeddedS3.builder().port(port).start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("cannot listen on 127.0.0.1:" + port)
          .hasMessageContaining("the port is in use")
          .hasMessageContaining("port 0 for a free one");
    }
  }

  @Test
  void dataDirectory_underAFile_isRefusedSayingWhy(@TempDir Path dir) throws Exception {
    Path file = java.nio.file.Files.writeString(dir.resolve("notes.txt"), "a file");
    assertThatThrownBy(() -> EmbeddedS3.start(file))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining(file + " exists and is not a directory; choose another path");
    assertThatThrownBy(() -> EmbeddedS3.start(file.resolve("data")))
        .isInstanceOf(java.io.UncheckedIOException.class)
        .hasMessageContaining(file + " exists and is not a directory");
  }

  @Test
  void tls_servesHttpsWithTheGivenCertificate() throws Exception {
    HeldCertificate ca = new HeldCertificate.Builder().certificateAuthority(0).build();
    HeldCertificate server =
        new HeldCertificate.Builder().signedBy(ca).addSubjectAlternativeName("127.0.0.1").build();
    SSLContext serverContext =
        new HandshakeCertificates.Builder().heldCertificate(server, ca.certificate()).build().sslContext();
    SSLContext trusting =
        new HandshakeCertificates.Builder().addTrustedCertificate(ca.certificate()).build().sslContext();
    try (EmbeddedS3 s3 = EmbeddedS3.builder().tls(serverContext).start()) {
      URI endpoint = s3.endpoint();
      assertThat(endpoint.getScheme()).isEqualTo("https");
      assertThat(endpoint.getHost()).isEqualTo("127.0.0.1");
      HttpRequest unsigned = HttpRequest.newBuilder(endpoint.resolve("/")).GET().build();

      HttpClient trustingClient =
          HttpClient.newBuilder().sslContext(trusting).connectTimeout(Duration.ofSeconds(5)).build();
      assertThat(trustingClient.send(unsigned, HttpResponse.BodyHandlers.ofString()).statusCode())
          .isEqualTo(403);
      HttpClient defaultTrust = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      assertThatThrownBy(() -> defaultTrust.send(unsigned, HttpResponse.BodyHandlers.ofString()))
          .isInstanceOf(SSLHandshakeException.class);
    }
  }

  @Test
  void virtualHost_namesTheDomainInTheEndpoint_andChecksIt() {
    try (EmbeddedS3 s3 = EmbeddedS3.builder().virtualHost("s3.localhost").start()) {
      assertThat(s3.endpoint().toString()).matches("http://s3\\.localhost:[0-9]+");
    }
    for (String bad : new String[] {"", "S3.Localhost", "127.0.0.1", "-a.localhost", "a..b"}) {
      assertThatThrownBy(() -> EmbeddedS3.builder().virtualHost(bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("virtualHost must be a lower-case host name");
    }
  }
}
