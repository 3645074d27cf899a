package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/blob-workload}, which tells {@code bin/blob} whether a command line can hash much
 * (C2 and G1) or little (C1 and the serial collector; ARCHITECTURE.md, choice 262): every command
 * whose bytes it cannot bound, and every local source above the limit, must come out heavy, since
 * a light JVM hashes large files several times slower.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkloadScriptTest {
  private static final Path SCRIPT = Path.of("..", "bin", "blob-workload").toAbsolutePath();
  private static final long LIMIT = 64L << 20;

  @TempDir Path dir;
  private Path small;
  private Path large;

  @BeforeEach
  void trees() throws IOException {
    small = Files.createDirectories(dir.resolve("small tree/nested"));
    for (int i = 0; i < 3; i++) {
      Files.write(small.resolve("f" + i), new byte[4096]);
    }
    small = small.getParent();
    large = Files.createDirectories(dir.resolve("large"));
    sparse(large.resolve("big.bin"), LIMIT + 1);
  }

  @Test
  void commandsThatMoveNoObjectBytes_areLight() throws Exception {
    assertThat(run("--version")).isEqualTo("light");
    assertThat(run()).isEqualTo("light");
    assertThat(run("--endpoint", "http://127.0.0.1:9000", "ls", "--recursive", "s3://b/"))
        .isEqualTo("light");
    for (String command : List.of("mb", "rb", "rm", "stat", "presign", "completion")) {
      assertThat(run(command, "s3://b/k")).as(command).isEqualTo("light");
    }
  }

  @Test
  void downloadsStreamsAndUnknownSizes_areHeavy() throws Exception {
    assertThat(run("get", "s3://b/k", small.toString())).isEqualTo("heavy");
    assertThat(run("cat", "s3://b/k")).isEqualTo("heavy");
    assertThat(run("cp", "--recursive", "s3://b/p/", small.toString())).isEqualTo("heavy");
    assertThat(run("sync", "s3://b/p/", small.toString())).isEqualTo("heavy");
    assertThat(run("cp", "-", "s3://b/k")).isEqualTo("heavy");
    assertThat(run("cp", "s3://b/k", "s3://c/k")).isEqualTo("heavy");
    assertThat(run("cp", dir.resolve("missing").toString(), "s3://b/k")).isEqualTo("heavy");
  }

  @Test
  void uploads_areLightUpToTheLimitOfTheirSources_countingEverySource() throws Exception {
    assertThat(run("cp", "--recursive", "--concurrency", "16", small.toString(), "s3://b/p/"))
        .isEqualTo("light");
    assertThat(run("sync", "--exclude", "*.tmp", small.toString(), "s3://b/p/", "--delete"))
        .isEqualTo("light");
    assertThat(run("put", small.resolve("nested/f0").toString(), "s3://b/k")).isEqualTo("light");
    assertThat(run("cp", "--recursive", large.toString(), "s3://b/p/")).isEqualTo("heavy");
    assertThat(run("mv", large.resolve("big.bin").toString(), "s3://b/k")).isEqualTo("heavy");

    // Two sources below the limit each and above it together: heavy.
    Path half = Files.createDirectories(dir.resolve("half"));
    sparse(half.resolve("a"), LIMIT / 2 + 1);
    assertThat(run("cp", half.resolve("a").toString(), "s3://b/k")).isEqualTo("light");
    Path other = Files.createDirectories(dir.resolve("other"));
    sparse(other.resolve("b"), LIMIT / 2 + 1);
    assertThat(run("cp", half.toString(), other.toString(), "s3://b/p/")).isEqualTo("heavy");
    // The destination's files are not a source.
    assertThat(run("sync", "s3://b/p/", large.toString())).isEqualTo("heavy");
  }

  @Test
  void aSymbolicLinkToALargeFile_countsAsTheFile() throws Exception {
    Path tree = Files.createDirectories(dir.resolve("links"));
    Files.write(tree.resolve("small"), new byte[10]);
    Files.createSymbolicLink(tree.resolve("big"), large.resolve("big.bin"));

    assertThat(run("cp", "--recursive", tree.toString(), "s3://b/p/")).isEqualTo("heavy");
  }

  @Test
  void aTreeOfMoreFilesThanBlobLightFiles_isHeavy_andASourceNamedLikeAnOperatorIsAPath()
      throws Exception {
    assertThat(runWith(Map.of("BLOB_LIGHT_FILES", "2"), "sync", small.toString(), "s3://b/p/"))
        .isEqualTo("heavy");
    assertThat(runWith(Map.of("BLOB_LIGHT_FILES", "3"), "sync", small.toString(), "s3://b/p/"))
        .isEqualTo("light");

    // Read by find as an operator, "(" would fail the count, which makes it heavy.
    Files.write(Files.createDirectories(dir.resolve("(")).resolve("f"), new byte[10]);
    ProcessBuilder inDir = new ProcessBuilder("bash", SCRIPT.toString(), "cp", "--recursive", "(",
        "s3://b/p/").directory(dir.toFile()).redirectErrorStream(true);
    Process process = inDir.start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(out.strip()).isEqualTo("light");
  }

  @Test
  void theLimit_isBlobLightMax() throws Exception {
    assertThat(runWith(Map.of("BLOB_LIGHT_MAX", "100"), "sync", small.toString(), "s3://b/p/"))
        .isEqualTo("heavy");
    assertThat(runWith(Map.of("BLOB_LIGHT_MAX", String.valueOf(LIMIT + 1)),
        "cp", large.resolve("big.bin").toString(), "s3://b/k")).isEqualTo("light");
  }

  private static void sparse(Path file, long length) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(length); // apparent size; no blocks written
    }
  }

  private String run(String... args) throws Exception {
    return runWith(Map.of(), args);
  }

  private String runWith(Map<String, String> env, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().remove("BLOB_LIGHT_MAX");
    builder.environment().remove("BLOB_LIGHT_FILES");
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(process.exitValue()).as(out).isZero();
    return out.strip();
  }
}
