package io.ambidex.internal;

import java.io.InterruptedIOException;
import java.nio.channels.ClosedByInterruptException;
import java.util.concurrent.CancellationException;

/** Telling a task's reaction to being cancelled apart from a real failure. */
public final class Cancellations {
  private Cancellations() {}

  /**
   * Returns true if {@code failure}, or one of its first few causes, is how blocking Java code
   * reacts to a cancellation or an interrupt: a {@link CancellationException} (which includes
   * {@link ProducerCancelledException} and {@link CallInterruptedException}), an {@link
   * InterruptedException}, an {@link InterruptedIOException} or a {@link
   * ClosedByInterruptException}.
   */
  public static boolean isReaction(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 8; depth++, t = t.getCause()) {
      if (t instanceof CancellationException
          || t instanceof InterruptedException
          || t instanceof InterruptedIOException
          || t instanceof ClosedByInterruptException) {
        return true;
      }
    }
    return false;
  }
}
