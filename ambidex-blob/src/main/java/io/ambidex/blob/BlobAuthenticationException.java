package io.ambidex.blob;

import io.ambidex.http.HttpStatusException;
import org.jspecify.annotations.Nullable;

/** The service refused the credentials or the signature: {@code AccessDenied}, {@code SignatureDoesNotMatch}, {@code InvalidAccessKeyId}, and any other 401 or 403 answer. */
public class BlobAuthenticationException extends BlobException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception from the error response.
   *
   * @param response the error response
   * @param code the S3 error code
   * @param serverMessage the message of the error document
   * @param requestId the request id, or null
   */
  public BlobAuthenticationException(
      HttpStatusException response, String code, String serverMessage, @Nullable String requestId) {
    super(response, code, serverMessage, requestId);
  }

  @Override
  String hint() {
    return "Check the access key id and secret (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), the region and the endpoint, and the permissions of the key.";
  }
}
