package io.ambidex.http.error;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * An exchange failed below HTTP: no complete response was received, or its body could not be read
 * to the end. The root of the I/O family of this package (see the tree in the package
 * documentation); the lower-layer {@link IOException} is the cause.
 *
 * <p>Unchecked, so that the blocking path throws exactly what the async path fails with.
 */
public class HttpIOException extends UncheckedIOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the exchange and the likely cause
   * @param cause the lower-layer exception
   */
  public HttpIOException(String message, IOException cause) {
    super(message, cause);
  }
}
