package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What a download's target path may be, besides a plain file: a symbolic link (its destination
 * gets the bytes and the link stays), a FIFO (written in order, never replaced), a name near the
 * file system's 255-byte limit (the temporary file beside it must fit too). Both facades, below
 * and above the multipart threshold (5 MiB here), against the embedded store.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DownloadTargetTest {
  static EmbeddedS3 s3;
  static String bucket;
  static final byte[] SMALL = Fixtures.bytes(1000, 41);
  static final byte[] LARGE = Fixtures.bytes(6 * Fixtures.MIB + 5, 42);

  @TempDir Path dir;

  @BeforeAll
  static void start() throws Exception {
    s3 = EmbeddedS3.start(null);
    bucket = Fixtures.bucket();
    try (BlobClient client = new BlobClient(config())) {
      client.createBucket(bucket);
      client.put(bucket, "small", SMALL);
      client.put(bucket, "large", LARGE);
    }
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build();
  }

  /* Downloads through the facade named; returns the bytes the object has. */
  private static byte[] download(boolean async, String key, Path target) throws Exception {
    if (async) {
      AsyncBlobClient client = new AsyncBlobClient(config());
      try {
        client.download(bucket, key, target, null).get(60, TimeUnit.SECONDS);
      } finally {
        client.close().get(30, TimeUnit.SECONDS);
      }
    } else {
      try (BlobClient client = new BlobClient(config())) {
        client.download(bucket, key, target, null);
      }
    }
    return key.equals("small") ? SMALL : LARGE;
  }

  @ParameterizedTest(name = "async={0} key={1}")
  @CsvSource({"false,small", "false,large", "true,small", "true,large"})
  void symbolicLink_itsDestinationGetsTheBytes_andTheLinkStays(boolean async, String key)
      throws Exception {
    Path real = Files.writeString(Files.createDirectories(dir.resolve("real")).resolve("f"), "old");
    Path link = Files.createSymbolicLink(dir.resolve("link"), real);
    Path chain = Files.createSymbolicLink(dir.resolve("chain"), link.getFileName()); // relative
    byte[] expected = download(async, key, chain);
    assertThat(Files.isSymbolicLink(chain)).isTrue();
    assertThat(Files.isSymbolicLink(link)).isTrue();
    assertThat(Files.readAllBytes(real)).isEqualTo(expected);
    try (var files = Files.list(dir.resolve("real"))) {
      assertThat(files).as("no temporary file left").containsExactly(real);
    }
    // A dangling link: its destination is created, as cp(1) does.
    Path dangling = Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("real").resolve("new"));
    download(async, key, dangling);
    assertThat(Files.isSymbolicLink(dangling)).isTrue();
    assertThat(Files.readAllBytes(dir.resolve("real").resolve("new"))).isEqualTo(expected);
  }

  @ParameterizedTest(name = "async={0} key={1}")
  @CsvSource({"false,small", "false,large", "true,small", "true,large"})
  void fifo_isWrittenInOrder_andStaysAFifo(boolean async, String key) throws Exception {
    Path fifo = dir.resolve("fifo");
    Process mkfifo;
    try {
      mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).start();
    } catch (java.io.IOException e) {
      Assumptions.abort("mkfifo is not available here: " + e.getMessage());
      return;
    }
    assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0).isTrue();
    CompletableFuture<byte[]> read =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return Files.readAllBytes(fifo);
              } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            });
    byte[] expected;
    try {
      expected = download(async, key, fifo);
    } finally {
      if (!read.isDone() && !Files.isRegularFile(fifo)) {
        // A writer that ends, so that a reader still waiting in its open returns. Opened for
        // reading and writing, which on Linux never waits for the other end: opened for writing
        // only, it waited for ever when the reader had ended between isDone() and the open (a
        // CI run hung here), and no timeout interrupts an open(2).
        FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE).close();
      }
    }
    assertThat(read.get(60, TimeUnit.SECONDS)).isEqualTo(expected);
    assertThat(Files.isRegularFile(fifo)).as("still a FIFO").isFalse();
    assertThat(Files.exists(fifo)).isTrue();
  }

  @ParameterizedTest(name = "async={0} key={1}")
  @CsvSource({"false,small", "false,large", "true,small", "true,large"})
  void nameNearTheLimit_downloads(boolean async, String key) throws Exception {
    Path target = dir.resolve("n".repeat(250));
    byte[] expected = download(async, key, target);
    assertThat(Files.readAllBytes(target)).isEqualTo(expected);
    try (var files = Files.list(dir)) {
      assertThat(files).containsExactly(target);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({"n,250", "é,127", "😀,63", "a,1"})
  void tempNextTo_staysWithin255Bytes_andCutsAtACharacter(String unit, int count) {
    Path target = dir.resolve(unit.repeat(count));
    String temp = BlobCore.tempNextTo(target).getFileName().toString();
    byte[] bytes = temp.getBytes(StandardCharsets.UTF_8);
    assertThat(bytes.length).isLessThanOrEqualTo(255);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(temp); // no half character
    assertThat(temp).startsWith("." + unit).endsWith(".part");
    assertThat(BlobCore.tempNextTo(target).getParent()).isEqualTo(dir);
  }

  @ParameterizedTest(name = "async={0}")
  @CsvSource({"false", "true"})
  void linkLoop_isRefusedAtTheCall(boolean async) throws Exception {
    Path a = dir.resolve("a");
    Files.createSymbolicLink(a, dir.resolve("b"));
    Files.createSymbolicLink(dir.resolve("b"), a);
    assertThatThrownBy(() -> download(async, "small", a))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("Cannot download to " + a + ": too many levels of symbolic links");
  }
}
