package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.s3embedded.EmbeddedS3;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Standard output that cannot be written (a full disk) fails the command with one line, exit 1;
 * a reader that goes away (a broken pipe) stops it quietly with exit 141, as cat(1) dies.
 */
@Timeout(120)
class OutputFailureTest {
  static EmbeddedS3 s3;
  static ToolHarness tool;

  @TempDir static Path dir;

  @BeforeAll
  static void start() throws IOException {
    s3 = EmbeddedS3.start(null);
    tool = new ToolHarness(s3);
    assertThat(tool.blob("mb", "s3://out-fail").code()).isZero();
    byte[] big = new byte[3 << 20];
    new Random(7).nextBytes(big);
    Path file = Files.write(dir.resolve("big.bin"), big);
    assertThat(tool.blob("cp", file.toString(), "s3://out-fail/big.bin").code()).isZero();
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  /** A stream on a full disk: every write fails as write(2) does with ENOSPC. */
  static final class Full extends OutputStream {
    @Override
    public void write(int b) throws IOException {
      throw new IOException("No space left on device");
    }
  }

  /** A pipe whose reader took {@code limit} bytes and went away. */
  static final class Closing extends OutputStream {
    final int limit;
    int written;

    Closing(int limit) {
      this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
      if (written >= limit) {
        throw new IOException("Broken pipe");
      }
      written++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      for (int i = 0; i < len; i++) {
        write(b[off + i]);
      }
    }
  }

  static void failsWritingStdout(ToolHarness.Run r, String... fragments) {
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FAILED);
    assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
    assertThat(r.err()).contains("cannot write to standard output").doesNotContain("Exception");
    for (String f : fragments) {
      assertThat(r.err()).contains(f);
    }
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void cat_stdoutFull_exitsOneNamingStandardOutput(boolean async) {
    String[] args = async
        ? new String[] {"--async", "cat", "s3://out-fail/big.bin"}
        : new String[] {"cat", "s3://out-fail/big.bin"};
    failsWritingStdout(tool.blobTo(new PrintStream(new Full(), true, StandardCharsets.UTF_8), args));
    failsWritingStdout(tool.blobToStream(new Full(), args), "No space left on device");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void cpToDash_stdoutFull_exitsOneNamingStandardOutput(boolean async) {
    String[] args = async
        ? new String[] {"--async", "cp", "s3://out-fail/big.bin", "-"}
        : new String[] {"cp", "s3://out-fail/big.bin", "-"};
    failsWritingStdout(tool.blobTo(new PrintStream(new Full(), true, StandardCharsets.UTF_8), args));
    failsWritingStdout(tool.blobToStream(new Full(), args), "No space left on device");
  }

  @ParameterizedTest
  @ValueSource(strings = {"ls", "ls --json", "ls --recursive --summarize", "stat", "stat --json"})
  void listings_stdoutInError_exitOneNamingStandardOutput(String command) {
    java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(command.split(" ")));
    args.add(command.startsWith("stat") ? "s3://out-fail/big.bin" : "s3://out-fail");
    PrintStream broken = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8) {
      @Override
      public boolean checkError() {
        return true;
      }
    };
    failsWritingStdout(tool.blobTo(broken, args.toArray(String[]::new)));
    failsWritingStdout(tool.blobToStream(new Full(), args.toArray(String[]::new)), "No space left on device");
  }

  @Test
  void upload_stdoutFull_exitsOneAfterTheUpload() throws IOException {
    Path small = Files.writeString(dir.resolve("small.txt"), "small");
    failsWritingStdout(tool.blobToStream(new Full(), "cp", small.toString(), "s3://out-fail/small.txt"),
        "No space left on device");
    assertThat(tool.blob("stat", "s3://out-fail/small.txt").code()).isZero();
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void cat_readerClosesEarly_stopsQuietlyWithExit141(boolean async) {
    Closing head = new Closing(10);
    ToolHarness.Run r = async
        ? tool.blobToStream(head, "--async", "cat", "s3://out-fail/big.bin")
        : tool.blobToStream(head, "cat", "s3://out-fail/big.bin");
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.BROKEN_PIPE);
    assertThat(r.err()).isEmpty();
    assertThat(head.written).isEqualTo(10);
    ToolHarness.Run ls = tool.blobToStream(new Closing(5), "ls", "s3://out-fail");
    assertThat(ls.code()).as(ls.err()).isEqualTo(ExitCodes.BROKEN_PIPE);
    assertThat(ls.err()).isEmpty();
  }
}
