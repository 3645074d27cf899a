package io.ambidex;

/**
 * Not thrown: attached by the bridges, as a suppressed exception, to a failure that crosses from a
 * stage to a blocking caller. Its stack trace is the caller's, so a printed failure shows where
 * the blocking call was made as well as where the failure happened.
 *
 * <p>It is attached at most once per exception instance; a failure shared by several callers (a
 * cached failed stage) carries the stack of the first.
 */
public final class CallerStackTrace extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Captures the current thread's stack.
   *
   * @param operation the operation that was called
   */
  public CallerStackTrace(String operation) {
    super(
        "Blocking call of '" + operation + "' made here, on thread '"
            + Thread.currentThread().getName() + "'",
        null,
        false,
        true);
  }
}
