package io.ambidex.it.docs;

/** No blob has the requested key. */
public final class BlobNotFoundException extends Exception {
  private static final long serialVersionUID = 1L;

  public BlobNotFoundException(String key) {
    super("no blob at " + key);
  }
}
