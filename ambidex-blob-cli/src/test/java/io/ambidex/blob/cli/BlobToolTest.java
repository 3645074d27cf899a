package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The tool end to end, against its embedded store in a temporary data directory. */
@Timeout(120)
class BlobToolTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  private Run blob(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of("--data-dir", dir.resolve("store").toString()));
    all.addAll(List.of(args));
    int code =
        BlobTool.run(
            all.toArray(String[]::new),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void mbPutLsGetRm_roundTripAcrossInvocations(boolean async) throws Exception {
    String flag = async ? "--async" : "--no-progress";
    Path file = dir.resolve("photo.bin");
    byte[] data = new byte[300_000];
    new Random(7).nextBytes(data);
    Files.write(file, data);

    assertThat(blob(flag, "mb", "photos")).isEqualTo(new Run(0, "make_bucket: photos\n", ""));
    Run put = blob(flag, "put", file.toString(), "s3://photos/2026/cat.bin");
    assertThat(put.code()).isZero();
    assertThat(put.out()).startsWith("upload: " + file + " to s3://photos/2026/cat.bin");

    Run buckets = blob(flag, "ls");
    assertThat(buckets.code()).isZero();
    assertThat(buckets.out().lines())
        .anyMatch(l -> l.matches("\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d photos"));
    assertThat(blob(flag, "ls", "--json").out().lines())
        .anyMatch(l -> l.startsWith("{\"bucket\":\"photos\",\"created\":\""));
    Run ls = blob(flag, "ls", "s3://photos");
    assertThat(ls.code()).isZero();
    assertThat(ls.out()).contains("PRE 2026/");
    Run lsPrefix = blob(flag, "ls", "s3://photos/2026/");
    assertThat(lsPrefix.out()).contains("300000 2026/cat.bin");

    Path back = dir.resolve("back.bin");
    assertThat(blob(flag, "get", "s3://photos/2026/cat.bin", back.toString()).code()).isZero();
    assertThat(Files.readAllBytes(back)).isEqualTo(data);

    assertThat(blob(flag, "rm", "s3://photos/2026/cat.bin").code()).isZero();
    assertThat(blob(flag, "ls", "s3://photos/2026/").out()).doesNotContain("cat.bin");
  }

  /*
   * Found by exploratory testing: an embedded store's data directory the user may not write to
   * started the store anyway, and the first command failed as the store's "InternalError (500)
   * ... Try again" after Jetty's warnings. Root may write to any directory whose mode says
   * otherwise, but not to /proc/sys (procfs answers access(2) for itself).
   */
  @Test
  void aDataDirectoryTheUserMayNotWriteTo_isRefused_exit4_inOneLine() throws Exception {
    Path locked;
    if ("root".equals(System.getProperty("user.name"))) {
      locked = Path.of("/proc/sys");
    } else {
      locked = java.nio.file.Files.createDirectory(dir.resolve("locked"));
      java.nio.file.Files.setPosixFilePermissions(
          locked, java.nio.file.attribute.PosixFilePermissions.fromString("r-xr-xr-x"));
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.Files.isDirectory(locked) && !java.nio.file.Files.isWritable(locked),
        "no directory this user cannot write to");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code =
        BlobTool.run(
            new String[] {"--no-progress", "--data-dir", locked.toString(), "mb", "s3://locked-store"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    String said = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(said).isEqualTo(ExitCodes.REFUSED);
    assertThat(said).hasLineCount(1).contains(locked.toString()).contains("--data-dir");
  }

  /* Found by exploratory testing of the store: the line named the path but not what was wrong. */
  @Test
  void aDataDirectoryUnderAFile_isRefused_inOneLine_sayingWhy() throws Exception {
    Path file = java.nio.file.Files.writeString(dir.resolve("not-a-dir"), "x");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();

    int code =
        BlobTool.run(
            new String[] {"--no-progress", "--data-dir", file.resolve("store").toString(), "mb",
                "s3://b"},
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    String said = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(said).isNotZero();
    assertThat(said)
        .hasLineCount(1)
        .contains("cannot be used (" + file + " exists and is not a directory")
        .contains("--data-dir");
  }

  @Test
  void userErrors_printOneLineAndExitNonZero() throws Exception {
    Run badUri = blob("put", "x", "photos/cat");
    assertThat(badUri.code()).isNotZero();
    assertThat(badUri.err()).isEqualTo("blob: 'photos/cat' is not an s3:// address; write s3://BUCKET/KEY\n");

    Run missing = blob("put", dir.resolve("nope").toString(), "s3://photos/k");
    assertThat(missing.code()).isNotZero();
    assertThat(missing.err()).startsWith("blob: ").doesNotContain("\tat ").contains("nope");

    Path f = Files.writeString(dir.resolve("f.txt"), "x");
    Run noBucket = blob("put", f.toString(), "s3://no-such-bucket/k");
    assertThat(noBucket.code()).isNotZero();
    assertThat(noBucket.err().lines().count()).isEqualTo(1);
    assertThat(noBucket.err()).startsWith("blob: ").doesNotContain("Exception");

    Run keyless = blob("rm", "s3://photos");
    assertThat(keyless.err()).contains("rm needs an object");

    Run bucketsRecursive = blob("ls", "--recursive");
    assertThat(bucketsRecursive.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(bucketsRecursive.err())
        .isEqualTo("blob: --recursive, --summarize and --human-readable list objects: name a bucket"
            + " (blob ls s3://BUCKET)\n");
  }

  @Test
  void help_isAvailableForEveryCommand() {
    for (String command : List.of("mb", "put", "get", "ls", "rm")) {
      Run help = blob(command, "--help");
      assertThat(help.code()).as(command).isZero();
      assertThat(help.out()).as(command).contains("Usage: blob " + command);
    }
    for (String command :
        List.of("mb", "rb", "cp", "mv", "sync", "ls", "rm", "cat", "stat", "presign", "put", "get", "completion")) {
      Run help = blob(command, "--help");
      assertThat(help.code()).as(command).isZero();
      assertThat(help.out()).as(command).contains("Usage: blob " + command).contains("Example")
          .contains("  blob " + command + " ");
    }
    assertThat(blob("--help").out()).contains("--async").contains("--endpoint");
  }

  private static final List<String> ALL_COMMANDS =
      List.of("mb", "rb", "cp", "mv", "sync", "ls", "rm", "cat", "stat", "presign", "put", "get",
          "completion");

  private static List<String> registered(String... args) {
    return List.copyOf(BlobTool.commandLine(new BlobTool(), args).getSubcommands().keySet());
  }

  @Test
  void commandLine_registersOnlyTheNamedSubcommand_afterGlobalOptionsAndTheirValues() {
    assertThat(registered("sync", "a", "s3://b/")).containsExactly("sync");
    assertThat(registered("--endpoint", "http://127.0.0.1:1", "--no-progress", "sync", "a", "b"))
        .containsExactly("sync");
    // An option's value that is also a command's name is the value, not the command.
    assertThat(registered("--region", "ls", "--data-dir=rm", "cp", "a", "b")).containsExactly("cp");
    assertThat(registered("--checksum-algorithm", "CRC32C", "--async", "get", "s3://b/k"))
        .containsExactly("get");
  }

  @Test
  void commandLine_registersEverySubcommand_whenTheCommandLineNamesNoneOrSomethingUnusual() {
    assertThat(registered()).containsExactlyElementsOf(ALL_COMMANDS);
    assertThat(registered("--help")).containsExactlyElementsOf(ALL_COMMANDS);
    assertThat(registered("syn", "a", "b")).containsExactlyElementsOf(ALL_COMMANDS);
    assertThat(registered("--no-such-option", "ls")).containsExactlyElementsOf(ALL_COMMANDS);
    assertThat(registered("--", "ls")).containsExactlyElementsOf(ALL_COMMANDS);
    // completion describes every command.
    assertThat(registered("completion")).containsExactlyElementsOf(ALL_COMMANDS);
    assertThat(registered("--endpoint")).containsExactlyElementsOf(ALL_COMMANDS);
  }

  @Test
  void usageAndSuggestionsAndCompletion_stillSeeEveryCommand() {
    Run none = blob();
    assertThat(none.code()).isEqualTo(ExitCodes.USAGE);
    Run help = blob("--help");
    for (String command : ALL_COMMANDS) {
      assertThat(none.out()).as(command).containsPattern("(?m)^  " + command + " ");
      assertThat(help.out()).as(command).containsPattern("(?m)^  " + command + " ");
    }
    Run typo = blob("syn", "a", "b");
    assertThat(typo.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(typo.err()).contains("sync");
    Run completion = blob("completion");
    assertThat(completion.code()).isZero();
    for (String command : ALL_COMMANDS) {
      assertThat(completion.out()).as(command).contains(command);
    }
    assertThat(completion.out()).contains("--recursive").contains("--checksum");
  }

  @Test
  void s3Uri_parsesAndRejects() {
    assertThat(S3Uri.parse("s3://b/a/b c")).isEqualTo(new S3Uri("b", "a/b c"));
    assertThat(S3Uri.parse("s3://b")).isEqualTo(new S3Uri("b", ""));
    assertThatThrownBy(() -> S3Uri.parse("s3:///k")).hasMessageContaining("names no bucket");
  }

  @Test
  void progressBar_rendersAndEndsAtOneHundredPercent() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    long[] now = {0};
    ProgressBar bar = new ProgressBar(new PrintStream(out, true, StandardCharsets.UTF_8), "put", () -> now[0]);
    bar.update(0, 2048);
    now[0] = 1_000_000_000L;
    bar.update(1024, 2048);
    now[0] = 2_000_000_000L;
    bar.update(2048, 2048);
    String drawn = out.toString(StandardCharsets.UTF_8);
    assertThat(drawn).contains(" 50%").contains("100%  2.0 KiB / 2.0 KiB").endsWith("\n");
    assertThat(ProgressBar.size(5 * 1024 * 1024)).isEqualTo("5.0 MiB");
  }
}
