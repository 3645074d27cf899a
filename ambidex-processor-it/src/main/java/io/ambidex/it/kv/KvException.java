package io.ambidex.it.kv;

/** An error response from the key-value server. */
public final class KvException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message the server's error message
   */
  public KvException(String message) {
    super(message);
  }
}
