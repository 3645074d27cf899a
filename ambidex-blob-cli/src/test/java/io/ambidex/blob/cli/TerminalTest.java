package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Progress is drawn when standard error is a terminal, whatever standard input and output are:
 * decided by what file descriptor 2 is (on Linux, the target of /proc/self/fd/2), and only where
 * that cannot be read by the JVM's console.
 */
@Timeout(10)
class TerminalTest {
  @Test
  void stderrOnTerminal_fd2IsAPseudoTerminal_isTrueWithoutAConsole() {
    assertThat(BlobTool.stderrOnTerminal(() -> "/dev/pts/3", () -> false)).isTrue();
    assertThat(BlobTool.stderrOnTerminal(() -> "/dev/tty1", () -> false)).isTrue();
    assertThat(BlobTool.stderrOnTerminal(() -> "/dev/tty", () -> false)).isTrue();
  }

  @Test
  void stderrOnTerminal_fd2IsAFileOrPipe_isFalseEvenWithAConsole() {
    assertThat(BlobTool.stderrOnTerminal(() -> "/home/me/log.txt", () -> true)).isFalse();
    assertThat(BlobTool.stderrOnTerminal(() -> "pipe:[123456]", () -> true)).isFalse();
    assertThat(BlobTool.stderrOnTerminal(() -> "/dev/null", () -> true)).isFalse();
    assertThat(BlobTool.stderrOnTerminal(() -> "socket:[99]", () -> true)).isFalse();
  }

  @Test
  void stderrOnTerminal_fd2Unknown_fallsBackToTheConsole() {
    assertThat(BlobTool.stderrOnTerminal(() -> null, () -> true)).isTrue();
    assertThat(BlobTool.stderrOnTerminal(() -> null, () -> false)).isFalse();
  }
}
