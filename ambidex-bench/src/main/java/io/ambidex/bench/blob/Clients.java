package io.ambidex.bench.blob;

import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.ChecksumAlgorithm;
import io.ambidex.blob.Credentials;
import io.ambidex.blob.PayloadSigning;
import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.transfer.s3.S3TransferManager;

/**
 * The two clients of the blob benchmarks, set up alike: the same endpoint, path-style addressing,
 * static credentials, region {@code us-east-1}, and a pool large enough for the requests each
 * benchmark has in flight. The AWS SDK's Java clients compute and validate checksums only when an
 * operation requires them ({@code WHEN_REQUIRED}, as TOOLBOX.md says for S3-compatible servers),
 * except the {@code sdk-defaults} rows; the CRT transfer manager keeps its integrity defaults;
 * every other SDK setting is its default. What each client does per request is listed in {@code
 * docs/benchmarks.md}.
 */
final class Clients {
  /** 1 MiB. */
  static final int MIB = 1024 * 1024;

  /** The bucket every blob benchmark uses. */
  static final String BUCKET = "bench";

  private Clients() {}

  /** Which client a benchmark row measures ({@code @Param} values). */
  enum Kind {
    /**
     * Ours, default settings for AWS (payload SHA-256 signed, CRC32C checksums, which S3Proxy 4.1
     * validates and stores like S3).
     */
    AMBIDEX,
    /** Ours with {@link PayloadSigning#UNSIGNED}: no SHA-256 pass over the body; CRC32C. */
    AMBIDEX_UNSIGNED,
    /** Ours, signed, with {@link ChecksumAlgorithm#MD5} (the default for non-AWS endpoints). */
    AMBIDEX_MD5,
    /** The AWS SDK for Java v2, checking only what S3 requires ({@code WHEN_REQUIRED}). */
    SDK,
    /** The AWS SDK for Java v2 with its integrity defaults ({@code WHEN_SUPPORTED}). */
    SDK_DEFAULTS;

    static Kind of(String param) {
      return switch (param) {
        case "ambidex" -> AMBIDEX;
        case "ambidex-unsigned" -> AMBIDEX_UNSIGNED;
        case "ambidex-md5" -> AMBIDEX_MD5;
        case "sdk" -> SDK;
        case "sdk-defaults" -> SDK_DEFAULTS;
        default -> throw new IllegalArgumentException(
            "client must be ambidex, ambidex-unsigned, ambidex-md5, sdk or sdk-defaults, but was '"
                + param + "'");
      };
    }
  }

  /**
   * Our configuration: endpoint (hence path-style), static credentials, us-east-1 (the default).
   *
   * @param kind {@link Kind#AMBIDEX}, {@link Kind#AMBIDEX_UNSIGNED} or {@link Kind#AMBIDEX_MD5}
   * @param maxConnections the pool's size
   */
  static BlobConfig.Builder ambidex(URI endpoint, Kind kind, int maxConnections) {
    return BlobConfig.builder()
        .checksum(kind == Kind.AMBIDEX_MD5 ? ChecksumAlgorithm.MD5 : ChecksumAlgorithm.CRC32C)
        .endpoint(endpoint)
        .pathStyle(true)
        .region("us-east-1")
        .credentials(Credentials.of(S3ServerProcess.ACCESS_KEY, S3ServerProcess.SECRET_KEY))
        .maxConnections(maxConnections)
        .payloadSigning(kind == Kind.AMBIDEX_UNSIGNED ? PayloadSigning.UNSIGNED : PayloadSigning.SIGNED);
  }

  /**
   * The SDK's blocking client on its Apache (HttpClient 4) client, which the issue names
   * ({@code apache-client}, deprecated in 2.56 in favour of {@code apache5-client}).
   */
  static S3Client sdkBlocking(URI endpoint, int maxConnections) {
    return sdkBlocking(endpoint, maxConnections, false);
  }

