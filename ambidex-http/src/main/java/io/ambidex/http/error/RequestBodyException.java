package io.ambidex.http.error;

import java.io.IOException;

/**
 * Reading the request body from its source failed, or the source did not hold the length it
 * declared. Not retried: the source is the problem, not the network.
 */
public class RequestBodyException extends HttpIOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the exchange and the likely cause
   * @param cause the lower-layer exception
   */
  public RequestBodyException(String message, IOException cause) {
    super(message, cause);
  }
}
