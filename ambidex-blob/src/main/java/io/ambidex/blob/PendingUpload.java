package io.ambidex.blob;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A multipart upload that was started and neither completed nor aborted: its parts are stored
 * (and billed) until someone completes or aborts it. Listed by {@code listUploads}, removed with
 * {@code abortUpload}.
 *
 * @param key the key the upload writes
 * @param uploadId the service's identifier of the upload
 * @param initiated when it was started, or null if the service did not say
 */
public record PendingUpload(String key, String uploadId, @Nullable Instant initiated) {
  /** Checks the components. */
  public PendingUpload {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(uploadId, "uploadId");
  }
}
