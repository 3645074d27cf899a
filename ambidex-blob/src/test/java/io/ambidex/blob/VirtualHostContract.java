package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.test.Parity;
import io.ambidex.test.ParityTest;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;

/**
 * Virtual-host addressing ({@code pathStyle(false)}) end to end against a real server that routes
 * by the Host header, through both clients: every request goes to {@code <bucket>.<domain>},
 * which the test JVM resolves to 127.0.0.1 with {@link LocalhostResolverProvider}. The AWS SDK,
 * path style, checks what the server stored. A dotted bucket is addressed path-style. Each
 * server's subclass registers the clients.
 */
@Timeout(120)
abstract class VirtualHostContract {
  /** The AWS SDK over the server, path style. */
  abstract S3Client sdk();

  /** The domain under which buckets are hosts, e.g. {@code s3.localhost}. */
  abstract String domain();

  @ParityTest
  void operations_addressBucketsByHostName(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String bucket = Fixtures.bucket();
    byte[] small = "by host name".getBytes(UTF_8);
    byte[] large = bytes(12 * MIB, 41);

    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    assertThat(sdk().listBuckets().buckets()).extracting(Bucket::name).contains(bucket);

    PutResult one = p.call(c -> c.put(bucket, "dir/small", small), a -> a.put(bucket, "dir/small", small));
    PutResult multi =
        p.call(
            c -> c.put(bucket, "dir/large", new ByteArrayInputStream(large)),
            a -> a.put(bucket, "dir/large", new ByteArrayInputStream(large)));
    assertThat(one.etag()).isEqualTo(MockS3.md5Hex(small));
    assertThat(multi.parts()).isEqualTo(3);
    assertThat(Fixtures.uploads(sdk(), bucket)).as("multipart uploads left").isEmpty();
    assertThat(sdk().getObjectAsBytes(b -> b.bucket(bucket).key("dir/small")).asByteArray())
        .isEqualTo(small);

    assertThat(p.call(c -> c.get(bucket, "dir/small")).async(a -> a.get(bucket, "dir/small")))
        .isEqualTo(small);
    Fixtures.assertSameBytes(
        p.call(c -> c.get(bucket, "dir/large")).async(a -> a.get(bucket, "dir/large")), large);
    assertThat(p.call(c -> c.head(bucket, "dir/large")).async(a -> a.head(bucket, "dir/large")).size())
        .isEqualTo(large.length);
    List<BlobObject> listed = p.items(c -> c.list(bucket, "dir/"), a -> a.list(bucket, "dir/"));
    assertThat(listed).extracting(BlobObject::key).containsExactly("dir/large", "dir/small");

    p.run(c -> c.delete(bucket, "dir/small"), a -> a.delete(bucket, "dir/small"));
    p.run(c -> c.delete(bucket, "dir/large"), a -> a.delete(bucket, "dir/large"));
    assertThatThrownBy(() -> p.call(c -> c.get(bucket, "dir/small")).async(a -> a.get(bucket, "dir/small")))
        .isInstanceOf(NoSuchKeyException.class);
    p.run(c -> c.deleteBucket(bucket), a -> a.deleteBucket(bucket));
    assertThat(sdk().listBuckets().buckets()).extracting(Bucket::name).doesNotContain(bucket);

    // The client looked the bucket's host name up through InetAddress, so through the test's
    // resolver: Apache HttpClient's default DNS resolver honours the JDK's resolver SPI.
    assertThat(LocalhostResolverProvider.answered()).contains(bucket + "." + domain());
  }

  @ParityTest
  void dottedBucket_isAddressedPathStyle(Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket =
        "v." + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE) + ".dots";
    byte[] data = "dotted".getBytes(UTF_8);

    p.run(c -> c.createBucket(bucket), a -> a.createBucket(bucket));
    p.call(c -> c.put(bucket, "k", data), a -> a.put(bucket, "k", data));
    assertThat(p.call(c -> c.get(bucket, "k")).async(a -> a.get(bucket, "k"))).isEqualTo(data);
    assertThat(p.items(c -> c.list(bucket, null), a -> a.list(bucket, null)))
        .extracting(BlobObject::key)
        .containsExactly("k");
    // The bucket the server holds has the full dotted name (moto would have taken "v" from a
    // host name v.<hex>.dots.localhost).
    assertThat(sdk().getObjectAsBytes(b -> b.bucket(bucket).key("k")).asByteArray()).isEqualTo(data);
    p.run(c -> c.delete(bucket, "k"), a -> a.delete(bucket, "k"));
    p.run(c -> c.deleteBucket(bucket), a -> a.deleteBucket(bucket));

    assertThat(LocalhostResolverProvider.answered()).noneMatch(name -> name.startsWith(bucket));
  }
}
