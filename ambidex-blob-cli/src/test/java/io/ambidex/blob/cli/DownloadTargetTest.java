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

  /*
   * A download into directories that do not exist creates them (as the AWS CLI does), but one that
   * fails leaves none of them behind: a missing key left new/deeper/ empty (the AWS CLI asks for
   * the object before it creates anything). Directories that were there stay.
   */
  @Test
  void cp_ofAMissingKey_intoNewDirectories_leavesNoDirectoryBehind() throws Exception {
    Files.createDirectory(dir.resolve("old"));
    for (boolean async : new boolean[] {false, true}) {
      Path file = dir.resolve("old/new/deeper/f.txt");
      ToolHarness.Run r = async
          ? tool.blob("--async", "cp", "s3://download-target/no-such-key", file.toString())
          : tool.blob("cp", "s3://download-target/no-such-key", file.toString());
      assertThat(r.code()).as("async=" + async + ": " + r.err()).isEqualTo(ExitCodes.NOT_FOUND);
      assertThat(dir.resolve("old/new")).as("async=%s", async).doesNotExist();
      assertThat(dir.resolve("old")).isDirectory();
    }
    Path source = Files.writeString(dir.resolve("g.txt"), "bytes");
    assertThat(tool.blob("cp", source.toString(), "s3://download-target/g.txt").code()).isZero();
    Path file = dir.resolve("old/new/deeper/g.txt");
    assertThat(tool.blob("cp", "s3://download-target/g.txt", file.toString()).code()).isZero();
    assertThat(file).hasContent("bytes");
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

  /*
   * A prefix written as one writes a directory, without the trailing '/', and without
   * --recursive: the 404 of the key said nothing of --recursive (with the '/', it did).
   */
  @Test
  void cp_mv_ofAPrefixWithoutRecursive_sayToAddRecursive() throws Exception {
    Path file = Files.writeString(dir.resolve("a.txt"), "bytes");
    assertThat(tool.blob("cp", file.toString(), "s3://download-target/photos/2026/a.txt").code()).isZero();
    Path into = dir.resolve("into");
    for (String[] command : new String[][] {
        {"cp", "s3://download-target/photos", into.toString()},
        {"--async", "cp", "s3://download-target/photos", into.toString()},
        {"--async", "cp", "s3://download-target/photos", "s3://download-target/copy/"},
        {"cp", "s3://download-target/photos/2026", dir + "/"},
        {"mv", "s3://download-target/photos", into.toString()},
        {"cp", "s3://download-target/photos", "s3://download-target/copy/"},
        {"mv", "s3://download-target/photos", "s3://download-target/moved"}}) {
      ToolHarness.Run r = tool.blob(command);
      assertThat(r.code()).as(String.join(" ", command) + ": " + r.err()).isEqualTo(ExitCodes.USAGE);
      String verb = command[0].equals("--async") ? command[1] : command[0];
      String source = command[0].equals("--async") ? command[2] : command[1];
      assertThat(r.err()).as(String.join(" ", command)).hasLineCount(1)
          .contains(source + " is not an object but a prefix")
          .contains("add --recursive to " + (verb.equals("mv") ? "move" : "copy"));
    }
    assertThat(into).doesNotExist();
    ToolHarness.Run json = tool.blob("cp", "--json", "s3://download-target/photos", into.toString());
    assertThat(json.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(json.out()).contains("\"exit\":2").contains("add --recursive");
    // A key that is missing and no prefix either: still "not found", the store's message.
    ToolHarness.Run missing = tool.blob("cp", "s3://download-target/nothing", into.toString());
    assertThat(missing.code()).as(missing.err()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.err()).doesNotContain("--recursive");
    assertThat(tool.blob("stat", "s3://download-target/photos/2026/a.txt").code()).isZero();
  }

  /*
   * A directory in the destination tree where an object's file goes is a local conflict, like a
   * file where a directory is needed (exit 1, "move it away"), not a usage error: it exited 2 with
   * the client's "it is a directory; name the file to write", which fits no recursive command.
   */
  @Test
  void download_ontoADirectoryInTheTree_isALocalFailure_exit1() throws Exception {
    Path file = Files.writeString(dir.resolve("f.txt"), "bytes");
    assertThat(tool.blob("cp", file.toString(), "s3://download-target/tree/Case").code()).isZero();
    Path into = Files.createDirectories(dir.resolve("into").resolve("Case"));
    Path root = into.getParent();
    for (String[] command : new String[][] {
        {"cp", "--recursive", "s3://download-target/tree/", root.toString()},
        {"sync", "s3://download-target/tree/", root.toString()},
        {"cp", "s3://download-target/tree/Case", root + "/"}}) {
      ToolHarness.Run r = tool.blob(command);
      assertThat(r.code()).as(String.join(" ", command) + ": " + r.err()).isEqualTo(ExitCodes.FAILED);
      assertThat(r.err().lines().filter(l -> !l.startsWith("cp:") && !l.startsWith("sync:")))
          .singleElement().asString()
          .contains(into + " is a directory").contains("move it away")
          .doesNotContain("name the file to write");
    }
    assertThat(into).isDirectory();
  }
}
