package io.ambidex.blob;

import java.util.Objects;

/**
 * What an upload stored.
 *
 * @param key the object's key
 * @param etag the entity tag the server gave the object, without quotes: the MD5 of the bytes
 *     for a single request, {@code md5-of-part-md5s-N} for a multipart upload of N parts
 * @param size the number of bytes uploaded
 * @param parts 0 for a single request, otherwise the number of parts of the multipart upload
 */
public record PutResult(String key, String etag, long size, int parts) {
  /** Checks the components. */
  public PutResult {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(etag, "etag");
  }

  /** Returns true if the object was uploaded in parts. */
  public boolean isMultipart() {
    return parts > 0;
  }
}
