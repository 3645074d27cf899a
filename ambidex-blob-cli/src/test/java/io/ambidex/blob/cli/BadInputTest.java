package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.blob.Credentials;
import io.ambidex.s3embedded.EmbeddedS3;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad input gives one line on standard error, naming the path (or bucket, or key) and the fix,
 * and the documented exit code. Against an S3Proxy started by the test, with {@code --endpoint},
 * so that credentials can be wrong too.
 */
@Timeout(120)
class BadInputTest {
  static EmbeddedS3 s3;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  record Run(int code, String out, String err) {}

  Run blob(Credentials credentials, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    BlobTool tool = new BlobTool();
    tool.credentials = credentials;
    List<String> all = new ArrayList<>(List.of("--no-progress", "--endpoint", s3.endpoint().toString()));
    all.addAll(List.of(args));
    int code = BlobTool.run(tool, all.toArray(String[]::new),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Run blob(String... args) {
    return blob(Credentials.of(s3.accessKey(), s3.secretKey()), args);
  }

  /** Asserts the exit code and one line of error containing each fragment. */
  static void failsWith(Run r, int code, String... fragments) {
    assertThat(r.code()).as(r.err()).isEqualTo(code);
    assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
    assertThat(r.err()).doesNotContain("\tat ").doesNotContain("Exception");
    for (String f : fragments) {
      assertThat(r.err()).contains(f);
    }
  }

  @BeforeEach
  void bucket() {
    assertThat(blob("mb", "s3://bad-input").code()).isIn(0, 1); // exists after the first test
  }

  @Test
  void localPaths_missingDirectoryOrFile_nameThePathAndTheFix() throws Exception {
    Path missing = dir.resolve("no such.txt");
    failsWith(blob("cp", missing.toString(), "s3://bad-input/k"), ExitCodes.NOT_FOUND,
        missing.toString(), "no such file or directory", "check the path");
    Path tree = Files.createDirectories(dir.resolve("tree"));
    failsWith(blob("cp", tree.toString(), "s3://bad-input/k"), ExitCodes.USAGE,
        tree.toString(), "is a directory", "add --recursive");
    Path file = Files.writeString(dir.resolve("f.txt"), "x");
    failsWith(blob("cp", "--recursive", file.toString(), "s3://bad-input/k/"), ExitCodes.USAGE,
        file.toString(), "drop --recursive");
    failsWith(blob("sync", missing.toString(), "s3://bad-input/k/"), ExitCodes.NOT_FOUND, missing.toString());
    failsWith(blob("cp", "--recursive", "s3://bad-input/", file.toString()), ExitCodes.USAGE,
        file.toString(), "is a file", "directory");
    failsWith(blob("cp", file.toString(), dir.resolve("other").toString()), ExitCodes.USAGE,
        "needs an s3:// address");
    failsWith(blob("cp", "--concurrency", "0", file.toString(), "s3://bad-input/k"), ExitCodes.USAGE,
        "--concurrency must be from 1 to 1024");
    // A download whose directory would have to be where a file is.
    assertThat(blob("cp", file.toString(), "s3://bad-input/f.txt").code()).isZero();
    Run blocked = blob("cp", "s3://bad-input/f.txt", file.resolve("below.txt").toString());
    assertThat(blocked.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(blocked.err()).hasLineCount(1).contains(dir.toString()).contains("a file has that name");
  }

  @Test
  void permissionDenied_namesThePath() throws Exception {
    Assumptions.assumeFalse(
        "root".equals(System.getProperty("user.name")),
        "root reads and writes every file: permissions cannot be denied to this test");
    Path locked = Files.writeString(dir.resolve("locked.txt"), "secret");
    Files.setPosixFilePermissions(locked, java.util.Set.of());
    failsWith(blob("cp", locked.toString(), "s3://bad-input/k"), ExitCodes.REFUSED,
        locked.toString(), "permission denied", "chmod");
  }

  @Test
  void badNames_bucketsAndKeys_sayTheRule() {
    failsWith(blob("mb", "s3://Bad_Bucket"), ExitCodes.USAGE, "Invalid bucket name 'Bad_Bucket'", "lower-case");
    Path f = dir.resolve("f.txt");
    Run r = blob("ls", "s3://ab");
    failsWith(r, ExitCodes.USAGE, "Invalid bucket name 'ab'", "3 to 63");
    failsWith(blob("cat", "s3:///k"), ExitCodes.USAGE, "names no bucket");
    failsWith(blob("stat", "s3://bad-input/" + "k".repeat(1100)), ExitCodes.USAGE, "at most 1024 bytes");
    failsWith(blob("rm", "s3://bad-input"), ExitCodes.USAGE, "rm needs an object");
    assertThat(f).doesNotExist();
  }

  /* A key that cannot be a file name (a "directory" marker) is named on stderr by sync, as by cp. */
  @Test
  void downloadsOfKeysThatCannotBeFiles_sayWhatWasSkipped_syncAsCp() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty"));
    assertThat(blob("cp", empty.toString(), "s3://bad-input/sk/dir/").code()).isZero(); // sk/dir/empty
    assertThat(blob("put", empty.toString(), "s3://bad-input/sk/").code()).isZero(); // sk/empty
    try (io.ambidex.blob.BlobClient client = new io.ambidex.blob.BlobClient(
        io.ambidex.blob.BlobConfig.builder().endpoint(s3.endpoint())
            .credentials(Credentials.of(s3.accessKey(), s3.secretKey())).build())) {
      client.put("bad-input", "sk/marker/", new byte[0]); // a "directory" marker
    }
    for (String command : List.of("sync", "cp")) {
      Path into = dir.resolve(command + "-into");
      Run r = command.equals("sync")
          ? blob("sync", "s3://bad-input/sk/", into.toString())
          : blob("cp", "--recursive", "s3://bad-input/sk/", into.toString());
      assertThat(r.code()).as(r.err()).isZero();
      assertThat(r.err()).as(command)
          .contains("skipped s3://bad-input/sk/marker/: the key cannot be a file name under");
      assertThat(into.resolve("dir").resolve("empty")).exists();
    }
  }

  @Test
  void notFound_andRefused_haveTheirExitCodes() {
    Path into = dir.resolve("x.txt");
    failsWith(blob("cp", "s3://bad-input/missing.txt", into.toString()), ExitCodes.NOT_FOUND, "missing.txt");
    assertThat(into).doesNotExist();
    failsWith(blob("cat", "s3://no-such-bucket-here/k"), ExitCodes.NOT_FOUND);
    failsWith(blob("ls", "s3://no-such-bucket-here"), ExitCodes.NOT_FOUND);
    failsWith(blob(Credentials.of(s3.accessKey(), "wrong secret"), "ls", "s3://bad-input"),
        ExitCodes.REFUSED, "AWS_SECRET_ACCESS_KEY");
  }

  /*
   * An upload that failed because the bucket is missing or its name invalid left a second line,
   * "could not check ... for a multipart upload left behind ...; abort it with your store's
   * tools": the check after a failed batch listed the uploads of a bucket that is not there (or
   * cannot be). Nothing can be pending there; one line says what is wrong.
   */
  @Test
  void uploadToAMissingOrInvalidBucket_saysSoInOneLine() throws Exception {
    Path empty = Files.createFile(dir.resolve("empty.txt")); // checked like a stream: size 0
    Run missing = blob("cp", empty.toString(), "s3://no-such-bucket-here/");
    assertThat(missing.code()).as(missing.err()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.err()).hasLineCount(1).contains("NoSuchBucket").doesNotContain("multipart");
    Run invalid = blob("cp", empty.toString(), "s3://Bad_Bucket/");
    assertThat(invalid.code()).as(invalid.err()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).hasLineCount(1).contains("Invalid bucket name 'Bad_Bucket'")
        .doesNotContain("multipart");
  }

  @Test
  void endpointWithoutCredentials_isRefused_sayingWhatToExport() {
    Assumptions.assumeTrue(
        System.getenv("AWS_ACCESS_KEY_ID") == null,
        "AWS_ACCESS_KEY_ID is set in this environment: the tool would use it");
    failsWith(blob((Credentials) null, "ls", "s3://bad-input"), ExitCodes.REFUSED,
        "no credentials for --endpoint " + s3.endpoint(), "export AWS_ACCESS_KEY_ID");
  }

  @Test
  void presign_givesAWorkingUrl_completionPrintsAScript() throws Exception {
    Path file = Files.writeString(dir.resolve("shared file+1.txt"), "shared");
    assertThat(blob("cp", file.toString(), "s3://bad-input/dir/").code()).isZero();
    Run url = blob("presign", "--expires-in", "120", "s3://bad-input/dir/shared file+1.txt");
    assertThat(url.code()).isZero();
    HttpURLConnection c = (HttpURLConnection) URI.create(url.out().strip()).toURL().openConnection();
    try (InputStream in = c.getInputStream()) {
      assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("shared");
    } finally {
      c.disconnect();
    }
    failsWith(blob("presign", "--expires-in", "0", "s3://bad-input/k"), ExitCodes.USAGE, "--expires-in must be");
    failsWith(blob("presign", "--method", "POST", "s3://bad-input/k"), ExitCodes.USAGE, "'POST'");

    Run script = blob("completion");
    assertThat(script.code()).isZero();
    assertThat(script.out()).contains("complete -F").contains("sync").contains("--recursive");
  }
}
