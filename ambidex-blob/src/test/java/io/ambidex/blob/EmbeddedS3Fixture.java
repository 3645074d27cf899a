package io.ambidex.blob;

import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The fixture of the test classes that run against one embedded S3 server (S3Proxy over a
 * filesystem store) for the whole class, with an AWS SDK client to check what it stored: {@link
 * #s3} and {@link #sdk}, started before the class's tests and closed after them; the store's
 * files are under {@code data.resolve("store")}.
 */
abstract class EmbeddedS3Fixture {
  static EmbeddedS3 s3;
  static S3Client sdk;

  @TempDir static Path data;

  @BeforeAll
  static void startServer() {
    s3 = EmbeddedS3.start(data.resolve("store"));
    sdk = Fixtures.sdk(s3.endpoint(), s3.accessKey(), s3.secretKey());
  }

  @AfterAll
  static void stopServer() {
    sdk.close();
    s3.close();
  }
}
