package io.ambidex.blob;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.net.URI;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Where requests go under each addressing mode, as a scripted server records them: the Host
 * header and the target, through both clients. The server listens on 127.0.0.1 and is addressed
 * as {@code s3.localhost} (resolved by {@link LocalhostResolverProvider}).
 */
class AddressingTest {
  static BlobConfig virtualHost(MockS3 s3) {
    return Fixtures.config(endpoint(s3), "AKIDEXAMPLE", "secret").pathStyle(false).build();
  }

  static URI endpoint(MockS3 s3) {
    return URI.create("http://s3.localhost:" + s3.server.getPort());
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("virtual host", MockS3::create, m -> new BlobClient(virtualHost(m)))
          .async("virtual host", MockS3::create, m -> new AsyncBlobClient(virtualHost(m)))
          .build();

  @ParityTest
  void virtualHost_putsTheBucketInTheHostName_andSignsThatHost(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = "vh".getBytes(UTF_8);
    s3.handler = r -> MockS3.object(new byte[0], MockS3.md5Hex(data));
    int port = s3.server.getPort();

    p.call(c -> c.put("photos", "a b/c.txt", data), a -> a.put("photos", "a b/c.txt", data));

    RecordedRequest put = s3.requests.get(0);
    assertThat(put.getHeaders().get("Host")).isEqualTo("photos.s3.localhost:" + port);
    assertThat(put.getTarget()).isEqualTo("/a%20b/c.txt");
    assertThat(put.getHeaders().get("Authorization")).contains("SignedHeaders=content-md5;host;");
  }

  @ParityTest
  void virtualHost_dottedBucket_isAddressedPathStyle(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    byte[] data = "dots".getBytes(UTF_8);
    s3.handler = r -> MockS3.object(data, MockS3.md5Hex(data));
    int port = s3.server.getPort();

    assertThat(p.call(c -> c.get("my.photos", "k")).async(a -> a.get("my.photos", "k")))
        .isEqualTo(data);

    RecordedRequest get = s3.requests.get(0);
    assertThat(get.getHeaders().get("Host")).isEqualTo("s3.localhost:" + port);
    assertThat(get.getTarget()).isEqualTo("/my.photos/k");
  }

  @ParityTest
  void virtualHost_404WithoutBody_isMappedByTheRequestsOwnAddressing(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    s3.handler = r -> new MockResponse.Builder().code(404).build();

    // Virtual host: the path is the key.
    assertThatThrownBy(() -> p.call(c -> c.head("photos", "k")).async(a -> a.head("photos", "k")))
        .isInstanceOf(NoSuchKeyException.class);
    // A dotted bucket is addressed path-style, so "/my.photos" names the bucket, not a key.
    assertThatThrownBy(
            () -> p.run(c -> c.deleteBucket("my.photos")).async(a -> a.deleteBucket("my.photos")))
        .isInstanceOf(NoSuchBucketException.class);
    assertThatThrownBy(
            () -> p.call(c -> c.head("my.photos", "k")).async(a -> a.head("my.photos", "k")))
        .isInstanceOf(NoSuchKeyException.class);
  }

  @Test
  void virtualHost_withAnIpAddressEndpoint_isRejectedAtBuild() {
    for (String endpoint : new String[] {"http://127.0.0.1:9000", "http://[::1]:9000"}) {
      BlobConfig.Builder b =
          Fixtures.config(URI.create(endpoint), "AKIDEXAMPLE", "secret").pathStyle(false);
      assertThatThrownBy(b::build)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("pathStyle(false)")
          .hasMessageContaining("IP address");
    }
    // The default for an explicit endpoint is path style, which an IP address allows.
    assertThat(Fixtures.config(URI.create("http://127.0.0.1:9000"), "a", "b").build().pathStyle())
        .isTrue();
  }
}
