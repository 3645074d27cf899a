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

/**
 * --include/--exclude apply to a single path too, matched against its name (the path relative to
 * its parent), as aws s3 does: an excluded path is silently not transferred, exit 0.
 */
@Timeout(120)
class SinglePathFilterTest {
  static EmbeddedS3 s3;
  static ToolHarness tool;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
    tool = new ToolHarness(s3);
    assertThat(tool.blob("mb", "s3://single-filter").code()).isZero();
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  private boolean exists(String uri) {
    return tool.blob("stat", uri).code() == 0;
  }

  @Test
  void rm_excludedKey_isNotDeleted() throws Exception {
    Path file = Files.writeString(dir.resolve("keep.txt"), "keep");
    assertThat(tool.blob("cp", file.toString(), "s3://single-filter/sub/keep.txt").code()).isZero();
    ToolHarness.Run r = tool.blob("rm", "s3://single-filter/sub/keep.txt", "--exclude", "*");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).isEmpty();
    assertThat(exists("s3://single-filter/sub/keep.txt")).isTrue();
    // Matched against the name: 'sub/*' does not match 'keep.txt'.
    assertThat(tool.blob("rm", "s3://single-filter/sub/keep.txt", "--exclude", "sub/*").code()).isZero();
    assertThat(exists("s3://single-filter/sub/keep.txt")).isFalse();
  }

  @Test
  void cpUpload_excludedFile_isNotUploaded_reincludedIs() throws Exception {
    Path file = Files.writeString(dir.resolve("up.log"), "log");
    ToolHarness.Run r = tool.blob("cp", file.toString(), "s3://single-filter/up.log", "--exclude", "*.log");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(exists("s3://single-filter/up.log")).isFalse();
    assertThat(tool.blob("mv", file.toString(), "s3://single-filter/up.log", "--exclude", "*.log").code()).isZero();
    assertThat(file).exists();
    assertThat(tool.blob("cp", file.toString(), "s3://single-filter/up.log",
        "--exclude", "*", "--include", "up.*").code()).isZero();
    assertThat(exists("s3://single-filter/up.log")).isTrue();
  }

  @Test
  void cpDownloadAndCopy_excludedKey_isNotTransferred() throws Exception {
    Path file = Files.writeString(dir.resolve("down.txt"), "down");
    assertThat(tool.blob("cp", file.toString(), "s3://single-filter/d/down.txt").code()).isZero();
    Path target = dir.resolve("got.txt");
    ToolHarness.Run r = tool.blob("cp", "s3://single-filter/d/down.txt", target.toString(), "--exclude", "down.*");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(target).doesNotExist();
    assertThat(tool.blob("cp", "s3://single-filter/d/down.txt", "s3://single-filter/e/down.txt",
        "--exclude", "*").code()).isZero();
    assertThat(exists("s3://single-filter/e/down.txt")).isFalse();
  }
}
