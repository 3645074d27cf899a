package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The embedded store refuses, with a 400 naming the key and the rule, the keys it would not keep
 * as written: before, {@code p/../escape} was stored as {@code escape} (another object), content
 * under {@code dir/} was dropped while the upload succeeded, and {@code a} beside {@code a/b} was
 * a 500 retried three times. Through this client, which sends keys as written; on the filesystem
 * store (the {@code blob} tool's) and, for the rules of every store, the in-memory one.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EmbeddedKeysTest {
  @TempDir Path dir;

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> keys(BlobClient client, String bucket) {
    try (Stream<BlobObject> objects = client.list(bucket, "")) {
      return objects.map(BlobObject::key).toList();
    }
  }

  @ParameterizedTest(name = "filesystem={0}")
  @ValueSource(booleans = {true, false})
  void pathLikeKeys_areRefused_andNoOtherObjectIsTouched(boolean filesystem) throws Exception {
    try (EmbeddedS3 s3 = EmbeddedS3.start(filesystem ? dir.resolve("store") : null);
        BlobClient client =
            new BlobClient(Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build())) {
      client.createBucket("keys");
      client.put("keys", "escape", text("the real escape"));
      for (String key : List.of("p/../escape", "p/./escape", "p//escape", "/escape", "..", "p/..")) {
        assertThatThrownBy(() -> client.put("keys", key, text("other")))
            .as(key)
            .isInstanceOf(BlobException.class)
            .hasMessageContaining("InvalidArgument")
            .hasMessageContaining("cannot keep the key '" + key + "' as written");
        assertThatThrownBy(() -> client.get("keys", key)).as(key).isInstanceOf(BlobException.class);
        assertThatThrownBy(() -> client.delete("keys", key)).as(key).isInstanceOf(BlobException.class);
      }
      assertThatThrownBy(() -> client.put("keys", "ctl\u0001key", text("x")))
          .isInstanceOf(BlobException.class)
          .hasMessageContaining("it holds U+0001, which its listings (XML 1.0) cannot carry");
      assertThat(client.get("keys", "escape")).isEqualTo(text("the real escape"));
      assertThat(keys(client, "keys")).containsExactly("escape");
      // Dots inside names, and a trailing '/' without content, are fine.
      client.put("keys", "p/..x/.hidden", text("kept"));
      assertThat(client.get("keys", "p/..x/.hidden")).isEqualTo(text("kept"));
    }
  }

  @org.junit.jupiter.api.Test
  void filesystemStore_refusesWhatItCannotKeepAsFiles_andKeepsTheRest() throws Exception {
    try (EmbeddedS3 s3 = EmbeddedS3.start(dir.resolve("store"));
        BlobClient client =
            new BlobClient(Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build())) {
      client.createBucket("files");
      // Content under a key ending in '/': refused (it was stored as an empty directory).
      assertThatThrownBy(() -> client.put("files", "dir/", text("lost")))
          .isInstanceOf(BlobException.class)
          .hasMessageContaining("keeps a key ending in '/' as a directory")
          .hasMessageContaining("cannot have 4 bytes");
      client.put("files", "marker/", new byte[0]);
      // An object and a "directory" of the same name.
      client.put("files", "a", text("a"));
      assertThatThrownBy(() -> client.put("files", "a/b", text("b")))
          .isInstanceOf(BlobException.class)
          .hasMessageContaining("'a' is an object, so 'a/b' cannot be one too");
      client.put("files", "c/d", text("d"));
      assertThatThrownBy(() -> client.put("files", "c", text("c")))
          .isInstanceOf(BlobException.class)
          .hasMessageContaining("keys start with 'c/', so 'c' cannot be an object too");
      // A segment longer than a file name may be.
      String longSegment = "s".repeat(256);
      assertThatThrownBy(() -> client.put("files", "x/" + longSegment, text("x")))
          .isInstanceOf(BlobException.class)
          .hasMessageContaining("KeyTooLongError")
          .hasMessageContaining("255 bytes");
      // Multipart uploads are checked when they are created.
      byte[] big = Fixtures.bytes(6 * Fixtures.MIB, 7);
      assertThatThrownBy(() -> client.put("files", "a/big", big)).isInstanceOf(BlobException.class);
      client.put("files", "e/big", big);
      assertThat(client.get("files", "e/big")).isEqualTo(big);
      assertThat(keys(client, "files")).contains("a", "c/d", "e/big").doesNotContain("a/b", "dir/");
      assertThat(client.get("files", "a")).isEqualTo(text("a"));
      assertThatThrownBy(() -> client.delete("no-such-bucket", "k"))
          .as("S3Proxy answered 204")
          .isInstanceOf(NoSuchBucketException.class);
      try (Stream<PendingUpload> uploads = client.listUploads("files", null)) {
        assertThat(uploads).isEmpty();
      }
    }
  }
}
