package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Interoperability with the AWS SDK for Java v2 (2.56.0, Apache client, path style,
 * WHEN_REQUIRED checksums) on the same embedded server: what one writes, the other reads
 * byte-identical, single-part and multipart, through both generated clients.
 */
class AwsSdkInteropTest extends EmbeddedS3Fixture {
  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("S3Proxy", () -> new BlobClient(config()))
          .async("S3Proxy", () -> new AsyncBlobClient(config()))
          .build();

  static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build();
  }

  static String sdkBucket() {
    String bucket = Fixtures.bucket();
    sdk.createBucket(b -> b.bucket(bucket));
    return bucket;
  }

  @ParityTest
  void writtenByAmbidex_readBySdk_singleAndMultipart(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = sdkBucket();
    byte[] small = bytes(300_000, 21);
    byte[] large = bytes(13 * MIB + 17, 22);

    p.call(c -> c.put(bucket, "small", small), a -> a.put(bucket, "small", small));
    PutResult put = p.call(c -> c.put(bucket, "large", large), a -> a.put(bucket, "large", large));

    assertThat(put.parts()).isEqualTo(3);
    Fixtures.assertSameBytes(sdk.getObjectAsBytes(b -> b.bucket(bucket).key("small")).asByteArray(), small);
    Fixtures.assertSameBytes(sdk.getObjectAsBytes(b -> b.bucket(bucket).key("large")).asByteArray(), large);
    HeadObjectResponse head = sdk.headObject(b -> b.bucket(bucket).key("large"));
    assertThat(head.eTag()).isEqualTo("\"" + put.etag() + "\"");
    assertThat(head.metadata()).containsEntry("ambidex-part-size", Long.toString(5 * MIB));
    assertThat(head.contentLength()).isEqualTo(large.length);
  }

  @ParityTest
  void writtenBySdk_readByAmbidex_singleAndMultipart(
      Parity<BlobClient, AsyncBlobClient> p, @TempDir Path dir) throws Exception {
    String bucket = sdkBucket();
    byte[] small = bytes(200_000, 23);
    byte[] large = bytes(11 * MIB + 3, 24);
    sdk.putObject(b -> b.bucket(bucket).key("small"), RequestBody.fromBytes(small));
    String id = sdk.createMultipartUpload(b -> b.bucket(bucket).key("large")).uploadId();
    List<CompletedPart> parts = new ArrayList<>();
    int partSize = 5 * MIB;
    for (int n = 1, off = 0; off < large.length; n++, off += partSize) {
      int len = Math.min(partSize, large.length - off);
      int number = n;
      String etag =
          sdk.uploadPart(
                  b -> b.bucket(bucket).key("large").uploadId(id).partNumber(number),
                  RequestBody.fromBytes(Arrays.copyOfRange(large, off, off + len)))
              .eTag();
      parts.add(CompletedPart.builder().partNumber(n).eTag(etag).build());
    }
    sdk.completeMultipartUpload(
        b -> b.bucket(bucket).key("large").uploadId(id).multipartUpload(m -> m.parts(parts)));

    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "small")).async(a -> a.get(bucket, "small")), small);
    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "large")).async(a -> a.get(bucket, "large")), large);
    Path target = dir.resolve("large.bin");
    BlobObject got =
        p.call(c -> c.download(bucket, "large", target, null), a -> a.download(bucket, "large", target, null));
    Fixtures.assertSameBytes(Files.readAllBytes(target), large);
    assertThat(got.etag()).endsWith("-3");
    BlobObject head = p.call(c -> c.head(bucket, "large"), a -> a.head(bucket, "large"));
    assertThat(head.size()).isEqualTo(large.length);
    List<BlobObject> listed = p.items(c -> c.list(bucket, null), a -> a.list(bucket, null));
    assertThat(listed).extracting(BlobObject::key).containsExactly("large", "small");
  }
}
