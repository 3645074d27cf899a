package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code listUploads} and {@code abortUpload} through both facades against moto, with uploads
 * left behind by the AWS SDK (which starts them and walks away).
 */
@Timeout(60)
class PendingUploadsTest {
  static MotoServer moto;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
  }

  @AfterAll
  static void stop() {
    MotoServer.stop(moto);
  }

  static BlobConfig config() {
    return Fixtures.config(moto.endpoint, "testing", "testing").build();
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("moto", () -> new BlobClient(config()))
          .async("moto", () -> new AsyncBlobClient(config()))
          .build();

  @ParityTest
  void listUploads_findsLeftUploads_abortUploadRemovesThem(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = Fixtures.bucket();
    S3Client sdk = moto.sdk;
    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    String left = sdk.createMultipartUpload(b -> b.bucket(bucket).key("dir/a b+ü.bin")).uploadId();
    sdk.createMultipartUpload(b -> b.bucket(bucket).key("other/x.bin"));

    List<PendingUpload> under =
        p.items(c -> c.listUploads(bucket, "dir/"), a -> a.listUploads(bucket, "dir/"));
    assertThat(under).singleElement().satisfies(u -> {
      assertThat(u.key()).isEqualTo("dir/a b+ü.bin");
      assertThat(u.uploadId()).isEqualTo(left);
      assertThat(u.initiated()).isNotNull();
    });

    p.run(c -> c.abortUpload(bucket, "dir/a b+ü.bin", left), a -> a.abortUpload(bucket, "dir/a b+ü.bin", left));
    assertThat(p.items(c -> c.listUploads(bucket, null), a -> a.listUploads(bucket, null)))
        .extracting(PendingUpload::key)
        .containsExactly("other/x.bin");
    // Already gone: succeeds.
    p.run(c -> c.abortUpload(bucket, "dir/a b+ü.bin", left), a -> a.abortUpload(bucket, "dir/a b+ü.bin", left));
    assertThatThrownBy(() -> p.run(c -> c.abortUpload(bucket, "k", ""), a -> a.abortUpload(bucket, "k", "")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listUploads");
  }
}
