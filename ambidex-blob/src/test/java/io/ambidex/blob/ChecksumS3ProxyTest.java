package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.internal.Hasher;
import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The flexible checksums against S3Proxy 4.1 (embedded, SigV4 checked), which implements them too:
 * it validates {@code x-amz-checksum-*}, stores them and combines FULL_OBJECT CRCs.
 */
class ChecksumS3ProxyTest extends ChecksumContract {
  static EmbeddedS3 s3;

  @BeforeAll
  static void start() throws Exception {
    s3 = EmbeddedS3.start(Files.createTempDirectory("ambidex-checksum-s3proxy"));
    connect(s3.endpoint(), s3.accessKey(), s3.secretKey());
  }

  /*
   * What makes a flexible checksum worth sending: the server checks it. S3Proxy refuses an upload
   * whose checksum is another body's and stores nothing under its key; the blob tool's embedded
   * store relies on this for its CRC32C default. (moto does not: it stores such an upload and its
   * wrong checksum, so this is not part of the contract; our downloads would then refuse the
   * object.)
   */
  @ParameterizedTest
  @EnumSource(
      value = ChecksumAlgorithm.class,
      names = {"CRC32C", "CRC32", "CRC64NVME", "SHA1", "SHA256"})
  void wrongChecksum_isRefusedByTheServer_andNothingIsStored(ChecksumAlgorithm algorithm) {
    byte[] data = Fixtures.bytes(10_000, 70 + algorithm.ordinal());
    byte[] other = Fixtures.bytes(10_000, 90 + algorithm.ordinal());
    String wrong = base64(Hasher.of(algorithm, other, 0, other.length));
    String key = algorithm.name() + "/wrong";
    PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(BUCKET).key(key);
    switch (algorithm) {
      case CRC32C -> put.checksumCRC32C(wrong);
      case CRC32 -> put.checksumCRC32(wrong);
      case CRC64NVME -> put.checksumCRC64NVME(wrong);
      case SHA1 -> put.checksumSHA1(wrong);
      case SHA256 -> put.checksumSHA256(wrong);
      case MD5 -> throw new IllegalArgumentException("not a flexible checksum");
    }
    assertThatThrownBy(() -> sdk.putObject(put.build(), RequestBody.fromBytes(data)))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(400));
    assertThatThrownBy(() -> sdk.headObject(b -> b.bucket(BUCKET).key(key)))
        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(404));
  }

  @Override
  boolean checksFlexibleChecksums() {
    return true; // S3Proxy 4.1 checks every flexible checksum it is sent
  }

  @AfterAll
  static void stop() {
    disconnect();
    if (s3 != null) {
      s3.close();
    }
  }
}
