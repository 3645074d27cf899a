package io.ambidex.blob;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.s3embedded.EmbeddedS3;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Buckets outside us-east-1: {@code CreateBucketConfiguration/LocationConstraint} is sent for any
 * other region (and nothing for us-east-1), every request is signed for the configured region,
 * moto (which refuses a constraint that differs from the signing region) creates the bucket where
 * the AWS SDK then finds it, and S3Proxy, which checks signatures, accepts requests signed for it.
 */
@Timeout(120)
class RegionTest {
  static MotoServer moto;
  static EmbeddedS3 s3proxy;

  @BeforeAll
  static void start() throws Exception {
    s3proxy = EmbeddedS3.start(null);
    moto = MotoServer.start();
  }

  @AfterAll
  static void stop() {
    MotoServer.stop(moto);
    s3proxy.close();
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> CLIENTS = MockS3.clients();

  @ParityTest
  void createBucket_inUsEast1_sendsNoBody(Parity<BlobClient, AsyncBlobClient> p, MockS3 s3)
      throws Exception {
    s3.handler = r -> new MockResponse.Builder().code(200).build();

    p.run(c -> c.createBucket("bkt"), a -> a.createBucket("bkt"));

    RecordedRequest put = s3.matching("PUT", "/bkt").get(0);
    assertThat(put.getBodySize()).isZero();
    assertThat(put.getHeaders().get("Authorization")).contains("/us-east-1/s3/aws4_request");
  }

  @ParityTest
  void createBucket_inEuWest1_sendsTheLocationConstraint_andSignsForThatRegion(
      Parity<BlobClient, AsyncBlobClient> p, MockS3 s3) throws Exception {
    s3.handler =
        r -> r.getMethod().equals("PUT") && r.getTarget().equals("/bkt/k")
            ? MockS3.object(new byte[0], MockS3.md5Hex("x".getBytes(UTF_8)))
            : new MockResponse.Builder().code(200).build();
    BlobConfig euWest1 =
        Fixtures.config(s3.endpoint(), "AKIDEXAMPLE", "secret").region("eu-west-1").build();

    try (SideClient c = SideClient.open(p, euWest1)) {
      c.run(b -> b.createBucket("bkt"), a -> a.createBucket("bkt"));
      c.call(b -> b.put("bkt", "k", "x".getBytes(UTF_8)), a -> a.put("bkt", "k", "x".getBytes(UTF_8)));
    }

    RecordedRequest create = s3.matching("PUT", "/bkt").get(0);
    assertThat(create.getBody().utf8())
        .isEqualTo("<CreateBucketConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + "<LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>");
    assertThat(s3.requests)
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.getHeaders().get("Authorization"))
            .contains("/eu-west-1/s3/aws4_request"));
  }

  @ParityTest
  void createBucket_inEuWest1_onMoto_isLocatedThere(Parity<BlobClient, AsyncBlobClient> p)
      throws Exception {
    String eu = Fixtures.bucket();
    String us = Fixtures.bucket();
    byte[] data = "in ireland".getBytes(UTF_8);
    BlobConfig euWest1 =
        Fixtures.config(moto.endpoint, "testing", "testing").region("eu-west-1").build();
    BlobConfig usEast1 = Fixtures.config(moto.endpoint, "testing", "testing").build();

    try (SideClient c = SideClient.open(p, euWest1)) {
      c.run(b -> b.createBucket(eu), a -> a.createBucket(eu));
      c.call(b -> b.put(eu, "k", data), a -> a.put(eu, "k", data));
      assertThat(c.<byte[]>call(b -> b.get(eu, "k"), a -> a.get(eu, "k"))).isEqualTo(data);
    }
    try (SideClient c = SideClient.open(p, usEast1)) {
      c.run(b -> b.createBucket(us), a -> a.createBucket(us));
    }

    assertThat(moto.sdk.getBucketLocation(b -> b.bucket(eu)).locationConstraintAsString())
        .isEqualTo("eu-west-1");
    // S3 reports us-east-1 as no constraint at all.
    assertThat(moto.sdk.getBucketLocation(b -> b.bucket(us)).locationConstraintAsString())
        .isNullOrEmpty();
  }

  @ParityTest
  void requestsSignedForEuWest1_areAcceptedByAServerThatChecksSignatures(
      Parity<BlobClient, AsyncBlobClient> p) throws Exception {
    String bucket = Fixtures.bucket();
    byte[] data = "signed for eu-west-1".getBytes(UTF_8);
    BlobConfig euWest1 =
        Fixtures.config(s3proxy.endpoint(), s3proxy.accessKey(), s3proxy.secretKey())
            .region("eu-west-1")
            .build();

    try (SideClient c = SideClient.open(p, euWest1)) {
      c.run(b -> b.createBucket(bucket), a -> a.createBucket(bucket));
      c.call(b -> b.put(bucket, "k", data), a -> a.put(bucket, "k", data));
      assertThat(c.<byte[]>call(b -> b.get(bucket, "k"), a -> a.get(bucket, "k"))).isEqualTo(data);
    }
  }
}
