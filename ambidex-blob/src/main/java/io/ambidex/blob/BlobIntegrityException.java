package io.ambidex.blob;

import io.ambidex.http.HttpStatusException;
import io.ambidex.http.error.HttpIOException;
import java.io.IOException;
import org.jspecify.annotations.Nullable;

/**
 * The bytes of a transfer do not match their checksum: a download whose flexible checksum ({@code
 * x-amz-checksum-*}) or MD5 differs from the object's, an upload whose stored checksum differs
 * from the one sent, or an upload the service rejected with {@code BadDigest} (its {@code
 * Content-MD5} or {@code x-amz-checksum-*} did not match what arrived) or {@code
 * XAmzContentSHA256Mismatch} (its signed SHA-256 did not). Never silently ignored: the data is not returned (a
 * download to a file leaves the target untouched; a stream fails at its end).
 *
 * <p>An {@link HttpIOException}: the request client retries an idempotent download that fails
 * with it, as it retries any other damaged transfer, so this is thrown only when the attempts ran
 * out.
 *
 * <p>When the service refused the upload, its error response (status, headers with the request
 * id, body) is kept: {@link #refusal()}, also the cause of the {@link IOException} cause (an
 * {@link HttpIOException}'s own cause is an {@code IOException}).
 */
public class BlobIntegrityException extends HttpIOException {
  private static final long serialVersionUID = 1L;

  private final String expected;
  private final String actual;

  /**
   * Creates the exception.
   *
   * @param message a sentence naming the transfer and what did not match
   * @param expected the checksum the data should have (hex for an MD5, base64 for a flexible
   *     checksum, as the service writes them)
   * @param actual the checksum it has (same encoding), or empty if the server computed it
   */
  public BlobIntegrityException(String message, String expected, String actual) {
    super(message, new IOException("checksum mismatch: expected " + expected + ", got " + actual));
    this.expected = expected;
    this.actual = actual;
  }

  /**
   * Creates the exception of an upload the service refused because the bytes it received do not
   * match the checksum sent ({@code BadDigest}, {@code XAmzContentSHA256Mismatch}).
   *
   * @param message a sentence naming the transfer and what did not match
   * @param expected what was sent to check the bytes against (e.g. the header's name)
   * @param actual the checksum the service computed, or empty if it did not say
   * @param refusal the service's error response, kept as the cause of the cause
   */
  public BlobIntegrityException(
      String message, String expected, String actual, HttpStatusException refusal) {
    super(message, new IOException(refusal.getMessage(), refusal));
    this.expected = expected;
    this.actual = actual;
  }

  /**
   * Returns the error response with which the service refused the upload (its status, its headers
   * with the request id, the start of its body), or null if the mismatch was found by this client.
   */
  public @Nullable HttpStatusException refusal() {
    IOException cause = getCause();
    return cause != null && cause.getCause() instanceof HttpStatusException e ? e : null;
  }

  /** Returns the checksum the data should have had (hex for an MD5, else base64). */
  public String expected() {
    return expected;
  }

  /**
   * Returns the checksum of the data received (hex for an MD5, else base64), or empty if only the
   * server knows it.
   */
  public String actual() {
    return actual;
  }
}
