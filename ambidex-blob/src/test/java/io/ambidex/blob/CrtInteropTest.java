package io.ambidex.blob;

import static io.ambidex.blob.ChecksumContract.await;
import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Interoperability with the AWS Common Runtime's S3 client ({@code S3AsyncClient.crtBuilder()},
 * what the SDK's transfer manager and the AWS CLI run on) on the embedded server: objects it
 * uploads in parts with each flexible checksum are read, and checked, by both generated clients;
 * objects ours uploads in parts are read back by the CRT, which validates what it reads.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CrtInteropTest extends EmbeddedS3Fixture {
  private static S3AsyncClient crt;
  private static String bucket;

  @TempDir static Path dir;

  @BeforeAll
  static void startCrt() {
    crt =
        S3AsyncClient.crtBuilder()
            .endpointOverride(s3.endpoint())
            .forcePathStyle(true)
            .region(Region.US_EAST_1)
            .credentialsProvider(
                StaticCredentialsProvider.create(
                    AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
            .minimumPartSizeInBytes(5L * MIB)
            .thresholdInBytes(5L * MIB)
            .build();
    bucket = Fixtures.bucket();
    sdk.createBucket(b -> b.bucket(bucket));
  }

  @AfterAll
  static void stopCrt() {
    if (crt != null) {
      crt.close();
    }
  }

  private static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build();
  }

  @ParameterizedTest
  @EnumSource(
      value = ChecksumAlgorithm.class,
      names = {"CRC32C", "CRC32", "CRC64NVME", "SHA1", "SHA256"})
  void writtenByCrtInParts_withChecksum_readAndCheckedByBothClients(ChecksumAlgorithm algorithm)
      throws Exception {
    byte[] data = bytes(11 * MIB + 5, 80 + algorithm.ordinal());
    String key = "crt/" + algorithm.name();

    await(
        crt.putObject(
            b -> b.bucket(bucket).key(key).checksumAlgorithm(algorithm.name()),
            AsyncRequestBody.fromBytes(data)));

    HeadObjectResponse head =
        sdk.headObject(b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED));
    assertThat(head.eTag()).endsWith("-3\""); // three parts
    String stored = ChecksumContract.checksumOf(head, algorithm);
    assertThat(stored).as("the %s checksum the server keeps for the object", algorithm).isNotBlank();
    // The CRT uploads in parts with a COMPOSITE checksum, the checksum of its parts' checksums.
    // To recompute it, a reader needs the parts' lengths: ours asks with HEAD ?partNumber=k
    // (ForeignCompositeTest, against moto). S3Proxy does not answer that, so here both clients
    // check the length only.
    assertThat(head.checksumTypeAsString()).isEqualTo("COMPOSITE");
    assertThat(stored).endsWith("-3");
    assertThatThrownBy(() -> sdk.headObject(b -> b.bucket(bucket).key(key).partNumber(1)))
        .isInstanceOfSatisfying(
            S3Exception.class,
            e -> assertThat(e.statusCode()).isEqualTo(501));

    try (BlobClient blocking = new BlobClient(config())) {
      AsyncBlobClient async = new AsyncBlobClient(config());
      try {
        Fixtures.assertSameBytes(blocking.get(bucket, key), data);
        Fixtures.assertSameBytes(await(async.get(bucket, key)), data);
        Path target = dir.resolve(algorithm.name() + ".bin");
        await(async.download(bucket, key, target, null));
        Fixtures.assertSameBytes(Files.readAllBytes(target), data);
        assertThat(blocking.partLengths(bucket, key)).as("S3Proxy does not tell the parts").isEmpty();
      } finally {
        await(async.close());
      }
    }
  }

  @Test
  void writtenByAmbidexInParts_readByCrt_withValidation() throws Exception {
    byte[] data = bytes(13 * MIB + 1, 90);
    BlobConfig crc32c =
        Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey())
            .checksum(ChecksumAlgorithm.CRC32C)
            .build();
    try (BlobClient blocking = new BlobClient(crc32c)) {
      AsyncBlobClient async = new AsyncBlobClient(crc32c);
      try {
        assertThat(blocking.put(bucket, "ours/blocking", data).parts()).isEqualTo(3);
        assertThat(await(async.put(bucket, "ours/async", data)).parts()).isEqualTo(3);
      } finally {
        await(async.close());
      }
    }

    for (String key : new String[] {"ours/blocking", "ours/async"}) {
      byte[] read =
          await(
                  crt.getObject(
                      b -> b.bucket(bucket).key(key).checksumMode(ChecksumMode.ENABLED),
                      AsyncResponseTransformer.toBytes()))
              .asByteArray();
      Fixtures.assertSameBytes(read, data);
    }

    // Ours is a FULL_OBJECT CRC32C, which the CRT checks: one byte changed in the stored file fails
    // its read.
    Path file = EmbeddedS3Fixture.data.resolve("store").resolve(bucket).resolve("ours/async");
    byte[] corrupt = Files.readAllBytes(file);
    corrupt[9 * MIB] ^= 1;
    Files.write(file, corrupt);
    assertThatThrownBy(
            () ->
                await(
                    crt.getObject(
                        b -> b.bucket(bucket).key("ours/async").checksumMode(ChecksumMode.ENABLED),
                        AsyncResponseTransformer.toBytes())))
        .hasMessageContaining("checksum");
  }
}
