package io.ambidex.blob;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An object in a listing, or the metadata of one from {@code head}.
 *
 * @param key the object's key
 * @param size its size in bytes
 * @param etag its entity tag, without quotes (an MD5 for single-part uploads on most servers)
 * @param lastModified when it was last written, or null if the server did not say
 */
public record BlobObject(String key, long size, String etag, @Nullable Instant lastModified)
    implements ListEntry {
  /** Checks the components. */
  public BlobObject {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(etag, "etag");
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, but was " + size);
    }
  }
}
