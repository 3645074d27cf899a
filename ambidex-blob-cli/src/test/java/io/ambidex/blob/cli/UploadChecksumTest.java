package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.blob.Credentials;
import io.ambidex.s3embedded.EmbeddedS3;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The checksum of uploads to an endpoint of unknown kind (ARCHITECTURE.md, choice 267): CRC32C
 * where the service is found to check it (S3Proxy given as {@code --endpoint}), MD5 where it
 * stores a wrong one ({@link RecordingS3}, which checks nothing), one probe per command at its
 * first upload, none when nothing is uploaded or the algorithm is given, and nothing left behind.
 */
@Timeout(120)
class UploadChecksumTest {
  static EmbeddedS3 s3;
  static ToolHarness harness;

  @TempDir static Path store;
  @TempDir Path dir;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(store);
    harness = new ToolHarness(s3);
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  private static ToolHarness.Run ok(String... args) {
    ToolHarness.Run r = harness.blob(args);
    assertThat(r.code()).as("blob %s\nout: %s\nerr: %s", String.join(" ", args), r.out(), r.err())
        .isZero();
    assertThat(r.err()).as("blob %s", String.join(" ", args)).doesNotContain("warning");
    return r;
  }

  private static String stat(String uri) {
    return ok("stat", uri).out().toLowerCase(Locale.ROOT);
  }

