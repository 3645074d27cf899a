package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.blob.BlobClient;
import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.Credentials;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The tool against OpenStack Swift's S3 layer with {@code --endpoint}, credentials from {@code
 * AWS_ACCESS_KEY_ID}/{@code AWS_SECRET_ACCESS_KEY} as a user would give them: each command is its
 * own JVM (the test class path), started with those variables in its environment, since the tool
 * reads the real environment. Swift is started by {@code bash .ci/swift start}, whose output goes
 * into {@code AMBIDEX_SWIFT_ENDPOINT}; without it the tests are skipped, and with {@code CI=true}
 * they fail instead.
 */
@Timeout(180)
class SwiftToolTest {
  static URI endpoint;

  @TempDir Path dir;

  @BeforeAll
  static void connect() {
    String value = System.getenv("AMBIDEX_SWIFT_ENDPOINT");
    if (value == null || value.isBlank()) {
      if ("true".equals(System.getenv("CI"))) {
        // In CI the server must be there (.ci/run starts it): never skip silently.
        throw new IllegalStateException(
            "AMBIDEX_SWIFT_ENDPOINT is not set, and CI=true: .ci/run should have started Swift"
                + " (bash .ci/swift start) and exported it");
      }
      return;
    }
    endpoint = URI.create(value.strip());
  }

  /* Each test rather than the class is skipped, so that a run reports them as skipped, with why. */
  @BeforeEach
  void requireSwift() {
    Assumptions.assumeTrue(
        endpoint != null,
        "AMBIDEX_SWIFT_ENDPOINT is not set: run `export AMBIDEX_SWIFT_ENDPOINT=$(bash .ci/swift"
            + " start)` to test the tool against OpenStack Swift's S3 layer");
  }

  record Run(int code, String out, String err) {}

  /** Runs the tool in a child JVM with the given credentials in its environment. */
  private Run blob(String secret, String... args) throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command =
        new ArrayList<>(
            List.of(
                java,
                "-XX:TieredStopAtLevel=1",
                "-cp",
                classPath,
                BlobTool.class.getName(),
                "--endpoint",
                endpoint.toString()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
    Map<String, String> env = builder.environment();
    env.remove("AWS_SESSION_TOKEN");
    env.put("AWS_ACCESS_KEY_ID", "test:tester");
    env.put("AWS_SECRET_ACCESS_KEY", secret);
    Process child = builder.start();
    try {
      if (!child.waitFor(60, TimeUnit.SECONDS)) {
        throw new AssertionError("blob " + String.join(" ", args) + " did not end within 60 s");
      }
    } finally {
      child.destroyForcibly();
    }
    return new Run(
        child.exitValue(),
        Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void mbPutLsGetRm_roundTrip(boolean async) throws Exception {
    // A global option before the command (the child has no terminal: no progress bars either way).
    String mode = async ? "--async" : "--no-progress";
    String bucket = "t-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    Path file = dir.resolve("photo.bin");
    // Above the default 16 MiB multipart threshold: three parts of at most 8 MiB.
    byte[] data = new byte[17 * 1024 * 1024 + 7];
    new Random(17).nextBytes(data);
    Files.write(file, data);

    assertThat(blob("testing", mode, "mb", bucket)).isEqualTo(new Run(0, "make_bucket: " + bucket + "\n", ""));
    Run put = blob("testing", mode, "put", file.toString(), "s3://" + bucket + "/2026/cat.bin");
    assertThat(put.err()).isEmpty();
    assertThat(put.code()).isZero();
    assertThat(put.out()).startsWith("upload: " + file + " to s3://" + bucket + "/2026/cat.bin");

    Run ls = blob("testing", mode, "ls", "s3://" + bucket);
    assertThat(ls.code()).as(ls.err()).isZero();
    assertThat(ls.out()).contains("PRE 2026/");
    assertThat(blob("testing", mode, "ls", "s3://" + bucket + "/2026/").out())
        .contains(data.length + " 2026/cat.bin");

    Path back = dir.resolve("back.bin");
    Run get = blob("testing", mode, "get", "s3://" + bucket + "/2026/cat.bin", back.toString());
    assertThat(get.code()).as(get.err()).isZero();
    assertThat(Files.readAllBytes(back)).isEqualTo(data);

    assertThat(blob("testing", mode, "rm", "s3://" + bucket + "/2026/cat.bin").code()).isZero();
    assertThat(blob("testing", mode, "ls", "s3://" + bucket + "/2026/").out()).doesNotContain("cat.bin");

    // The put asked Swift first whether it checks CRC32C (choice 267): Swift 2.30 stores a wrong
    // one, so the probe was deleted again and the parts went with Content-MD5. A probe left
    // behind would make the bucket's delete fail here.
    try (BlobClient blobs = new BlobClient(config())) {
      blobs.deleteBucket(bucket); // empty again, or this fails
    }
  }

  /** The secret really comes from the environment: a wrong one is refused by Swift, in one line. */
  @Test
  void wrongSecretInTheEnvironment_failsInOneLine() throws Exception {
    Run ls = blob("not-the-secret", "ls", "s3://any-bucket");
    assertThat(ls.code()).isNotZero();
    assertThat(ls.err()).startsWith("blob: ").contains("SignatureDoesNotMatch");
    assertThat(ls.err().lines().count()).isEqualTo(1);
  }

  static BlobConfig config() {
    return BlobConfig.builder()
        .endpoint(endpoint)
        .credentials(Credentials.of("test:tester", "testing"))
        .build();
  }
}
