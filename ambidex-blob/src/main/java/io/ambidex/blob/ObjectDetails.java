package io.ambidex.blob;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Everything a HEAD request tells about an object, from {@code describe}: what {@link BlobObject}
 * carries, plus the object headers and user metadata an upload can set ({@link PutOptions}) and
 * the checksums the service stored with it.
 *
 * @param key the object's key
 * @param size its size in bytes
 * @param etag its entity tag, without quotes
 * @param lastModified when it was last written, or null if the server did not say
 * @param contentType its {@code Content-Type}, or null if the server did not say
 * @param cacheControl its {@code Cache-Control}, or null if it has none
 * @param contentDisposition its {@code Content-Disposition}, or null if it has none
 * @param contentEncoding its {@code Content-Encoding}, or null if it has none
 * @param metadata its user metadata: the {@code x-amz-meta-*} headers, names lower-case and
 *     without the prefix (unmodifiable, sorted by name); it includes {@value
 *     PutOptions#RESERVED_METADATA_NAME} on objects this client uploaded in parts
 * @param checksums the checksums the service stored, by algorithm in lower case ({@code crc32},
 *     {@code crc32c}, {@code crc64nvme}, {@code sha1}, {@code sha256}), base64 as S3 sends them;
 *     empty when the service keeps none or does not implement them (unmodifiable, sorted)
 */
public record ObjectDetails(
    String key,
    long size,
    String etag,
    @Nullable Instant lastModified,
    @Nullable String contentType,
    @Nullable String cacheControl,
    @Nullable String contentDisposition,
    @Nullable String contentEncoding,
    Map<String, String> metadata,
    Map<String, String> checksums) {
  /** Checks the components and makes the maps unmodifiable copies. */
  public ObjectDetails {
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(etag, "etag");
    if (size < 0) {
      throw new IllegalArgumentException("size must not be negative, but was " + size);
    }
    metadata = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(metadata));
    checksums = java.util.Collections.unmodifiableSortedMap(new java.util.TreeMap<>(checksums));
  }

  /** Returns the part of these details that a listing also gives. */
  public BlobObject object() {
    return new BlobObject(key, size, etag, lastModified);
  }
}
