package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * cp and mv downloads give the file the object's last modification, as sync's do (and the AWS
 * CLI's cp), so a sync after a cp down has nothing to do. The objects' times are set back in the
 * embedded store's directory (S3Proxy's filesystem store reports a blob file's modification
 * time), so the test does not depend on how many seconds pass.
 */
@Timeout(120)
class DownloadTimeTest {
  static final Instant OLD = Instant.parse("2020-01-02T03:04:05Z");

  @TempDir static Path data;
  static EmbeddedS3 s3;
  static ToolHarness tool;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(data.resolve("store"));
    tool = new ToolHarness(s3);
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  private void upload(String bucket, String key, String text) throws Exception {
    Path file = Files.writeString(dir.resolve("upload.tmp"), text);
    assertThat(tool.blob("cp", file.toString(), "s3://" + bucket + "/" + key).code()).isZero();
    Path blob = data.resolve("store").resolve(bucket).resolve(key);
    Assumptions.assumeTrue(Files.isRegularFile(blob), "the embedded store keeps objects as files");
    Files.setLastModifiedTime(blob, FileTime.from(OLD));
    assertThat(tool.blob("ls", "--json", "s3://" + bucket + "/" + key).out()).contains("2020-01-02T03:04:05");
  }

  @Test
  void cpRecursiveDown_setsObjectTimes_soSyncUpHasNothingToDo() throws Exception {
    assertThat(tool.blob("mb", "s3://time-cp").code()).isZero();
    upload("time-cp", "p/a.txt", "a");
    upload("time-cp", "p/sub/b.txt", "bb");
    Path down = dir.resolve("down");
    ToolHarness.Run cp = tool.blob("cp", "--recursive", "s3://time-cp/p/", down.toString());
    assertThat(cp.code()).as(cp.err()).isZero();
    assertThat(Files.getLastModifiedTime(down.resolve("a.txt")).toInstant()).isEqualTo(OLD);
    ToolHarness.Run sync = tool.blob("sync", down.toString(), "s3://time-cp/p/");
    assertThat(sync.code()).as(sync.err()).isZero();
    assertThat(sync.out()).doesNotContain("upload:");
  }

  @Test
  void cpAndMvOneObjectDown_setObjectTime() throws Exception {
    assertThat(tool.blob("mb", "s3://time-one").code()).isZero();
    upload("time-one", "one.txt", "one");
    Path file = dir.resolve("one.txt");
    assertThat(tool.blob("cp", "s3://time-one/one.txt", file.toString()).code()).isZero();
    assertThat(Files.getLastModifiedTime(file).toInstant()).isEqualTo(OLD);
    Path moved = dir.resolve("moved.txt");
    assertThat(tool.blob("mv", "s3://time-one/one.txt", moved.toString()).code()).isZero();
    assertThat(Files.getLastModifiedTime(moved).toInstant()).isEqualTo(OLD);
  }
}
