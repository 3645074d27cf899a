package io.ambidex.blob;

import io.ambidex.http.HttpStatusException;
import org.jspecify.annotations.Nullable;

/**
 * The bucket exists: {@code BucketAlreadyOwnedByYou} (yours; see {@link #ownedByYou()}) or
 * {@code BucketAlreadyExists} (someone else's: bucket names are global on AWS).
 */
public class BucketAlreadyExistsException extends BlobException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception from the error response.
   *
   * @param response the error response
   * @param code the S3 error code
   * @param serverMessage the message of the error document
   * @param requestId the request id, or null
   */
  public BucketAlreadyExistsException(
      HttpStatusException response, String code, String serverMessage, @Nullable String requestId) {
    super(response, code, serverMessage, requestId);
  }

  /** Returns true if the bucket is already yours ({@code BucketAlreadyOwnedByYou}). */
  public boolean ownedByYou() {
    return code().equals("BucketAlreadyOwnedByYou");
  }

  @Override
  String hint() {
    return ownedByYou()
        ? "The bucket is already yours."
        : "Bucket names are shared by every account of the service: choose another name.";
  }
}
