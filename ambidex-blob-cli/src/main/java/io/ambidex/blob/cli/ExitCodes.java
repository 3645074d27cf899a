package io.ambidex.blob.cli;

import io.ambidex.blob.BlobAuthenticationException;
import io.ambidex.blob.NoSuchBucketException;
import io.ambidex.blob.NoSuchKeyException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.util.List;

/**
 * The tool's exit codes (documented in {@code docs/blob.md} and each command's help footer):
 *
 * <ul>
 *   <li>{@code 0}: everything asked was done;
 *   <li>{@code 1}: a failure of another kind (network, server, integrity, local I/O);
 *   <li>{@code 2}: a usage error (unknown option, bad address, missing argument, invalid name);
 *   <li>{@code 3}: not found (no such bucket, key or local path);
 *   <li>{@code 4}: refused (bad credentials, access denied, a local permission);
 *   <li>{@code 5}: partial failure: of many objects, some were done and some failed;
 *   <li>{@code 130}: interrupted (Ctrl-C): work stopped, nothing partial left under a target name;
 *   <li>{@code 141}: the reader of standard output went away (a broken pipe, as in {@code blob cat
 *       ... | head}): stopped quietly, the status a shell shows for cat(1) killed by SIGPIPE.
 * </ul>
 */
final class ExitCodes {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;
  static final int NOT_FOUND = 3;
  static final int REFUSED = 4;
  static final int PARTIAL = 5;
  static final int INTERRUPTED = 130;
  static final int BROKEN_PIPE = 141;

  /** The help footer that lists them. */
  static final String FOOTER =
      "Exit codes: 0 done, 1 failed, 2 usage error, 3 not found, 4 refused (credentials or"
          + " permission), 5 partial failure (some objects failed), 130 interrupted, 141 standard"
          + " output closed by its reader.";

  private ExitCodes() {}

  /** The exit code of one failure. */
  static int of(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof BrokenPipe) {
        return BROKEN_PIPE;
      }
      if (t instanceof NoSuchKeyException || t instanceof NoSuchBucketException
          || t instanceof NoSuchFileException || t instanceof NotFound) {
        return NOT_FOUND;
      }
      if (t instanceof BlobAuthenticationException || t instanceof AccessDeniedException
          || t instanceof Refused) {
        return REFUSED;
      }
      if (t instanceof UsageError || t instanceof IllegalArgumentException) {
        return USAGE;
      }
    }
    return FAILED;
  }

  /**
   * The exit code of a batch: 0 if nothing failed, 130 if interrupted, the failures' common code
   * if nothing succeeded and they agree, else 5 when some objects were done, else 1.
   */
  static int of(Batch.Outcome outcome) {
    if (outcome.interrupted() && outcome.failed() == 0) {
      return INTERRUPTED;
    }
    List<Throwable> failures = outcome.failures();
    if (failures.isEmpty()) {
      return outcome.interrupted() ? INTERRUPTED : OK;
    }
    if (outcome.succeeded() > 0) {
      return PARTIAL;
    }
    int first = of(failures.get(0));
    for (Throwable f : failures) {
      if (of(f) != first) {
        return FAILED;
      }
    }
    return first;
  }

  /** A wrong command line that picocli could not see: an argument's value, not its form. */
  static final class UsageError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageError(String message) {
      super(message);
    }
  }

  /** A local path or remote object that is not there, found before anything was sent. */
  static final class NotFound extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NotFound(String message) {
      super(message);
    }
  }

  /** A local file the tool may not read or write, found before anything was sent. */
  static final class Refused extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  /** The reader of standard output went away: the command stops quietly (exit 141). */
  static final class BrokenPipe extends RuntimeException {
    private static final long serialVersionUID = 1L;

    BrokenPipe() {
      super("standard output was closed by its reader", null, false, false);
    }
  }

  /** Standard output could not be written (a full disk, an I/O error): exit 1. */
  static final class OutputFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    OutputFailed(String message, @org.jspecify.annotations.Nullable Throwable cause) {
      super(message, cause);
    }
  }
}
