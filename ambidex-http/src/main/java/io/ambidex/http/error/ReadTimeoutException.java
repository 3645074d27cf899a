package io.ambidex.http.error;

import java.io.IOException;

/**
 * No byte arrived within the read timeout, while waiting for the response head or a part of the
 * body. The server may have processed the request.
 */
public class ReadTimeoutException extends HttpIOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the exchange and the likely cause
   * @param cause the lower-layer exception
   */
  public ReadTimeoutException(String message, IOException cause) {
    super(message, cause);
  }
}
