package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A core subset against moto's server, an independent S3 implementation (Python): started from
 * the test on a free port and stopped after. Skipped, saying why, when {@code moto_server} is not
 * installed. moto does not check signatures, so authentication is tested against S3Proxy only.
 */
class MotoTest {
  static MotoServer moto;
  static URI endpoint;
  static S3Client sdk;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    endpoint = moto.endpoint;
    sdk = moto.sdk;
  }

  @AfterAll
  static void stop() throws Exception {
    MotoServer.stop(moto);
  }

  static BlobConfig config() {
    return Fixtures.config(endpoint, "testing", "testing").build();
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("moto", () -> new BlobClient(config()))
          .async("moto", () -> new AsyncBlobClient(config()))
          .build();

  @ParityTest
  void coreOperations(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = Fixtures.bucket();
    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    byte[] small = "hello moto".getBytes(UTF_8);
    byte[] large = bytes(11 * MIB, 31);

    PutResult one = p.call(c -> c.put(bucket, "dir/small", small), a -> a.put(bucket, "dir/small", small));
    PutResult multi =
        p.call(
            c -> c.put(bucket, "dir/large", new ByteArrayInputStream(large)),
            a -> a.put(bucket, "dir/large", new ByteArrayInputStream(large)));
    p.call(c -> c.put(bucket, "top", small), a -> a.put(bucket, "top", small));

    assertThat(one.etag()).isEqualTo(MockS3.md5Hex(small));
    assertThat(multi.parts()).isEqualTo(3);
    assertThat(p.call(c -> c.get(bucket, "dir/small")).async(a -> a.get(bucket, "dir/small"))).isEqualTo(small);
    // moto's multipart ETags follow S3's convention, so this download is checked part by part.
    Fixtures.assertSameBytes(p.call(c -> c.get(bucket, "dir/large")).async(a -> a.get(bucket, "dir/large")), large);
    assertThat(p.call(c -> c.get(bucket, "dir/large", ByteRange.of(5, 9))).async(a -> a.get(bucket, "dir/large", ByteRange.of(5, 9))))
        .containsExactly(java.util.Arrays.copyOfRange(large, 5, 10));
    assertThat(p.call(c -> c.head(bucket, "dir/large")).async(a -> a.head(bucket, "dir/large")).size()).isEqualTo(large.length);

    List<BlobObject> all = p.items(c -> c.list(bucket, null), a -> a.list(bucket, null));
    assertThat(all).extracting(BlobObject::key).containsExactly("dir/large", "dir/small", "top");
    List<ListEntry> top = p.items(c -> c.list(bucket, null, "/"), a -> a.list(bucket, null, "/"));
    assertThat(top).hasSize(2).contains(new CommonPrefix("dir/"));

    p.call(c -> c.copy(bucket, "top", bucket, "copy"), a -> a.copy(bucket, "top", bucket, "copy"));
    assertThat(p.call(c -> c.get(bucket, "copy")).async(a -> a.get(bucket, "copy"))).isEqualTo(small);

    for (String k : List.of("dir/small", "dir/large", "top", "copy")) {
      p.run(c -> c.delete(bucket, k), a -> a.delete(bucket, k));
    }
    assertThatThrownBy(() -> p.call(c -> c.head(bucket, "top")).async(a -> a.head(bucket, "top")))
        .isInstanceOf(NoSuchKeyException.class);
    assertThatThrownBy(() -> p.call(c -> c.get(bucket, "top")).async(a -> a.get(bucket, "top")))
        .isInstanceOf(NoSuchKeyException.class);
    p.run(c -> c.deleteBucket(bucket), a -> a.deleteBucket(bucket));
    assertThatThrownBy(() -> p.call(c -> c.get(bucket, "top")).async(a -> a.get(bucket, "top")))
        .isInstanceOf(NoSuchBucketException.class);
  }

  /** moto names the missing bucket of a copy (BucketName), as S3 does: so does the message. */
  @ParityTest
  void copy_intoOrFromAMissingBucket_namesTheBucket(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = Fixtures.bucket();
    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    p.call(c -> c.put(bucket, "here", new byte[3]), a -> a.put(bucket, "here", new byte[3]));

    assertThatThrownBy(() -> p.call(c -> c.copy(bucket, "here", "no-such-bucket-m1", "x")).async(a -> a.copy(bucket, "here", "no-such-bucket-m1", "x")))
        .isInstanceOf(NoSuchBucketException.class)
        .hasMessageContaining("The copy's target bucket no-such-bucket-m1 does not exist.");
    assertThatThrownBy(() -> p.call(c -> c.copy("no-such-bucket-m2", "k", bucket, "x")).async(a -> a.copy("no-such-bucket-m2", "k", bucket, "x")))
        .isInstanceOf(NoSuchBucketException.class)
        .hasMessageContaining("The copy's source bucket no-such-bucket-m2 does not exist.");
    assertThatThrownBy(() -> p.call(c -> c.copy(bucket, "nope", bucket, "x")).async(a -> a.copy(bucket, "nope", bucket, "x")))
        .isInstanceOf(NoSuchKeyException.class)
        .hasMessageContaining("The copy's source s3://" + bucket + "/nope does not exist.");
  }

  @ParityTest
  void failedMultipart_isAborted(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = Fixtures.bucket();
    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    IllegalStateException stop = new IllegalStateException("stop");
    byte[] data = bytes(12 * MIB, 32);

    assertThatThrownBy(
            () -> p.call(c -> c.put(bucket, "big", data, e -> {
                  if (e.loaded() > MIB) {
                    throw stop;
                  }
                }))
                .async(a -> a.put(bucket, "big", data, e -> {
                  if (e.loaded() > MIB) {
                    throw stop;
                  }
                  return null;
                })))
        .isSameAs(stop);
    assertThat(Fixtures.uploads(sdk, bucket)).isEmpty();
  }
}
