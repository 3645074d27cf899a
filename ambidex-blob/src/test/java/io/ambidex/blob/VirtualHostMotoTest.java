package io.ambidex.blob;

import io.ambidex.test.ParityExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@link VirtualHostContract} against moto, whose server takes the bucket from the first label of
 * a Host such as {@code <bucket>.localhost:PORT} (and serves path style for {@code
 * localhost:PORT}).
 */
class VirtualHostMotoTest extends VirtualHostContract {
  static MotoServer moto;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
  }

  @AfterAll
  static void stop() throws Exception {
    MotoServer.stop(moto);
  }

  static BlobConfig config() {
    return Fixtures.config(moto.endpoint("localhost"), "testing", "testing").pathStyle(false).build();
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("moto, virtual host", () -> new BlobClient(config()))
          .async("moto, virtual host", () -> new AsyncBlobClient(config()))
          .build();

  @Override
  S3Client sdk() {
    return moto.sdk;
  }

  @Override
  String domain() {
    return "localhost";
  }
}
