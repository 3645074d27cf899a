package io.ambidex.http.error;

import java.io.IOException;

/**
 * The TLS handshake failed: an untrusted or expired certificate, a host name mismatch, or no
 * protocol or cipher suite in common.
 */
public class TlsException extends HttpIOException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the exchange and the likely cause
   * @param cause the lower-layer exception
   */
  public TlsException(String message, IOException cause) {
    super(message, cause);
  }
}
