package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ambidex.blob.BlobClient;
import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.Credentials;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C for real: the tool runs in a child JVM against moto through a {@link SlowRelay} (so a
 * transfer lasts seconds), receives SIGINT midway, and must exit with 130 having aborted the
 * multipart uploads it started (moto's ListMultipartUploads is empty) and leaving no partial file
 * under a destination name (no temporary {@code .part} file either; every file there is whole).
 */
@Timeout(180)
class InterruptTest {
  static MotoServer moto;
  static SlowRelay relay;
  static final int MIB = 1024 * 1024;

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    relay = new SlowRelay(moto.port, 8L * MIB);
  }

  @AfterAll
  static void stop() throws Exception {
    if (relay != null) {
      relay.close();
    }
    MotoServer.stop(moto);
  }

  static BlobClient direct() {
    return new BlobClient(BlobConfig.builder()
        .endpoint(moto.endpoint)
        .credentials(Credentials.of("testing", "testing"))
        .build());
  }

  static String bucket() {
    return "i-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  }

  /** Starts the tool in a child JVM through the relay. */
  Process blob(boolean async, String... args) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> command = new ArrayList<>();
    if (sigintIgnored()) {
      // Started in the background (nohup, '&' in a script), this JVM ignores SIGINT, and so would
      // its child: a JVM leaves an ignored SIGINT ignored (that is how nohup works). Reset it to
      // the default in between, then exec the JVM in the same process.
      command.addAll(List.of("python3", "-c",
          "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL);"
              + " os.execvp(sys.argv[1], sys.argv[1:])"));
    }
    command.addAll(List.of(
        java, "-XX:TieredStopAtLevel=1", "-cp", classPath, BlobTool.class.getName(),
        "--no-progress", "--endpoint", "http://127.0.0.1:" + relay.port()));
    if (async) {
      command.add("--async");
    }
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectOutput(dir.resolve("out.txt").toFile())
        .redirectError(dir.resolve("err.txt").toFile());
    Map<String, String> env = pb.environment();
    env.put("AWS_ACCESS_KEY_ID", "testing");
    env.put("AWS_SECRET_ACCESS_KEY", "testing");
    return pb.start();
  }

  /* True if this process ignores SIGINT (bit 1 of SigIgn in /proc/self/status, on Linux). */
  static boolean sigintIgnored() throws IOException {
    Path status = Path.of("/proc/self/status");
    if (!Files.isReadable(status)) {
      return false;
    }
    for (String line : Files.readAllLines(status)) {
      if (line.startsWith("SigIgn:")) {
        return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & 0x2) != 0;
      }
    }
    return false;
  }

  static void interrupt(Process p) throws Exception {
    Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
    assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(kill.exitValue()).isZero();
  }

  /** moto's ListMultipartUploads of a bucket, raw (moto does not check signatures). */
  static String uploads(String bucket) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection) URI.create(moto.endpoint + "/" + bucket + "?uploads").toURL().openConnection();
    try (InputStream in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      c.disconnect();
    }
  }

  String output() throws IOException {
    return "out: " + Files.readString(dir.resolve("out.txt")) + "\nerr: " + Files.readString(dir.resolve("err.txt"));
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void sigintDuringUpload_abortsMultipartUploads_exits130(boolean async) throws Exception {
    String bucket = bucket();
    try (BlobClient c = direct()) {
      c.createBucket(bucket);
    }
    Path src = Files.createDirectories(dir.resolve("src"));
    Random random = new Random(1);
    for (int i = 0; i < 3; i++) {
      byte[] data = new byte[20 * MIB];
      random.nextBytes(data);
      Files.write(src.resolve("big" + i + ".bin"), data);
    }
    Process p = blob(async, "cp", "--recursive", "--concurrency", "3", src.toString(), "s3://" + bucket + "/up/");
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
        .until(() -> !p.isAlive() || uploads(bucket).contains("<UploadId>"));
    assertThat(p.isAlive()).as("the transfer ended before it could be interrupted; %s", output()).isTrue();

    interrupt(p);

    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output()).isEqualTo(130);
    assertThat(uploads(bucket)).as("multipart uploads left").doesNotContain("<UploadId>");
    assertThat(Files.readString(dir.resolve("err.txt"))).contains("interrupted");
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void sigintDuringDownload_leavesNoPartialFile_exits130(boolean async) throws Exception {
    String bucket = bucket();
    Map<String, byte[]> objects = new java.util.TreeMap<>();
    Random random = new Random(2);
    try (BlobClient c = direct()) {
      c.createBucket(bucket);
      for (int i = 0; i < 6; i++) {
        byte[] data = new byte[6 * MIB];
        random.nextBytes(data);
        objects.put("f" + i + ".bin", data);
        c.put(bucket, "down/f" + i + ".bin", data);
      }
    }
    Path target = dir.resolve("target");
    Process p = blob(async, "cp", "--recursive", "--concurrency", "2", "s3://" + bucket + "/down/", target.toString());
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
        .until(() -> !p.isAlive() || temporaries(target).size() > 0);
    assertThat(p.isAlive()).as("the transfer ended before it could be interrupted; %s", output()).isTrue();

    interrupt(p);

    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output()).isEqualTo(130);
    assertThat(temporaries(target)).as("temporary files left").isEmpty();
    try (Stream<Path> files = Files.list(target)) {
      List<Path> present = files.toList();
      assertThat(present.size()).as("files present after the interrupt").isLessThan(objects.size());
      for (Path f : present) {
        assertThat(Files.readAllBytes(f)).as(f.toString()).isEqualTo(objects.get(f.getFileName().toString()));
      }
    }
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void sigintDuringSingleGet_leavesNoFile_exits130(boolean async) throws Exception {
    String bucket = bucket();
    byte[] data = new byte[40 * MIB];
    new Random(3).nextBytes(data);
    try (BlobClient c = direct()) {
      c.createBucket(bucket);
      c.put(bucket, "one.bin", data);
    }
    Path target = Files.createDirectories(dir.resolve("single"));
    Process p = blob(async, "get", "s3://" + bucket + "/one.bin", target.resolve("one.bin").toString());
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
        .until(() -> !p.isAlive() || temporaries(target).size() > 0);
    assertThat(p.isAlive()).as("the transfer ended before it could be interrupted; %s", output()).isTrue();

    interrupt(p);

    assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(output()).isEqualTo(130);
    try (Stream<Path> left = Files.list(target)) {
      assertThat(left.toList()).as("files left").isEmpty();
    }
  }

  static List<Path> temporaries(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.list(dir)) {
      return files.filter(f -> f.getFileName().toString().endsWith(".part")).toList();
    }
  }
}
