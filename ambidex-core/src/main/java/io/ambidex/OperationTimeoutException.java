package io.ambidex;

import java.time.Duration;

/**
 * An operation did not finish before its deadline and was cancelled. Thrown by the blocking bridges
 * when their wait times out, and used as the failure of stages returned by {@link
 * io.ambidex.control.Async#withTimeout}, so the blocking path and the async path see the same type.
 */
public final class OperationTimeoutException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Duration timeout;

  /**
   * Creates the exception.
   *
   * @param operation the operation that timed out
   * @param timeout the time limit it was given
   */
  public OperationTimeoutException(String operation, Duration timeout) {
    super("Operation '" + operation + "' did not finish within " + timeout + " and was cancelled.");
    this.timeout = timeout;
  }

  /** Returns the time limit the operation was given. */
  public Duration timeout() {
    return timeout;
  }
}
