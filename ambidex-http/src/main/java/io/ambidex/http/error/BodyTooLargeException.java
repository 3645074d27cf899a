package io.ambidex.http.error;

import java.io.IOException;

/**
 * A response body was larger than the limit the reader set (for instance {@link
 * io.ambidex.http.ResponseBody#readAllBytes(long)}). The connection was closed rather than drained.
 */
public class BodyTooLargeException extends HttpIOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the exchange and the likely cause
   * @param cause the lower-layer exception
   */
  public BodyTooLargeException(String message, IOException cause) {
    super(message, cause);
  }
}
