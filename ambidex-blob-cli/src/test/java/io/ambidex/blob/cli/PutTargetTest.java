package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code put FILE s3://B/DIR/} stores the file under its name, as {@code cp} does. */
@Timeout(120)
class PutTargetTest {
  static EmbeddedS3 s3;
  static ToolHarness tool;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
    tool = new ToolHarness(s3);
    assertThat(tool.blob("mb", "s3://put-target").code()).isZero();
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @Test
  void put_targetEndsWithSlash_appendsTheFileName() throws Exception {
    Path file = Files.writeString(dir.resolve("report.txt"), "twelve bytes");
    ToolHarness.Run r = tool.blob("put", file.toString(), "s3://put-target/dir/");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("to s3://put-target/dir/report.txt");
    assertThat(tool.blob("cat", "s3://put-target/dir/report.txt").out()).isEqualTo("twelve bytes");
    assertThat(tool.blob("ls", "s3://put-target/dir/").out()).doesNotContain(" 0 dir/\n");
  }

  @Test
  void put_targetIsABucket_appendsTheFileName() throws Exception {
    Path file = Files.writeString(dir.resolve("top.txt"), "top");
    ToolHarness.Run r = tool.blob("put", file.toString(), "s3://put-target");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(tool.blob("cat", "s3://put-target/top.txt").out()).isEqualTo("top");
  }
}
