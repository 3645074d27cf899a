package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.blob.internal.Hasher;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.apache.ApacheHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Flexible checksums against a server that implements them, for every algorithm and both facades:
 * round trips single-part and multipart (FULL_OBJECT for the CRCs, COMPOSITE for the SHAs), the
 * checksum the server stored equal to the one this client computed, and interoperability both ways
 * with the AWS SDK v2 (which validates what it reads, and writes with its own checksums). Run
 * against moto ({@link ChecksumMotoTest}) and S3Proxy 4.1 ({@link ChecksumS3ProxyTest}).
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
abstract class ChecksumContract {
  static java.net.URI endpoint;
  static String accessKey;
  static String secretKey;
  static S3Client sdk;
  static String BUCKET;

  @TempDir static Path dir;

  @SuppressWarnings("deprecation") // ApacheHttpClient: the client the comparisons name
  static void connect(java.net.URI endpoint, String accessKey, String secretKey) {
    ChecksumContract.endpoint = endpoint;
    ChecksumContract.accessKey = accessKey;
    ChecksumContract.secretKey = secretKey;
    BUCKET = Fixtures.bucket();
    sdk =
        S3Client.builder()
            .endpointOverride(endpoint)
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)))
            .requestChecksumCalculation(RequestChecksumCalculation.WHEN_SUPPORTED)
            .responseChecksumValidation(ResponseChecksumValidation.WHEN_SUPPORTED)
            .httpClientBuilder(ApacheHttpClient.builder())
            .build();
    sdk.createBucket(b -> b.bucket(BUCKET));
  }

  static void disconnect() {
    if (sdk != null) {
      sdk.close();
      sdk = null;
    }
  }

  static BlobConfig config(ChecksumAlgorithm algorithm) {
    return Fixtures.config(endpoint, accessKey, secretKey).checksum(algorithm).build();
  }

  static String base64(byte[] b) {
    return Base64.getEncoder().encodeToString(b);
  }

  /** The checksum a whole upload should carry, as S3 defines it for the algorithm. */
  static String expected(ChecksumAlgorithm algorithm, byte[] data, int partSize) {
    if (data.length <= partSize || algorithm.fullObject()) {
      return base64(Hasher.of(algorithm, data, 0, data.length));
    }
    Hasher h = Hasher.of(algorithm);
    int parts = 0;
    for (int off = 0; off < data.length; off += partSize, parts++) {
      byte[] sum = Hasher.of(algorithm, data, off, Math.min(partSize, data.length - off));
      h.update(sum, 0, sum.length);
    }
    return base64(h.digest()) + "-" + parts;
  }

  static String storedChecksum(ChecksumAlgorithm algorithm, String key) {
    return checksumOf(
        sdk.headObject(b -> b.bucket(BUCKET).key(key).checksumMode(ChecksumMode.ENABLED)),
        algorithm);
  }

  /** The checksum of {@code algorithm} a HEAD answered with (the ETag for MD5). */
  static String checksumOf(HeadObjectResponse head, ChecksumAlgorithm algorithm) {
    return switch (algorithm) {
      case CRC32C -> head.checksumCRC32C();
      case CRC32 -> head.checksumCRC32();
      case CRC64NVME -> head.checksumCRC64NVME();
      case SHA1 -> head.checksumSHA1();
      case SHA256 -> head.checksumSHA256();
      case MD5 -> head.eTag();
    };
  }

  static <T> T await(java.util.concurrent.Future<T> f) throws Exception {
    try {
      return f.get(120, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception x ? x : e;
    }
  }

  /** Whether the server refuses an upload whose flexible checksum is wrong (S3Proxy) or not (moto). */
  abstract boolean checksFlexibleChecksums();

  /*
   * The probe tells the two kinds of server apart, through both facades, and leaves nothing under
   * its key either way: S3Proxy refuses the wrong checksum and stores nothing, moto stores the
   * probe, which is deleted again.
   */
  @ParameterizedTest
  @EnumSource(
      value = ChecksumAlgorithm.class,
      names = {"CRC32C", "CRC32", "CRC64NVME", "SHA1", "SHA256"})
  void probeChecksum_saysWhetherTheServerChecks_andLeavesNothing(ChecksumAlgorithm algorithm)
      throws Exception {
    String key = "probe/" + algorithm.name();
    try (BlobClient blocking = new BlobClient(config(ChecksumAlgorithm.MD5))) {
      assertThat(blocking.probeChecksum(BUCKET, key, algorithm)).isEqualTo(checksFlexibleChecksums());
    }
    assertThat(sdk.listObjectsV2(b -> b.bucket(BUCKET).prefix(key)).contents()).isEmpty();
    AsyncBlobClient async = new AsyncBlobClient(config(ChecksumAlgorithm.MD5));
    try {
      assertThat(await(async.probeChecksum(BUCKET, key, algorithm)))
          .isEqualTo(checksFlexibleChecksums());
    } finally {
      await(async.close());
    }
    assertThat(sdk.listObjectsV2(b -> b.bucket(BUCKET).prefix(key)).contents()).isEmpty();
  }

  /*
   * A client configured for MD5 uploads with the checksum its PutOptions name, single and
   * multipart, from a file and a stream, through both facades; and reads the objects back.
   */
  @ParameterizedTest
  @EnumSource(
      value = ChecksumAlgorithm.class,
      names = {"CRC32C", "SHA256"})
  void putOptionsChecksum_replacesTheClients_forThatUpload(ChecksumAlgorithm algorithm)
      throws Exception {
    byte[] small = bytes(70_000, 30 + algorithm.ordinal());
    byte[] large = bytes(5 * MIB + 999, 35 + algorithm.ordinal());
    Path file = dir.resolve("options-" + algorithm + ".bin");
    Files.write(file, large);
    PutOptions options = PutOptions.defaults().withChecksum(algorithm);
    String p = "options-" + algorithm.name();
    try (BlobClient blocking = new BlobClient(config(ChecksumAlgorithm.MD5))) {
      AsyncBlobClient async = new AsyncBlobClient(config(ChecksumAlgorithm.MD5));
      try {
        blocking.put(BUCKET, p + "/b-small", small, options, null);
        blocking.put(BUCKET, p + "/b-large", new ByteArrayInputStream(large), options, null);
        await(async.put(BUCKET, p + "/a-small", new ByteArrayInputStream(small), options, null));
        assertThat(await(async.put(BUCKET, p + "/a-large", file, options, null)).parts())
            .isEqualTo(2);
        blocking.put(BUCKET, p + "/md5", small); // the client's own, as before
        for (String side : List.of("b", "a")) {
          assertThat(storedChecksum(algorithm, p + "/" + side + "-small"))
              .isEqualTo(expected(algorithm, small, 5 * MIB));
          assertThat(storedChecksum(algorithm, p + "/" + side + "-large").replaceAll("-[0-9]+$", ""))
              .isEqualTo(expected(algorithm, large, 5 * MIB).replaceAll("-[0-9]+$", ""));
          Fixtures.assertSameBytes(blocking.get(BUCKET, p + "/" + side + "-large"), large);
          Fixtures.assertSameBytes(await(async.get(BUCKET, p + "/" + side + "-small")), small);
        }
        assertThat(storedChecksum(algorithm, p + "/md5")).isNull();
      } finally {
        await(async.close());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ChecksumAlgorithm.class,
      names = {"CRC32C", "CRC32", "CRC64NVME", "SHA1", "SHA256"})
  void roundTrip_singleAndMultipart_bothFacades_storedChecksumIsOurs(ChecksumAlgorithm algorithm)
      throws Exception {
    byte[] small = bytes(100_000, 40 + algorithm.ordinal());
    byte[] large = bytes(5 * MIB + 4321, 50 + algorithm.ordinal());
    String p = algorithm.name();
    try (BlobClient blocking = new BlobClient(config(algorithm))) {
      AsyncBlobClient async = new AsyncBlobClient(config(algorithm));
      try {
        blocking.put(BUCKET, p + "/b-small", small);
        blocking.put(BUCKET, p + "/b-large", new ByteArrayInputStream(large));
        await(async.put(BUCKET, p + "/a-small", small));
        PutResult multi = await(async.put(BUCKET, p + "/a-large", large));
        assertThat(multi.parts()).isEqualTo(2);

        for (String side : List.of("b", "a")) {
          assertThat(storedChecksum(algorithm, p + "/" + side + "-small"))
              .isEqualTo(expected(algorithm, small, 5 * MIB));
          // moto's HEAD leaves out a composite's "-N" (its GET and S3 have it): compare the sum.
          assertThat(storedChecksum(algorithm, p + "/" + side + "-large").replaceAll("-[0-9]+$", ""))
              .isEqualTo(expected(algorithm, large, 5 * MIB).replaceAll("-[0-9]+$", ""));
          Fixtures.assertSameBytes(blocking.get(BUCKET, p + "/" + side + "-small"), small);
          Fixtures.assertSameBytes(await(async.get(BUCKET, p + "/" + side + "-large")), large);
          Path target = dir.resolve(p + "-" + side + ".bin");
          blocking.download(BUCKET, p + "/" + side + "-large", target, null);
          Fixtures.assertSameBytes(Files.readAllBytes(target), large);
          await(async.download(BUCKET, p + "/" + side + "-small", target, null));
          Fixtures.assertSameBytes(Files.readAllBytes(target), small);
          // The SDK validates what it reads when the object carries a full-object checksum.
          ResponseBytes<GetObjectResponse> read =
              sdk.getObjectAsBytes(
                  b -> b.bucket(BUCKET).key(p + "/" + side + "-small").checksumMode(ChecksumMode.ENABLED));
          Fixtures.assertSameBytes(read.asByteArray(), small);
        }
      } finally {
        await(async.close());
      }
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ChecksumAlgorithm.class,
      names = {"CRC32C", "CRC32", "CRC64NVME", "SHA1", "SHA256"})
  void writtenBySdkWithChecksum_readByAmbidex_bothFacades(ChecksumAlgorithm algorithm)
      throws Exception {
    software.amazon.awssdk.services.s3.model.ChecksumAlgorithm sdkAlgorithm =
        software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.fromValue(algorithm.name());
    byte[] small = bytes(70_000, 60 + algorithm.ordinal());
    byte[] large = bytes(5 * MIB + 99, 70 + algorithm.ordinal());
    String p = "sdk-" + algorithm.name();
    sdk.putObject(
        b -> b.bucket(BUCKET).key(p + "/small").checksumAlgorithm(sdkAlgorithm),
        RequestBody.fromBytes(small));
    String id =
        sdk.createMultipartUpload(b -> b.bucket(BUCKET).key(p + "/large").checksumAlgorithm(sdkAlgorithm))
            .uploadId();
    List<CompletedPart> parts = new ArrayList<>();
    for (int n = 1, off = 0; off < large.length; n++, off += 5 * MIB) {
      int number = n;
      byte[] part = Arrays.copyOfRange(large, off, Math.min(large.length, off + 5 * MIB));
      var r =
          sdk.uploadPart(
              b -> b.bucket(BUCKET).key(p + "/large").uploadId(id).partNumber(number)
                  .checksumAlgorithm(sdkAlgorithm),
              RequestBody.fromBytes(part));
      String sum = base64(Hasher.of(algorithm, part, 0, part.length));
      CompletedPart.Builder done = CompletedPart.builder().partNumber(n).eTag(r.eTag());
      switch (algorithm) {
        case CRC32C -> done.checksumCRC32C(sum);
        case CRC32 -> done.checksumCRC32(sum);
        case CRC64NVME -> done.checksumCRC64NVME(sum);
        case SHA1 -> done.checksumSHA1(sum);
        case SHA256 -> done.checksumSHA256(sum);
        case MD5 -> throw new AssertionError();
      }
      parts.add(done.build());
    }
    sdk.completeMultipartUpload(
        b -> b.bucket(BUCKET).key(p + "/large").uploadId(id).multipartUpload(m -> m.parts(parts)));

    // Every client configuration reads them, whichever algorithm it uploads with.
    try (BlobClient blocking = new BlobClient(config(ChecksumAlgorithm.CRC32C))) {
      AsyncBlobClient async = new AsyncBlobClient(config(algorithm));
      try {
        Fixtures.assertSameBytes(blocking.get(BUCKET, p + "/small"), small);
        Fixtures.assertSameBytes(blocking.get(BUCKET, p + "/large"), large);
        Fixtures.assertSameBytes(await(async.get(BUCKET, p + "/small")), small);
        Path target = dir.resolve(p + ".bin");
        await(async.download(BUCKET, p + "/large", target, null));
        Fixtures.assertSameBytes(Files.readAllBytes(target), large);
      } finally {
        await(async.close());
      }
    }
  }
}
