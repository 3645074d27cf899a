package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.internal.Hasher;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code probeChecksum} against scripted services, through both facades: what each answer means,
 * what is sent, and that a stored probe is deleted again. The real services (S3Proxy, which
 * checks, and moto, which stores) are in {@link ChecksumProbeServersTest}.
 */
@Timeout(60)
class ChecksumProbeTest {
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS = MockS3.clients();

  private static Boolean probe(Parity<BlobClient, AsyncBlobClient> p, ChecksumAlgorithm algorithm)
      throws Exception {
    return p.call(c -> c.probeChecksum("bkt", "probe", algorithm))
        .async(a -> a.probeChecksum("bkt", "probe", algorithm));
  }

  private static MockResponse stored() {
    return new MockResponse.Builder().code(200).addHeader("ETag", "\"x\"").build();
  }

  @ParityTest
  void badDigest_meansItChecks_andNothingIsDeleted(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    s3.handler = r -> MockS3.error(400, "BadDigest");

    assertThat(probe(p, ChecksumAlgorithm.CRC32C)).isTrue();
    assertThat(s3.matching("PUT", "/bkt/probe")).hasSize(1);
    assertThat(s3.matching("DELETE", "/bkt/probe")).isEmpty();
  }

  /* MinIO's code for a flexible checksum that does not match. */
  @ParityTest
  void minioMismatch_meansItChecks(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    s3.handler = r -> MockS3.error(400, "XAmzContentChecksumMismatch");

    assertThat(probe(p, ChecksumAlgorithm.SHA256)).isTrue();
  }

  @ParityTest
  void sendsAnEmptyBody_withTheChecksumOfAnotherBody_andNoContentMd5(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    s3.handler = r -> MockS3.error(400, "BadDigest");
    for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
      if (!algorithm.flexible()) {
        continue;
      }
      s3.requests.clear();
      probe(p, algorithm);
      RecordedRequest put = s3.matching("PUT", "/bkt/probe").get(0);
      String sent = put.getHeaders().get(algorithm.header());
      assertThat(sent).as(algorithm.name())
          .isEqualTo(Base64.getEncoder().encodeToString(Hasher.of(algorithm, new byte[1], 0, 1)))
          .isNotEqualTo(Base64.getEncoder().encodeToString(Hasher.of(algorithm, new byte[0], 0, 0)));
      assertThat(put.getBody() == null ? 0 : put.getBody().size()).isZero();
      assertThat(put.getHeaders().get("Content-MD5")).isNull();
    }
  }

  @ParityTest
  void stored_meansItDoesNotCheck_andTheProbeIsDeleted(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    s3.handler = r -> r.getMethod().equals("DELETE")
        ? new MockResponse.Builder().code(204).build()
        : stored();

    assertThat(probe(p, ChecksumAlgorithm.CRC32C)).isFalse();
    assertThat(s3.matching("DELETE", "/bkt/probe")).hasSize(1);
  }

  @ParityTest
  void theHeaderRefused_meansItDoesNotCheck_andNothingIsDeleted(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    for (String refusal : new String[] {"501 NotImplemented", "400 InvalidArgument", "400 InvalidRequest"}) {
      s3.requests.clear();
      String[] parts = refusal.split(" ");
      s3.handler = r -> MockS3.error(Integer.parseInt(parts[0]), parts[1]);

      assertThat(probe(p, ChecksumAlgorithm.CRC32)).as(refusal).isFalse();
      assertThat(s3.matching("PUT", "/bkt/probe")).as(refusal).hasSize(1);
      assertThat(s3.matching("DELETE", "/bkt/probe")).as(refusal).isEmpty();
    }
  }

  /* The probe cannot tell, so it says nothing and the caller sees why, as a put would fail. */
  @ParityTest
  void refusedForAnotherReason_failsAsAPutWould(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    s3.handler = r -> MockS3.error(403, "AccessDenied");
    assertThatThrownBy(() -> probe(p, ChecksumAlgorithm.CRC32C))
        .isInstanceOf(BlobAuthenticationException.class);

    s3.handler = r -> MockS3.error(404, "NoSuchBucket");
    assertThatThrownBy(() -> probe(p, ChecksumAlgorithm.CRC32C))
        .isInstanceOf(NoSuchBucketException.class);

    s3.handler = r -> MockS3.error(400, "InvalidAccessKeyId");
    assertThatThrownBy(() -> probe(p, ChecksumAlgorithm.CRC32C))
        .isInstanceOf(BlobAuthenticationException.class);
    assertThat(s3.matching("DELETE", "/bkt/probe")).isEmpty();
  }

  @ParityTest
  void storedButTheDeleteRefused_failsNamingTheObjectToDelete(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    AtomicInteger deletes = new AtomicInteger();
    s3.handler = r -> {
      if (r.getMethod().equals("DELETE")) {
        deletes.incrementAndGet();
        return MockS3.error(403, "AccessDenied");
      }
      return stored();
    };

    assertThatThrownBy(() -> probe(p, ChecksumAlgorithm.CRC32C))
        .isInstanceOf(BlobAuthenticationException.class)
        .hasMessageContaining("s3://bkt/probe")
        .hasMessageContaining("does not check CRC32C")
        .hasMessageContaining("delete it yourself");
    assertThat(deletes).hasValue(1);
  }

  @ParityTest
  void md5_isRefusedAtTheCall_andNothingIsSent(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    assertThatThrownBy(() -> probe(p, ChecksumAlgorithm.MD5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("MD5 is not a flexible checksum")
        .hasMessageContaining("probe CRC32C");
    assertThatThrownBy(() -> p.call(c -> c.probeChecksum("bkt", "", ChecksumAlgorithm.CRC32C))
            .async(a -> a.probeChecksum("bkt", "", ChecksumAlgorithm.CRC32C)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(s3.requests).isEmpty();
  }
}
