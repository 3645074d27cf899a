package io.ambidex.s3embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The embedded store's key rules (KeyGuard) as the AWS SDK for Java v2 meets them, on the
 * filesystem store (the {@code blob} tool's) and the in-memory one: each test failed before its
 * fix (ARCHITECTURE.md, choices 213 on).
 */
@Timeout(120)
class KeyGuardTest {
  @TempDir Path dir;

  static S3Client client(EmbeddedS3 s3) {
    return S3Client.builder()
        .endpointOverride(s3.endpoint())
        .forcePathStyle(true)
        .region(Region.US_EAST_1)
        .overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(1)))
        .credentialsProvider(
            StaticCredentialsProvider.create(
                AwsBasicCredentials.create(s3.accessKey(), s3.secretKey())))
        .build();
  }

  private EmbeddedS3 start(boolean filesystem) {
    return EmbeddedS3.start(filesystem ? dir.resolve("data") : null);
  }

  @ParameterizedTest(name = "filesystem={0}")
  @ValueSource(booleans = {true, false})
  void deleteObjects_withAPathLikeKey_isRefused_andDeletesNoOtherObject(boolean filesystem) {
    try (EmbeddedS3 s3 = start(filesystem);
        S3Client c = client(s3)) {
      c.createBucket(b -> b.bucket("multi"));
      c.putObject(p -> p.bucket("multi").key("escape"), RequestBody.fromString("kept"));
      c.putObject(p -> p.bucket("multi").key("other"), RequestBody.fromString("other"));

      assertThatThrownBy(
              () ->
                  c.deleteObjects(
                      d ->
                          d.bucket("multi")
                              .delete(
                                  x ->
                                      x.objects(
                                          ObjectIdentifier.builder().key("other").build(),
                                          ObjectIdentifier.builder().key("p/../escape").build()))))
          .isInstanceOfSatisfying(
              S3Exception.class,
              e -> {
                assertThat(e.statusCode()).isEqualTo(400);
                assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidArgument");
                assertThat(e.getMessage()).contains("cannot keep the key 'p/../escape' as written");
              });
      assertThat(c.getObjectAsBytes(g -> g.bucket("multi").key("escape")).asUtf8String())
          .isEqualTo("kept");
      assertThat(c.getObjectAsBytes(g -> g.bucket("multi").key("other")).asUtf8String())
          .isEqualTo("other");
    }
  }

  @Test
  void directoryMarker_besideAnObjectOfItsName_isRefused_onADataDirectory() {
    try (EmbeddedS3 s3 = start(true);
        S3Client c = client(s3)) {
      c.createBucket(b -> b.bucket("markers"));
      c.putObject(p -> p.bucket("markers").key("a"), RequestBody.fromString("A"));
      c.putObject(p -> p.bucket("markers").key("m/"), RequestBody.empty());
      c.putObject(p -> p.bucket("markers").key("k/j/"), RequestBody.empty());

      // Was: success, and nothing stored ('a/' then read as 'a').
      assertRefused(
          () -> c.putObject(p -> p.bucket("markers").key("a/"), RequestBody.empty()),
          "'a' is an object, so 'a/' cannot be one too");
      // Were: 500 InternalError, retried by every client.
      assertRefused(
          () -> c.putObject(p -> p.bucket("markers").key("m"), RequestBody.fromString("M")),
          "'m/' is an object, so 'm' cannot be one too");
      assertRefused(
          () -> c.putObject(p -> p.bucket("markers").key("k/j"), RequestBody.fromString("J")),
          "'k/j/' is an object, so 'k/j' cannot be one too");
      assertThat(
              c.listObjectsV2(l -> l.bucket("markers")).contents().stream()
                  .map(S3Object::key)
                  .toList())
          .containsExactly("a", "k/j/", "m/");
    }
  }

  /* The in-memory store keeps keys as a tree too: the same conflicts were its 500s. */
  @Test
  void keysBesideAnObjectOfTheirDirectory_areRefused_inMemoryToo() {
    try (EmbeddedS3 s3 = start(false);
        S3Client c = client(s3)) {
      c.createBucket(b -> b.bucket("tree"));
      c.putObject(p -> p.bucket("tree").key("a"), RequestBody.fromString("A"));
      c.putObject(p -> p.bucket("tree").key("b/c"), RequestBody.fromString("C"));
      c.putObject(p -> p.bucket("tree").key("m/"), RequestBody.empty());

      assertRefused(
          () -> c.putObject(p -> p.bucket("tree").key("a/b"), RequestBody.fromString("AB")),
          "'a' is an object, so 'a/b' cannot be one too");
      assertRefused(
          () -> c.putObject(p -> p.bucket("tree").key("a/"), RequestBody.empty()),
          "'a' is an object, so 'a/' cannot be one too");
      assertRefused(
          () -> c.putObject(p -> p.bucket("tree").key("b"), RequestBody.fromString("B")),
          "keys start with 'b/', so 'b' cannot be an object too");
      assertRefused(
          () -> c.putObject(p -> p.bucket("tree").key("m"), RequestBody.fromString("M")),
          "'m/' is an object, so 'm' cannot be one too");
      // Still allowed: an object replaced, a marker put again, an object under a marker.
      c.putObject(p -> p.bucket("tree").key("a"), RequestBody.fromString("A"));
      c.putObject(p -> p.bucket("tree").key("m/"), RequestBody.empty());
      c.putObject(p -> p.bucket("tree").key("m/x"), RequestBody.fromString("X"));
      c.copyObject(
          x -> x.sourceBucket("tree").sourceKey("a").destinationBucket("tree")
              .destinationKey("a").metadataDirective("REPLACE").cacheControl("no-store"));
      assertThat(
              c.listObjectsV2(l -> l.bucket("tree")).contents().stream()
                  .map(o -> o.key() + "=" + o.size())
                  .toList())
          .containsExactly("a=1", "b/c=1", "m/=0", "m/x=1");
      assertThat(c.getObjectAsBytes(g -> g.bucket("tree").key("a")).asUtf8String()).isEqualTo("A");
    }
  }

  /* As on S3, an anonymous request is refused (403) before its key is judged. */
  @ParameterizedTest(name = "filesystem={0}")
  @ValueSource(booleans = {true, false})
  void anUnsignedRequest_isForbidden_beforeItsKeyIsJudged(boolean filesystem) throws Exception {
    try (EmbeddedS3 s3 = start(filesystem);
        S3Client c = client(s3)) {
      c.createBucket(b -> b.bucket("open"));
      java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

      java.net.http.HttpResponse<String> put =
          http.send(
              java.net.http.HttpRequest.newBuilder(s3.endpoint().resolve("/open/a%01b"))
                  .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("x"))
                  .build(),
              java.net.http.HttpResponse.BodyHandlers.ofString());

      assertThat(put.statusCode()).as(put.body()).isEqualTo(403);
      assertThat(put.body()).doesNotContain("InvalidArgument");
    }
  }

  private static void assertRefused(ThrowingCallable call, String rule) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            S3Exception.class,
            e -> {
              assertThat(e.statusCode()).isEqualTo(400);
              assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidArgument");
              assertThat(e.getMessage()).contains(rule);
            });
  }

  @ParameterizedTest(name = "filesystem={0}")
  @ValueSource(booleans = {true, false})
  void write_ofAKeyOver1024Bytes_isKeyTooLong_asOnS3(boolean filesystem) {
    String segment = "s".repeat(200) + "/";
    String atLimit = segment.repeat(5) + "x".repeat(19); // 1024 bytes
    String over = segment.repeat(5) + "\u00e9".repeat(10); // 1025: 'é' is 2 bytes
    String far = segment.repeat(24) + "z"; // 4825 bytes: was a 500 on a data directory
    try (EmbeddedS3 s3 = start(filesystem);
        S3Client c = client(s3)) {
      c.createBucket(b -> b.bucket("long"));
      c.putObject(p -> p.bucket("long").key(atLimit), RequestBody.fromString("fits"));
      for (String key : new String[] {over, far}) {
        assertThatThrownBy(() -> c.putObject(p -> p.bucket("long").key(key), RequestBody.empty()))
            .as("%d bytes", key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length)
            .isInstanceOfSatisfying(
                S3Exception.class,
                e -> {
                  assertThat(e.statusCode()).isEqualTo(400);
                  assertThat(e.awsErrorDetails().errorCode()).isEqualTo("KeyTooLongError");
                  assertThat(e.getMessage()).contains("at most 1024 bytes");
                });
        assertThatThrownBy(() -> c.createMultipartUpload(m -> m.bucket("long").key(key)))
            .isInstanceOfSatisfying(
                S3Exception.class,
                e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("KeyTooLongError"));
        assertThatThrownBy(
                () ->
                    c.copyObject(
                        p ->
                            p.sourceBucket("long")
                                .sourceKey(atLimit)
                                .destinationBucket("long")
                                .destinationKey(key)))
            .isInstanceOfSatisfying(
                S3Exception.class,
                e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("KeyTooLongError"));
      }
      assertThat(
              c.listObjectsV2(l -> l.bucket("long")).contents().stream()
                  .map(S3Object::key)
                  .toList())
          .containsExactly(atLimit);
    }
  }
}
