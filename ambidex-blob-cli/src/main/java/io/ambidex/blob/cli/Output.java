package io.ambidex.blob.cli;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import org.jspecify.annotations.Nullable;

/**
 * Standard output under the tool's {@code PrintStream}: a {@code PrintStream} swallows write
 * failures and only remembers that one happened ({@code checkError}), so this filter remembers the
 * first {@link IOException} itself, for the one line that reports it ("No space left on device"),
 * and to tell a reader that went away (a broken pipe) from a failure. Object bytes ({@code cat},
 * {@code cp ... -}) are written to it directly, so their failure stops the transfer at once.
 */
final class Output extends FilterOutputStream {
  private volatile @Nullable IOException failure;

  Output(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    try {
      out.write(b);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    try {
      out.write(b, off, len);
    } catch (IOException e) {
      throw failed(e);
    }
  }

  @Override
  public void flush() throws IOException {
    try {
      out.flush();
    } catch (IOException e) {
      throw failed(e);
    }
  }

  private IOException failed(IOException e) {
    if (failure == null) {
      failure = e;
    }
    return e;
  }

  /** The first write failure, or null. */
  @Nullable IOException failure() {
    return failure;
  }

  /**
   * True if {@code e} is EPIPE: the reader of a pipe closed it ({@code blob cat ... | head}). The
   * JVM ignores SIGPIPE, so a write gets the error instead; the JDK names it only in the message.
   */
  static boolean brokenPipe(@Nullable Throwable e) {
    return e != null && e.getMessage() != null && e.getMessage().contains("Broken pipe");
  }

  /**
   * The failure to report for standard output: {@link ExitCodes.BrokenPipe} (quiet, exit 141)
   * for a reader that went away, else a one-line failure naming the cause if known.
   */
  static RuntimeException failed(@Nullable IOException cause, String what) {
    if (brokenPipe(cause)) {
      return new ExitCodes.BrokenPipe();
    }
    String why = cause == null ? "" : ": " + BlobTool.oneLine(cause);
    return new ExitCodes.OutputFailed(
        "cannot write to standard output" + why + "; " + what + " is incomplete: make room where it"
            + " goes, or send it elsewhere", cause);
  }
}
