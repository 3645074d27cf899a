package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.internal.Hasher;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Corrupted bytes under a flexible checksum, per algorithm, through both generated clients: the
 * server (mockwebserver) returns the checksum of the object but one flipped byte in its body, as
 * a damaged disk or a broken proxy would. Every algorithm detects it, the bytes are never
 * returned, a download leaves no file behind. The same object with its bytes intact is accepted,
 * so the tests fail if the check were skipped or always failed.
 */
class ChecksumFaultTest {
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS = MockS3.clients();

  private static final ChecksumAlgorithm[] FLEXIBLE = {
    ChecksumAlgorithm.CRC32C,
    ChecksumAlgorithm.CRC32,
    ChecksumAlgorithm.CRC64NVME,
    ChecksumAlgorithm.SHA1,
    ChecksumAlgorithm.SHA256
  };

  /** The object with its checksum header, optionally with byte {@code flip} inverted. */
  static MockResponse object(byte[] data, ChecksumAlgorithm algorithm, int flip) {
    byte[] body = data.clone();
    if (flip >= 0) {
      body[flip] ^= 0x01;
    }
    String sum = Base64.getEncoder().encodeToString(Hasher.of(algorithm, data, 0, data.length));
    return new MockResponse.Builder()
        .code(200)
        // An ETag that is not an MD5 (as with SSE-KMS): only the flexible checksum can tell.
        .addHeader("ETag", "\"not-an-md5\"")
        .addHeader(algorithm.header(), sum)
        .addHeader("x-amz-checksum-type", "FULL_OBJECT")
        .addHeader("Content-Length", Integer.toString(body.length))
        .body(new okio.Buffer().write(body))
        .build();
  }

  @ParityTest
  void get_flippedByte_isDetectedByEveryAlgorithm(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    byte[] data = bytes(300_001, 81);
    for (ChecksumAlgorithm algorithm : FLEXIBLE) {
      s3.handler = r -> object(data, algorithm, 123_457);
      assertThatThrownBy(() -> p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")))
          .as(algorithm.name())
          .isInstanceOfSatisfying(
              BlobIntegrityException.class,
              e -> assertThat(e.getMessage()).contains(algorithm.header()));

      s3.handler = r -> object(data, algorithm, -1);
      Fixtures.assertSameBytes(p.call(c -> c.get("bkt", "k")).async(a -> a.get("bkt", "k")), data);
    }
  }

  @ParityTest
  void download_flippedByte_leavesNothingBehind(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3, @TempDir Path dir) throws Exception {
    byte[] data = bytes(200_000, 82);
    Path target = dir.resolve("out.bin");
    for (ChecksumAlgorithm algorithm : FLEXIBLE) {
      s3.handler = r -> object(data, algorithm, data.length - 1);
      assertThatThrownBy(
              () -> p.call(c -> c.download("bkt", "k", target, null))
                  .async(a -> a.download("bkt", "k", target, null)))
          .as(algorithm.name())
          .isInstanceOf(BlobIntegrityException.class);
      try (Stream<Path> files = Files.list(dir)) {
        assertThat(files).as(algorithm.name()).isEmpty();
      }
    }
  }

  @ParityTest
  void open_flippedByte_failsAtTheEnd(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) {
    byte[] data = bytes(100_000, 83);
    for (ChecksumAlgorithm algorithm : FLEXIBLE) {
      s3.handler = r -> object(data, algorithm, 0);
      assertThatThrownBy(() -> p.items(c -> c.open("bkt", "k")).async(a -> a.open("bkt", "k")))
          .as(algorithm.name())
          .isInstanceOf(BlobIntegrityException.class);
    }
  }
}
