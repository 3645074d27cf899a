package io.ambidex;

/**
 * Thrown by a blocking bridge, before it parks, when the {@link BlockingGuard} says the current
 * thread must not block (an event loop, a non-blocking scheduler thread, an Ambidex loop thread).
 * Blocking there would stall every task that shares the thread, or deadlock outright.
 */
public final class BlockingNotAllowedException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param operation the operation that tried to block
   * @param threadName the name of the thread that must not block
   * @param threadKind what the guard recognised the thread as, e.g. "a Netty event-loop thread"
   */
  public BlockingNotAllowedException(String operation, String threadName, String threadKind) {
    super(
        "Blocking call '"
            + operation
            + "' on thread '"
            + threadName
            + "', "
            + threadKind
            + ", is not allowed: it would stall every task that shares that thread, or deadlock."
            + " Use the async API from this thread, or move the call to a worker or virtual"
            + " thread.");
  }
}
