package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a single download goes, and what the tool says when it cannot go there: the exit codes of
 * docs/blob-tool.md's table, one line naming the path and the fix.
 */
@Timeout(120)
class DownloadTargetTest {
  static EmbeddedS3 s3;
  static ToolHarness tool;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    s3 = EmbeddedS3.start(null);
    tool = new ToolHarness(s3);
    assertThat(tool.blob("mb", "s3://download-target").code()).isZero();
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  /*
   * A directory this process may not write to. Root may write to any directory whose mode says
   * otherwise, but not to /proc/sys (procfs answers access(2) for itself), so that one is used.
   */
  private Path unwritableDirectory() throws Exception {
    Path locked;
    if ("root".equals(System.getProperty("user.name"))) {
      locked = Path.of("/proc/sys");
    } else {
      locked = Files.createDirectory(dir.resolve("locked"));
      Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    Assumptions.assumeTrue(Files.isDirectory(locked) && !Files.isWritable(locked),
        "no directory this user cannot write to");
    return locked;
  }

  /* docs/blob-tool.md: 4 is "refused: ... a local permission"; it was 2, a usage error. */
  @Test
  void cp_get_intoAnUnwritableDirectory_areRefused_exit4() throws Exception {
    Path file = Files.writeString(dir.resolve("f.txt"), "bytes");
    assertThat(tool.blob("cp", file.toString(), "s3://download-target/f.txt").code()).isZero();
    Path locked = unwritableDirectory();
    for (String[] command : new String[][] {
        {"cp", "s3://download-target/f.txt", locked + "/"},
        {"cp", "s3://download-target/f.txt", locked.resolve("g.txt").toString()},
        {"mv", "s3://download-target/f.txt", locked + "/"},
        {"get", "s3://download-target/f.txt", locked.resolve("g.txt").toString()}}) {
      ToolHarness.Run r = tool.blob(command);
      assertThat(r.code()).as(String.join(" ", command) + ": " + r.err()).isEqualTo(ExitCodes.REFUSED);
      assertThat(r.err()).hasLineCount(1).contains(locked.toString()).contains("permission denied")
          .contains("chmod u+w");
    }
    assertThat(tool.blob("stat", "s3://download-target/f.txt").code()).isZero(); // mv kept it
  }
}