  /* tree/sub/{a.txt, b.txt, c.bin}, c.bin in parts when large (the threshold is 16 MiB). */
  private Path tree(boolean large) throws Exception {
    Path root = Files.createDirectories(dir.resolve("tree/sub"));
    Files.writeString(root.resolve("a.txt"), "a");
    Files.writeString(root.resolve("b.txt"), "bb");
    Files.write(root.resolve("c.bin"), new byte[large ? 20 * 1024 * 1024 : 3000]);
    return root.getParent();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void aServiceThatChecks_getsCrc32c_fromEveryUploadingCommand_andKeepsNoProbe(boolean async)
      throws Exception {
    String bucket = "probe-" + async;
    String flag = async ? "--async" : "--no-progress"; // the harness passes --no-progress already
    ok(flag, "mb", "s3://" + bucket);
    Path tree = tree(true);

    ok(flag, "cp", "--recursive", tree.toString(), "s3://" + bucket + "/cp/");
    ok(flag, "sync", tree.toString(), "s3://" + bucket + "/sync/");
    ok(flag, "put", tree.resolve("sub/a.txt").toString(), "s3://" + bucket + "/put/a.txt");

    for (String key :
        List.of("cp/sub/a.txt", "cp/sub/c.bin", "sync/sub/b.txt", "sync/sub/c.bin", "put/a.txt")) {
      assertThat(stat("s3://" + bucket + "/" + key)).as(key).contains("crc32c");
    }
    String listed = ok("ls", "--recursive", "s3://" + bucket).out();
    assertThat(listed).doesNotContain("blob-checksum-probe").contains("cp/sub/c.bin");
  }

  @Test
  void theAlgorithmGiven_isUsedWithoutAProbe() throws Exception {
    ok("mb", "s3://given");
    Path file = Files.writeString(dir.resolve("f.txt"), "md5 please");

    ok("--checksum-algorithm", "MD5", "cp", file.toString(), "s3://given/f.txt");

    assertThat(stat("s3://given/f.txt")).doesNotContain("crc32c");
  }

  // ---- against a service that checks nothing ----

  private static int run(RecordingS3 server, byte[] stdin, ByteArrayOutputStream err, String... args) {
    BlobTool tool = new BlobTool();
    tool.credentials = Credentials.of("AKIDEXAMPLE", "secret");
    tool.in = new ByteArrayInputStream(stdin);
    List<String> all =
        new ArrayList<>(List.of("--no-progress", "--endpoint", server.endpoint().toString()));
    all.addAll(List.of(args));
    return BlobTool.run(tool, all.toArray(String[]::new),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private static List<RecordingS3.Request> probes(RecordingS3 server, String method) {
    return server.requests.stream()
        .filter(r -> r.method().equals(method) && r.path().contains("/.blob-checksum-probe-"))
        .toList();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void aServiceThatStoresAWrongChecksum_getsMd5_afterOneProbe_deletedAgain(boolean async)
      throws Exception {
    Path tree = tree(false); // the recording server answers no multipart upload
    try (RecordingS3 server = new RecordingS3()) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code = run(server, new byte[0], err, async ? "--async" : "--no-progress", "cp",
          "--recursive", "--concurrency", "4", tree.resolve("sub").toString(), "s3://bkt/up/");

      assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
      List<RecordingS3.Request> put = probes(server, "PUT");
      assertThat(put).hasSize(1); // once, whatever the concurrency
      assertThat(put.get(0).path()).matches("/bkt/up/\\.blob-checksum-probe-[0-9a-f]{16}");
      assertThat(put.get(0).headers().getFirst("x-amz-checksum-crc32c")).isNotBlank();
      assertThat(probes(server, "DELETE")).extracting(RecordingS3.Request::path)
          .containsExactly(put.get(0).path());
      int deleted = server.requests.indexOf(probes(server, "DELETE").get(0));
      int firstUpload = java.util.stream.IntStream.range(0, server.requests.size())
          .filter(i -> server.requests.get(i).method().equals("PUT")
              && !server.requests.get(i).path().contains("probe"))
          .findFirst().orElseThrow();
      assertThat(deleted).isLessThan(firstUpload); // decided before any upload starts
      assertThat(server.put("/bkt/up/a.txt").getFirst("Content-MD5")).isNotBlank();
      assertThat(server.put("/bkt/up/a.txt").containsKey("x-amz-checksum-crc32c")).isFalse();
      assertThat(server.put("/bkt/up/b.txt").getFirst("Content-MD5")).isNotBlank();
    }
  }

  @Test
  void standardInput_isProbedToo() throws Exception {
    try (RecordingS3 server = new RecordingS3()) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      byte[] piped = "piped".getBytes(StandardCharsets.UTF_8);

      assertThat(run(server, piped, err, "cp", "-", "s3://bkt/piped.bin")).isZero();

      assertThat(probes(server, "PUT")).singleElement()
          .satisfies(r -> assertThat(r.path()).startsWith("/bkt/.blob-checksum-probe-"));
      assertThat(server.put("/bkt/piped.bin").getFirst("Content-MD5")).isNotBlank();
    }
  }

  @Test
  void nothingToUpload_probesNothing() throws Exception {
    Path tree = tree(false); // the recording server answers no multipart upload
    try (RecordingS3 server = new RecordingS3()) {
      ByteArrayOutputStream err = new ByteArrayOutputStream();

      assertThat(run(server, new byte[0], err, "cp", "--recursive", "--dryrun",
          tree.toString(), "s3://bkt/dry/")).as(err.toString(StandardCharsets.UTF_8)).isZero();
      assertThat(run(server, new byte[0], err, "sync", "--exclude", "*", tree.toString(),
          "s3://bkt/none/")).as(err.toString(StandardCharsets.UTF_8)).isZero();

      assertThat(server.requests).noneMatch(r -> r.method().equals("PUT"));
    }
  }

  @Test
  void aProbeThatCannotBeDeleted_isReportedByName_andTheUploadGoesOnWithMd5() throws Exception {
    Path file = Files.writeString(dir.resolve("f.txt"), "kept");
    try (RecordingS3 server = new RecordingS3()) {
      server.deleteStatus = 403;
      ByteArrayOutputStream err = new ByteArrayOutputStream();

      assertThat(run(server, new byte[0], err, "cp", file.toString(), "s3://bkt/d/f.txt")).isZero();

      String probe = probes(server, "PUT").get(0).path();
      assertThat(err.toString(StandardCharsets.UTF_8))
          .startsWith("blob: warning: ")
          .contains("s3://" + probe.substring(1))
          .contains("delete it yourself");
      assertThat(server.put("/bkt/d/f.txt").getFirst("Content-MD5")).isNotBlank();
    }
  }
}
