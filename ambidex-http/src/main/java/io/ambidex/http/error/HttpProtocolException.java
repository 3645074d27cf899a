package io.ambidex.http.error;

import java.io.IOException;

/**
 * The server's response violated HTTP (a malformed status line, header or chunk, or a body
 * longer than its {@code Content-Length}).
 */
public class HttpProtocolException extends HttpIOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the exchange and the likely cause
   * @param cause the lower-layer exception
   */
  public HttpProtocolException(String message, IOException cause) {
    super(message, cause);
  }
}
