package io.ambidex.blob;

import io.ambidex.http.HttpStatusException;
import org.jspecify.annotations.Nullable;

/** The object does not exist ({@code NoSuchKey}). A HEAD response has no body, so a HEAD on a missing bucket is reported as this type too. */
public class NoSuchKeyException extends BlobException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception from the error response.
   *
   * @param response the error response
   * @param code the S3 error code
   * @param serverMessage the message of the error document
   * @param requestId the request id, or null
   */
  public NoSuchKeyException(
      HttpStatusException response, String code, String serverMessage, @Nullable String requestId) {
    super(response, code, serverMessage, requestId);
  }

  @Override
  String hint() {
    return "Check the key (keys are case-sensitive) and the bucket.";
  }
}
