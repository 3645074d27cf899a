package io.ambidex.blob;

import io.ambidex.http.HttpStatusException;
import org.jspecify.annotations.Nullable;

/** The requested range does not overlap the object ({@code InvalidRange}, status 416). */
public class InvalidRangeException extends BlobException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception from the error response.
   *
   * @param response the error response
   * @param code the S3 error code
   * @param serverMessage the message of the error document
   * @param requestId the request id, or null
   */
  public InvalidRangeException(
      HttpStatusException response, String code, String serverMessage, @Nullable String requestId) {
    super(response, code, serverMessage, requestId);
  }

  @Override
  String hint() {
    return "The range starts at or beyond the end of the object.";
  }
}
