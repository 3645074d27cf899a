package io.ambidex.http.error;

import java.io.IOException;

/**
 * The connection was closed or reset by the peer (or something between) before the exchange
 * completed. The server may have processed the request.
 */
public class ConnectionResetException extends HttpIOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the exchange and the likely cause
   * @param cause the lower-layer exception
   */
  public ConnectionResetException(String message, IOException cause) {
    super(message, cause);
  }
}
