package io.ambidex.blob;

import io.ambidex.http.HttpStatusException;
import org.jspecify.annotations.Nullable;

/** The bucket does not exist ({@code NoSuchBucket}). */
public class NoSuchBucketException extends BlobException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception from the error response.
   *
   * @param response the error response
   * @param code the S3 error code
   * @param serverMessage the message of the error document
   * @param requestId the request id, or null
   */
  public NoSuchBucketException(
      HttpStatusException response, String code, String serverMessage, @Nullable String requestId) {
    super(response, code, serverMessage, requestId);
  }

  @Override
  String hint() {
    return "Is the bucket name right, and was the bucket created in this region?";
  }
}
