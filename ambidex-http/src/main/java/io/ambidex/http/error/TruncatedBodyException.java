package io.ambidex.http.error;

import java.io.IOException;

/**
 * A response body ended before its declared length (or before the last chunk of a chunked body):
 * the connection closed early. The bytes read so far are incomplete and must not be used.
 */
public class TruncatedBodyException extends HttpIOException {
  private static final long serialVersionUID = 1L;

  private final long expected;
  private final long received;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the exchange and the likely cause
   * @param cause the lower-layer exception
   * @param expected the declared length, or -1 if unknown (chunked)
   * @param received the number of bytes received, or -1 if unknown
   */
  public TruncatedBodyException(String message, IOException cause, long expected, long received) {
    super(message, cause);
    this.expected = expected;
    this.received = received;
  }

  /** Returns the declared length of the body, or -1 if it was not declared. */
  public long expected() {
    return expected;
  }

  /** Returns the number of bytes received before the body ended, or -1 if unknown. */
  public long received() {
    return received;
  }
}
