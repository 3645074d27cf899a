package io.ambidex.processor.samples;

/** A checked failure of the sample store: the key does not exist. */
public final class StoreException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param key the missing key
   */
  public StoreException(String key) {
    super("no such key: " + key);
  }
}
