package io.ambidex.blob;

import io.ambidex.s3embedded.EmbeddedS3;
import io.ambidex.test.ParityExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link VirtualHostContract} against S3Proxy embedded with virtual hosts under {@code
 * s3.localhost}: it routes {@code <bucket>.s3.localhost} to the bucket and checks each request's
 * signature, whose signed Host is that name.
 */
class VirtualHostS3ProxyTest extends VirtualHostContract {
  static EmbeddedS3 s3;
  static S3Client sdk;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.builder().virtualHost("s3.localhost").start();
    sdk = Fixtures.sdk(s3.endpoint(), s3.accessKey(), s3.secretKey());
  }

  @AfterAll
  static void stop() {
    sdk.close();
    s3.close();
  }

  static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).pathStyle(false).build();
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("s3proxy, virtual host", () -> new BlobClient(config()))
          .async("s3proxy, virtual host", () -> new AsyncBlobClient(config()))
          .build();

  @Override
  S3Client sdk() {
    return sdk;
  }

  @Override
  String domain() {
    return "s3.localhost";
  }
}
