package io.ambidex.blob;

import io.ambidex.blob.internal.S3Xml;
import io.ambidex.http.HttpStatusException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The error mapper of the blob client's request client: reads the S3 error document of an error
 * response and returns the {@link BlobException} subtype of its code. Responses without a document
 * (HEAD has no body) are mapped by status: 404 to {@link NoSuchKeyException} for an object, {@link
 * NoSuchBucketException} for a bucket; 401 and 403 to {@link BlobAuthenticationException}; 416 to
 * {@link InvalidRangeException}. Anything else without a document is left as it is.
 */
final class Errors {
  private final URI endpoint;

  Errors(URI endpoint) {
    this.endpoint = endpoint;
  }

  RuntimeException map(HttpStatusException e) {
    S3Xml.Error doc = S3Xml.error(e.bodySnippet().getBytes(StandardCharsets.UTF_8));
    if (doc != null) {
      return of(e, doc.code(), doc.message(), doc.requestId());
    }
    String requestId = e.headers().firstValue("x-amz-request-id").orElse(null);
    return switch (e.status()) {
      case 404 -> of(e, hasKey(e) ? "NoSuchKey" : "NoSuchBucket", "", requestId);
      case 401, 403 -> of(e, "AccessDenied", "", requestId);
      case 416 -> of(e, "InvalidRange", "", requestId);
      default -> e;
    };
  }

  /** Returns the exception of an S3 error code. */
  static RuntimeException of(
      HttpStatusException e, String code, String message, @Nullable String requestId) {
    return switch (code) {
      case "NoSuchBucket" -> new NoSuchBucketException(e, code, message, requestId);
      case "NoSuchKey" -> new NoSuchKeyException(e, code, message, requestId);
      case "AccessDenied", "SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidSecurity",
          "InvalidToken", "ExpiredToken", "TokenRefreshRequired", "AuthorizationHeaderMalformed",
          "AccountProblem", "AllAccessDisabled", "Unauthorized" ->
          new BlobAuthenticationException(e, code, message, requestId);
      case "BucketAlreadyExists", "BucketAlreadyOwnedByYou" ->
          new BucketAlreadyExistsException(e, code, message, requestId);
      case "BucketNotEmpty" -> new BucketNotEmptyException(e, code, message, requestId);
      case "InvalidRange" -> new InvalidRangeException(e, code, message, requestId);
      case "BadDigest", "InvalidDigest" ->
          new BlobIntegrityException(
              e.method() + " " + e.uri() + " was refused with " + code
                  + ": the Content-MD5 sent does not match the bytes the service received, so"
                  + " the body was damaged on the way (or changed while it was read). Nothing was"
                  + " stored." + requestIdSuffix(requestId),
              "Content-MD5",
              "",
              e);
      // S3's answer when the body's SHA-256 differs from the signed x-amz-content-sha256 (Swift's
      // s3api says BadDigest for the same).
      case "XAmzContentSHA256Mismatch" ->
          new BlobIntegrityException(
              e.method() + " " + e.uri() + " was refused with " + code
                  + ": the SHA-256 signed in x-amz-content-sha256 does not match the bytes the"
                  + " service received, so the body was damaged on the way (or changed while it"
                  + " was read). Nothing was stored." + requestIdSuffix(requestId),
              "x-amz-content-sha256",
              "",
              e);
      default ->
          e.status() == 401 || e.status() == 403
              ? new BlobAuthenticationException(e, code, message, requestId)
              : new BlobException(e, code, message, requestId);
    };
  }

  private static String requestIdSuffix(@Nullable String requestId) {
    return requestId == null ? "" : " [request id " + requestId + "]";
  }

  private boolean hasKey(HttpStatusException e) {
    String path = e.uri().getRawPath();
    if (path == null || path.length() <= 1) {
      return false;
    }
    // path-style (the endpoint's own host): /bucket/key..., virtual-host (bucket.host): /key...
    // Decided per request: in virtual-host mode, dotted bucket names are still path-style.
    boolean pathStyle = endpoint.getHost().equalsIgnoreCase(e.uri().getHost());
    return !pathStyle || path.indexOf('/', 1) > 0;
  }
}
