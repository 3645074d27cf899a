package io.ambidex.producer;

import java.util.concurrent.CancellationException;

/**
 * Thrown inside a producer body by {@link ProducerContext#send} and {@link
 * ProducerContext#started} once the consumer has closed or cancelled the producer. It is how the
 * body learns that nobody wants more items: let it propagate, so that the body's {@code finally}
 * blocks and try-with-resources run and the producer's thread ends.
 *
 * <p>It is unchecked, and a {@link CancellationException}, so catching that type handles it
 * together with other cancellations. A body that catches and ignores it keeps its thread alive
 * until it returns; every later {@code send} throws again.
 */
public final class ProducerCancelledException extends CancellationException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message why the producer was cancelled
   */
  public ProducerCancelledException(String message) {
    super(message);
  }
}
