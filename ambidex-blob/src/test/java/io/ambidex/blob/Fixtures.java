package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.control.RetryPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.model.MultipartUpload;

/** Shared settings of the blob tests. */
final class Fixtures {
  static final int MIB = 1024 * 1024;

  private Fixtures() {}

  /**
   * Small parts, so that a 12 MiB object is a multipart upload of three 5 MiB-or-less parts sent
   * concurrently; a page size of 2, so that every listing paginates; quick retries.
   */
  static BlobConfig.Builder config(URI endpoint, String accessKey, String secretKey) {
    return BlobConfig.builder()
        .endpoint(endpoint)
        .credentials(Credentials.of(accessKey, secretKey))
        .partSize(5 * MIB)
        .multipartThreshold(5 * MIB)
        .concurrency(3)
        .listPageSize(2)
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(20))
        .retryPolicy(
            RetryPolicy.builder()
                .maxAttempts(3)
                .initialDelay(Duration.ofMillis(5))
                .maxDelay(Duration.ofMillis(20))
                .build());
  }

  /** A fresh bucket name. */
  static String bucket() {
    return "t-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  }

  /** Seeded random bytes. */
  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /**
   * The AWS SDK v2 client, set up as TOOLBOX.md says for local servers, with its Apache client
   * ({@code apache-client}, deprecated in 2.56 in favour of {@code apache5-client}; kept because it
   * is the client the comparisons name).
   */
  static S3Client sdk(URI endpoint, String accessKey, String secretKey) {
    return sdk(endpoint, accessKey, secretKey, true);
  }

  /**
   * The AWS SDK v2 client as {@link #sdk(URI, String, String)}, optionally without {@code
   * aws-chunked} uploads: over plain HTTP the SDK sends {@code PutObject} and {@code UploadPart}
   * bodies as signed {@code aws-chunked} streams, which strict servers (Swift's s3api) refuse.
   */
  @SuppressWarnings("deprecation")
  static S3Client sdk(URI endpoint, String accessKey, String secretKey, boolean chunkedEncoding) {
    S3ClientBuilder builder = S3Client.builder();
    if (!chunkedEncoding) {
      builder.serviceConfiguration(S3Configuration.builder().chunkedEncodingEnabled(false).build());
    }
    return builder
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
  }

  /** Compares two arrays, with a short message instead of printing megabytes. */
  static void assertSameBytes(byte[] actual, byte[] expected) {
    assertThat(actual.length).as("length").isEqualTo(expected.length);
    assertThat(Arrays.mismatch(actual, expected)).as("index of the first differing byte").isEqualTo(-1);
  }

  /** The multipart uploads in progress in a bucket, as the AWS SDK lists them. */
  static List<MultipartUpload> uploads(S3Client sdk, String bucket) {
    return sdk.listMultipartUploads(b -> b.bucket(bucket)).uploads();
  }
}
