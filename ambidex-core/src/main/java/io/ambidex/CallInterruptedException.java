package io.ambidex;

import java.util.concurrent.CancellationException;

/**
 * Thrown by a blocking bridge when the waiting thread is interrupted. By the time it is thrown the
 * operation's stage has been cancelled and the thread's interrupt flag has been restored, so code
 * further up the stack still sees the interrupt.
 *
 * <p>It is a {@link CancellationException} because that is what the operation became; catch that
 * type to handle both cancellation and interruption.
 */
public final class CallInterruptedException extends CancellationException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param operation the operation whose caller was interrupted
   */
  public CallInterruptedException(String operation) {
    super(
        "The thread waiting for operation '"
            + operation
            + "' was interrupted; the operation was cancelled and the interrupt flag is set.");
  }
}
