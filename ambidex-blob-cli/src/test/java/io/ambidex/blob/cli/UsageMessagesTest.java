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

/** Usage errors are one line that fits what was typed, and says what to do. */
@Timeout(120)
class UsageMessagesTest {
  static EmbeddedS3 s3;
  static ToolHarness tool;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
    tool = new ToolHarness(s3);
    assertThat(tool.blob("mb", "s3://usage-msgs").code()).isZero();
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  static void failsWith(ToolHarness.Run r, int code, String... fragments) {
    assertThat(r.code()).as(r.err()).isEqualTo(code);
    assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
    assertThat(r.err()).doesNotContain("Exception").doesNotContain("Usage:");
    for (String f : fragments) {
      assertThat(r.err()).contains(f);
    }
  }

  @Test
  void mb_withAKey_isRefusedNamingTheBucket() {
    failsWith(tool.blob("mb", "s3://usage-mb/bar"), ExitCodes.USAGE, "s3://usage-mb");
    assertThat(tool.blob("ls").out()).doesNotContain("usage-mb");
  }

  @Test
  void put_directory_pointsToCpRecursive() throws Exception {
    Path d = Files.createDirectories(dir.resolve("d"));
    ToolHarness.Run r = tool.blob("put", d.toString(), "s3://usage-msgs/d");
    failsWith(r, ExitCodes.USAGE, d.toString(), "cp --recursive");
    assertThat(r.err()).doesNotContain("add --recursive");
  }

  @Test
  void sync_file_pointsToCp() throws Exception {
    Path f = Files.writeString(dir.resolve("f.txt"), "f");
    ToolHarness.Run r = tool.blob("sync", f.toString(), "s3://usage-msgs/");
    failsWith(r, ExitCodes.USAGE, f.toString(), "blob cp");
    assertThat(r.err()).doesNotContain("drop --recursive");
  }

  @Test
  void cp_ontoItselfWithoutOptions_saysWhatWouldChangeIt() throws Exception {
    Path f = Files.writeString(dir.resolve("self.txt"), "self");
    assertThat(tool.blob("cp", f.toString(), "s3://usage-msgs/self.txt").code()).isZero();
    failsWith(tool.blob("cp", "s3://usage-msgs/self.txt", "s3://usage-msgs/self.txt"), ExitCodes.USAGE,
        "onto itself", "--metadata");
    assertThat(tool.blob("cp", "s3://usage-msgs/self.txt", "s3://usage-msgs/self.txt",
        "--content-type", "text/plain").code()).isZero();
  }

  @Test
  void cpDown_prefixWithoutRecursive_suggestsRecursive() {
    failsWith(tool.blob("cp", "s3://usage-msgs/prefix/", dir.toString()), ExitCodes.USAGE,
        "s3://usage-msgs/prefix/", "--recursive");
  }

  @Test
  void checksumAlgorithm_lowerCase_isAccepted() {
    assertThat(BlobTool.commandLine(new BlobTool(), "--checksum-algorithm", "crc32", "ls")
        .parseArgs("--checksum-algorithm", "crc32", "ls").hasMatchedOption("--checksum-algorithm")).isTrue();
  }

  @Test
  void unknownOptionOrBadValue_isOneLinePointingToHelp() {
    failsWith(tool.blob("ls", "--no-such-option", "s3://usage-msgs"), ExitCodes.USAGE,
        "--no-such-option", "blob ls --help");
    failsWith(tool.blob("cp", "--concurrency", "many", "a", "s3://usage-msgs/"), ExitCodes.USAGE,
        "many", "blob cp --help");
    failsWith(tool.blob("--checksum-algorithm", "nope", "ls"), ExitCodes.USAGE, "nope", "--help");
  }

  /*
   * aws takes its global options anywhere (aws s3 ls s3://b --endpoint-url URL); the tool took
   * them before the command only, and after it said "Unknown option: '--endpoint'; see blob ls
   * --help", whose help did not list it.
   */
  @Test
  void globalOptions_afterTheCommand_areTaken() throws Exception {
    Path f = Files.writeString(dir.resolve("g.txt"), "g");
    for (String[] args : new String[][] {
        {"cp", f.toString(), "s3://usage-msgs/global/g.txt", "--endpoint", s3.endpoint().toString(),
            "--no-progress", "--checksum-algorithm", "sha256", "--region", "us-east-1"},
        {"ls", "--endpoint", s3.endpoint().toString(), "--async", "s3://usage-msgs/global/"}}) {
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
      BlobTool t = new BlobTool();
      t.credentials = io.ambidex.blob.Credentials.of(s3.accessKey(), s3.secretKey());
      int code = BlobTool.run(t, args,
          new java.io.PrintStream(out, true, java.nio.charset.StandardCharsets.UTF_8),
          new java.io.PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
      assertThat(code).as(String.join(" ", args) + ": " + err).isZero();
      assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("global/g.txt");
    }
    assertThat(tool.blob("ls", "--help").out()).contains("--endpoint");
  }

  /*
   * A file whose name starts with '-' is read as options ("blob cp -dash s3://b/" said "Missing
   * required parameter: 'DST'", which names nothing that was wrong). The error now says how to
   * name it. The file is in the working directory, as a user's would be.
   */
  @Test
  void fileNamedLikeAnOption_theErrorSaysHowToNameIt() throws Exception {
    Path file = Path.of("-usage-test-dash.txt");
    Files.writeString(file, "d");
    try {
      ToolHarness.Run r = tool.blob("cp", file.toString(), "s3://usage-msgs/dash/");
      failsWith(r, ExitCodes.USAGE, "'-usage-test-dash.txt' is a file here, read as an option",
          "./-usage-test-dash.txt", "--");
      ToolHarness.Run ok = tool.blob("cp", "--", file.toString(), "s3://usage-msgs/dash/");
      assertThat(ok.code()).as(ok.err()).isZero();
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
