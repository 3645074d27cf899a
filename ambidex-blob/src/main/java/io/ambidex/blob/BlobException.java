package io.ambidex.blob;

import io.ambidex.http.HttpStatusException;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The service answered a blob operation with an S3 error: the status, and the error code and
 * message of the error document. The root of the blob client's error responses; the common codes
 * have their own subclasses, so callers catch what they can handle:
 *
 * <pre>
 * HttpStatusException (ambidex-http)        status, headers, body snippet
 *  └── BlobException                        code(), serverMessage(), requestId()
 *       ├── NoSuchBucketException            NoSuchBucket
 *       ├── NoSuchKeyException               NoSuchKey; a HEAD or GET answered 404 without a body
 *       ├── BlobAuthenticationException      AccessDenied, SignatureDoesNotMatch, InvalidAccessKeyId,
 *       │                                    and other 401/403 answers
 *       ├── BucketAlreadyExistsException     BucketAlreadyExists, BucketAlreadyOwnedByYou
 *       ├── BucketNotEmptyException          BucketNotEmpty
 *       └── InvalidRangeException            InvalidRange (416)
 * BlobIntegrityException (an HttpIOException) the bytes do not match their checksum
 * </pre>
 *
 * <p>Unchecked, like every failure of the blob client, so that {@link BlobClient} throws exactly
 * the types that {@link AsyncBlobClient}'s futures fail with. Failures below HTTP (connection,
 * timeouts, truncated bodies) are ambidex-http's {@code HttpIOException} family.
 */
public class BlobException extends HttpStatusException {
  private static final long serialVersionUID = 1L;

  private final String code;
  private final String serverMessage;
  private final @Nullable String requestId;
  /*
   * What the request alone does not say, set by the client before the failure is reported: a
   * copy's request names its target, so a missing source is said here. Null for most failures.
   */
  private @Nullable String detail;

  /**
   * Creates the exception from the error response.
   *
   * @param response the error response, as the request client reported it
   * @param code the S3 error code, such as {@code NoSuchKey}
   * @param serverMessage the message of the error document (possibly empty)
   * @param requestId the request id the service gave, or null
   */
  public BlobException(
      HttpStatusException response, String code, String serverMessage, @Nullable String requestId) {
    super(
        response.method(),
        response.uri(),
        response.status(),
        response.headers(),
        response.bodySnippet());
    this.code = Objects.requireNonNull(code, "code");
    this.serverMessage = Objects.requireNonNull(serverMessage, "serverMessage");
    this.requestId = requestId;
  }

  /** Returns the S3 error code, such as {@code NoSuchKey} or {@code SignatureDoesNotMatch}. */
  public String code() {
    return code;
  }

  /** Returns the message of the service's error document, possibly empty. */
  public String serverMessage() {
    return serverMessage;
  }

  /** Returns the service's request id, for its support, or null. */
  public @Nullable String requestId() {
    return requestId;
  }

  @Override
  public String getMessage() {
    StringBuilder b = new StringBuilder();
    b.append(method()).append(' ').append(uri()).append(" failed: ").append(code)
        .append(" (status ").append(status()).append(')');
    if (!serverMessage.isBlank()) {
      b.append(": ").append(serverMessage.strip());
    }
    if (detail != null) {
      b.append(b.charAt(b.length() - 1) == '.' ? " " : ". ").append(detail);
    }
    String hint = hint();
    if (!hint.isEmpty()) {
      b.append(b.charAt(b.length() - 1) == '.' ? " " : ". ").append(hint);
    }
    if (requestId != null) {
      b.append(" [request id ").append(requestId).append(']');
    }
    return b.toString();
  }

  /*
   * Adds a sentence saying what failed where the request does not (see `detail`); called by the
   * client before the exception reaches anyone.
   */
  BlobException withDetail(String sentence) {
    this.detail = Objects.requireNonNull(sentence, "sentence");
    return this;
  }

  /** A sentence naming the likely cause, or empty. */
  String hint() {
    return "";
  }
}
