package io.ambidex.http.error;

import java.io.IOException;

/**
 * No connection to the server could be opened (refused, unreachable, unknown host): the
 * request was not sent, so retrying it is safe whatever its method.
 */
public class ConnectFailedException extends HttpIOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the exchange and the likely cause
   * @param cause the lower-layer exception
   */
  public ConnectFailedException(String message, IOException cause) {
    super(message, cause);
  }
}
