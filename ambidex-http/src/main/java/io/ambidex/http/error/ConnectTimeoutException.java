package io.ambidex.http.error;

import java.io.IOException;

/**
 * The connection could not be opened within the connect timeout. The request was not sent.
 */
public class ConnectTimeoutException extends ConnectFailedException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the exchange and the likely cause
   * @param cause the lower-layer exception
   */
  public ConnectTimeoutException(String message, IOException cause) {
    super(message, cause);
  }
}
