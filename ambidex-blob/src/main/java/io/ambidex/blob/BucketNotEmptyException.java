package io.ambidex.blob;

import io.ambidex.http.HttpStatusException;
import org.jspecify.annotations.Nullable;

/** The bucket still holds objects ({@code BucketNotEmpty}); delete them first. */
public class BucketNotEmptyException extends BlobException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception from the error response.
   *
   * @param response the error response
   * @param code the S3 error code
   * @param serverMessage the message of the error document
   * @param requestId the request id, or null
   */
  public BucketNotEmptyException(
      HttpStatusException response, String code, String serverMessage, @Nullable String requestId) {
    super(response, code, serverMessage, requestId);
  }

  @Override
  String hint() {
    return "Delete every object (and abort unfinished multipart uploads) before deleting the bucket.";
  }
}
