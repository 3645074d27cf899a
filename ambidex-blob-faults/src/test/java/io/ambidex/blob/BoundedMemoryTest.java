package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Bounded memory, proved rather than asserted: a JVM with a 64 MiB heap uploads two 256 MiB
 * streams of unknown length (blocking, then async; 8 MiB parts, 4 at a time, so at most 32 MiB of
 * part buffers, 36 MiB of G1 regions since each is a humongous array) and streams them back. The
 * server runs in this JVM; the client in a child JVM launched with the test class path, its GC log
 * in its output (shown on failure), with its heap's class histogram if it fails (see {@link
 * BoundedMemoryMain}), and a heap dump written to {@code target/} if it runs out of memory: it did
 * once under load, and the failure kept no evidence (ARCHITECTURE.md, Known debts).
 */
class BoundedMemoryTest {
  static final int MIB_PER_OBJECT = 256;

  @Test
  @Timeout(value = 330, unit = TimeUnit.SECONDS)
  void largeStreamUploads_completeUnderA64MiBHeap(@TempDir Path dir) throws Exception {
    try (EmbeddedS3 s3 = EmbeddedS3.start(dir.resolve("store"));
        S3Client sdk = Fixtures.sdk(s3.endpoint(), s3.accessKey(), s3.secretKey())) {
      String bucket = Fixtures.bucket();
      sdk.createBucket(b -> b.bucket(bucket));
      Path log = dir.resolve("child.log");
      String java = ProcessHandle.current().info().command().orElse("java");
      String classPath =
          System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      Process child =
          new ProcessBuilder(
                  List.of(
                      java,
                      "-Xmx64m",
                      "-Xlog:gc",
                      "-XX:+HeapDumpOnOutOfMemoryError",
                      "-XX:HeapDumpPath="
                          + Path.of("target", "bounded-memory-oom.hprof").toAbsolutePath(),
                      "-cp",
                      classPath,
                      BoundedMemoryMain.class.getName(),
                      s3.endpoint().toString(),
                      s3.accessKey(),
                      s3.secretKey(),
                      bucket,
                      Integer.toString(MIB_PER_OBJECT)))
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      boolean finished;
      try {
        // Longer than the child's own waits (120 + 120 + 30 s), so that it reports why it stopped.
        finished = child.waitFor(290, TimeUnit.SECONDS);
      } finally {
        child.destroyForcibly();
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(finished).as("the child JVM finished: " + output).isTrue();
      assertThat(child.exitValue()).as(output).isZero();
      assertThat(output).contains("OK maxHeap=");
      for (String key : List.of("blocking", "async")) {
        assertThat(sdk.headObject(b -> b.bucket(bucket).key(key)).contentLength())
            .isEqualTo(MIB_PER_OBJECT * 1024L * 1024L);
      }
    }
  }
}