  /**
   * The same, with the SDK's own integrity defaults when {@code defaults} ({@code WHEN_SUPPORTED}:
   * a CRC32 with every upload, responses checked where they carry a checksum), else with both set
   * to {@code WHEN_REQUIRED} (nothing computed or checked that S3 does not require).
   */
  @SuppressWarnings("deprecation")
  static S3Client sdkBlocking(URI endpoint, int maxConnections, boolean defaults) {
    var builder = S3Client.builder()
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials())
        .httpClientBuilder(ApacheHttpClient.builder().maxConnections(maxConnections));
    if (!defaults) {
      builder.requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
    }
    return builder.build();
  }

  /** The SDK's async client on Netty, without its multipart layer (the small-object rows). */
  static S3AsyncClient sdkAsync(URI endpoint, int maxConcurrency) {
    return asyncBuilder(endpoint, maxConcurrency).build();
  }

  /** The same with the SDK's own integrity defaults ({@code WHEN_SUPPORTED} both ways). */
  static S3AsyncClient sdkAsyncDefaults(URI endpoint, int maxConcurrency) {
    return asyncBuilder(endpoint, maxConcurrency)
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_SUPPORTED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_SUPPORTED)
        .build();
  }

  /**
   * The SDK's async client on Netty with its Java multipart layer ({@code multipartEnabled}),
   * cut like ours: parts of {@code partSize} above {@code threshold}, and a buffer of {@code
   * partSize * parts} bytes, which is what bounds the parts it has in flight. Its {@code x-amz-mp-object-size} on CompleteMultipartUpload, which S3Proxy refuses, is
   * accepted by the embedded store ({@code EmbeddedS3}).
   */
  static S3AsyncClient sdkMultipart(URI endpoint, long threshold, long partSize, int parts) {
    return sdkMultipart(endpoint, threshold, partSize, parts, false);
  }

  /**
   * The same, with the SDK's own integrity defaults when {@code defaults} ({@code WHEN_SUPPORTED}
   * both ways: a CRC32 with the object and each part), else at {@code WHEN_REQUIRED}.
   */
  static S3AsyncClient sdkMultipart(
      URI endpoint, long threshold, long partSize, int parts, boolean defaults) {
    S3AsyncClientBuilder builder = asyncBuilder(endpoint, Math.max(parts * 2, 8));
    if (defaults) {
      builder
          .requestChecksumCalculation(RequestChecksumCalculation.WHEN_SUPPORTED)
          .responseChecksumValidation(ResponseChecksumValidation.WHEN_SUPPORTED);
    }
    return builder
        .multipartEnabled(true)
        .multipartConfiguration(
            c ->
                c.thresholdInBytes(threshold)
                    .minimumPartSizeInBytes(partSize)
                    .apiCallBufferSizeInBytes(partSize * parts)
                    .parallelConfiguration(p -> p.maxInFlightParts(parts)))
        .build();
  }

  private static S3AsyncClientBuilder asyncBuilder(URI endpoint, int maxConcurrency) {
    return S3AsyncClient.builder()
        .endpointOverride(endpoint)
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .credentialsProvider(credentials())
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(maxConcurrency));
  }

  /**
   * The SDK's transfer manager over its CRT-based client ({@code S3AsyncClient.crtBuilder()}),
   * parts of {@code partSize}, at most {@code parts} requests at once (the CRT otherwise sizes its
   * concurrency from a target throughput). Its integrity defaults ({@code WHEN_SUPPORTED} both
   * ways): it sends a CRC32 with every upload (a trailer of its {@code aws-chunked} body) and
   * validates downloads where the object has a checksum. Until choice 251 this builder set {@code
   * requestChecksumCalculation(WHEN_REQUIRED)}, which the CRT client honours
   * ({@code CrtChecksumUtils}: no algorithm for PutObject, checksum location NONE): its uploads
   * carried no checksum at all, while the tables compared them with ours as "CRC32".
   */
  static S3TransferManager sdkCrtTransferManager(URI endpoint, long partSize, int parts) {
    S3AsyncClient crt =
        S3AsyncClient.crtBuilder()
            .endpointOverride(endpoint)
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(credentials())
            .minimumPartSizeInBytes(partSize)
            .thresholdInBytes(partSize)
            .maxConcurrency(parts)
            .build();
    return S3TransferManager.builder().s3Client(crt).build();
  }

  private static StaticCredentialsProvider credentials() {
    return StaticCredentialsProvider.create(
        AwsBasicCredentials.create(S3ServerProcess.ACCESS_KEY, S3ServerProcess.SECRET_KEY));
  }
}
