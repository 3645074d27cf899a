package io.ambidex.s3embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeletedObject;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * What an AWS SDK for Java v2 client meets on the embedded store beyond its key rules, on the
 * filesystem store (the {@code blob} tool's) and the in-memory one: each test failed before its
 * fix (ARCHITECTURE.md, choices 213 on).
 */
@Timeout(120)
class StoreBehaviourTest {
  @TempDir Path dir;

  private static S3Client client(EmbeddedS3 s3) {
    return KeyGuardTest.client(s3);
  }

  @ParameterizedTest(name = "filesystem={0}")
  @ValueSource(booleans = {true, false})
  void putObject_withAFormContentType_storesTheBodyAsSent(boolean filesystem) {
    try (EmbeddedS3 s3 = EmbeddedS3.start(filesystem ? dir.resolve("data") : null);
        S3Client c = client(s3)) {
      c.createBucket(b -> b.bucket("forms"));
      c.putObject(
          p -> p.bucket("forms").key("saved.form").contentType("application/x-www-form-urlencoded"),
          RequestBody.fromString("name=ada&lang=en"));

      ResponseBytes<GetObjectResponse> read =
          c.getObjectAsBytes(g -> g.bucket("forms").key("saved.form"));
      assertThat(read.asUtf8String()).isEqualTo("name=ada&lang=en");
      assertThat(read.response().contentType()).isEqualTo("application/x-www-form-urlencoded");
    }
  }

  @ParameterizedTest(name = "filesystem={0}")
  @ValueSource(booleans = {true, false})
  void deleteObjects_inABucketThatDoesNotExist_isNoSuchBucket(boolean filesystem) {
    try (EmbeddedS3 s3 = EmbeddedS3.start(filesystem ? dir.resolve("data") : null);
        S3Client c = client(s3)) {
      c.createBucket(b -> b.bucket("real"));
      c.putObject(p -> p.bucket("real").key("k"), RequestBody.fromString("kept"));

      // Was: 200, the key reported deleted (filesystem) or an empty answer (in memory).
      assertThatThrownBy(
              () ->
                  c.deleteObjects(
                      d ->
                          d.bucket("typo")
                              .delete(x -> x.objects(ObjectIdentifier.builder().key("k").build()))))
          .isInstanceOfSatisfying(
              S3Exception.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(404);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NoSuchBucket");
                assertThat(e.getMessage()).contains("typo");
              });
      assertThat(
              c.deleteObjects(
                      d ->
                          d.bucket("real")
                              .delete(x -> x.objects(ObjectIdentifier.builder().key("k").build())))
                  .deleted())
          .extracting(DeletedObject::key)
          .containsExactly("k");
    }
  }
}
