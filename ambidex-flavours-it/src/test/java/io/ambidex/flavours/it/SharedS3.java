package io.ambidex.flavours.it;

import io.ambidex.blob.BlobClient;
import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.Credentials;
import io.ambidex.control.RetryPolicy;
import io.ambidex.s3embedded.EmbeddedS3;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * One embedded S3 server for the test JVM (started on first use, stopped at exit), the client
 * configuration the tests share, and buckets of n small objects for the TCK.
 */
final class SharedS3 {
  static final int MIB = 1024 * 1024;
  private static final Map<Long, String> BUCKETS_OF_SIZE = new ConcurrentHashMap<>();
  private static volatile EmbeddedS3 server;

  private SharedS3() {}

  static synchronized EmbeddedS3 server() {
    if (server == null) {
      EmbeddedS3 started = EmbeddedS3.start(null);
      Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-s3-stop"));
      server = started;
    }
    return server;
  }

  /**
   * Small parts (a 12 MiB upload is three parts, concurrent when there are connections for
   * them), two keys per listing page (every listing paginates), at most {@code connections}
   * pooled connections, quick retries.
   */
  static BlobConfig config(int connections) {
    return config(server(), connections);
  }

  /** {@link #config(int)}, for another server. */
  static BlobConfig config(EmbeddedS3 s3, int connections) {
    return BlobConfig.builder()
        .endpoint(s3.endpoint())
        .credentials(Credentials.of(s3.accessKey(), s3.secretKey()))
        .partSize(5 * MIB)
        .multipartThreshold(5 * MIB)
        .concurrency(Math.min(3, connections))
        .maxConnections(connections)
        .listPageSize(2)
        .connectTimeout(Duration.ofSeconds(5))
        .readTimeout(Duration.ofSeconds(20))
        .retryPolicy(
            RetryPolicy.builder()
                .maxAttempts(3)
                .initialDelay(Duration.ofMillis(5))
                .maxDelay(Duration.ofMillis(20))
                .build())
        .build();
  }

  /** An AWS SDK client of {@code s3}, to look at the server without the client under test. */
  @SuppressWarnings("deprecation") // ApacheHttpClient: the client the other blob tests use
  static S3Client sdk(EmbeddedS3 s3) {
    return S3Client.builder()
        .endpointOverride(s3.endpoint())
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .httpClientBuilder(ApacheHttpClient.builder())
        .build();
  }

  static String freshBucket() {
    return "f-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  }

  /** A bucket holding exactly {@code n} small objects, created once per n. */
  static String bucketOf(long n) {
    return BUCKETS_OF_SIZE.computeIfAbsent(
        n,
        size -> {
          String bucket = freshBucket();
          try (BlobClient client = new BlobClient(config(4))) {
            client.createBucket(bucket);
            for (long i = 0; i < size; i++) {
              client.put(bucket, String.format("k%04d", i), ("v" + i).getBytes(StandardCharsets.UTF_8));
            }
          }
          return bucket;
        });
  }
}
