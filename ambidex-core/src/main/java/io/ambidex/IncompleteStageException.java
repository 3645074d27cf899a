package io.ambidex;

/**
 * Thrown by {@link Immediate} when the stage of an operation had not completed by the time the
 * call returned it. The immediate bridge never waits: this exception means the core suspended
 * (an async transport, an async sleep, or work handed to another thread) under a blocking facade
 * that was built for a sync transport.
 */
public final class IncompleteStageException extends IllegalStateException {
  private static final long serialVersionUID = 1L;

  private final String operation;

  /**
   * Creates the exception for {@code operation}.
   *
   * @param operation the name of the operation whose stage was incomplete
   */
  public IncompleteStageException(String operation) {
    super(
        "Operation '"
            + operation
            + "' did not complete during the call, and the immediate bridge never waits. The likely"
            + " cause is an async transport or an async sleep (AsyncRuntime) under a blocking"
            + " facade: build the blocking side with a sync transport and SyncRuntime, or use"
            + " BlockingWait for genuinely async stages. The stage has been cancelled.");
    this.operation = operation;
  }

  /** Returns the name of the operation whose stage was incomplete. */
  public String operation() {
    return operation;
  }
}
