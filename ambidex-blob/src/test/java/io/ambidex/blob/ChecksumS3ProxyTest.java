package io.ambidex.blob;

import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.file.Files;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

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

  @AfterAll
  static void stop() {
    disconnect();
    if (s3 != null) {
      s3.close();
    }
  }
}
