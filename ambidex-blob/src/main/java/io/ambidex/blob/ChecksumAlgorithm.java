package io.ambidex.blob;

/**
 * The checksum that protects the bytes of every upload, and that downloads are checked against.
 *
 * <p>The five flexible checksums of S3 ({@link #CRC32C}, {@link #CRC32}, {@link #CRC64NVME},
 * {@link #SHA1}, {@link #SHA256}) are sent as {@code x-amz-checksum-<name>} on each single PUT and
 * each part; the service recomputes it and refuses a body that does not match. A multipart upload
 * of a CRC is completed with checksum type {@code FULL_OBJECT} (the CRC of the whole object,
 * combined from the parts' CRCs), one of a SHA with type {@code COMPOSITE} (the checksum of the
 * parts' checksums, "-N"), the only type S3 allows for them. {@link #MD5} is for services without
 * flexible checksums (OpenStack Swift's s3api, older S3-compatible servers): {@code Content-MD5}
 * on every body, and the ETag checked.
 *
 * <p>Downloads are checked against whatever the object carries, whichever client uploaded it: a
 * flexible checksum when the service returns one ({@code x-amz-checksum-mode: ENABLED} is sent
 * whatever the algorithm, and left out from then on if a service refuses it), else the ETag when
 * it is an MD5.
 */
public enum ChecksumAlgorithm {
  /** CRC-32C (Castagnoli), hardware-accelerated by the JDK: the default for AWS endpoints. */
  CRC32C("crc32c"),
  /** CRC-32 (the zip/Ethernet CRC), hardware-accelerated by the JDK. */
  CRC32("crc32"),
  /** CRC-64/NVME, 64 bits; computed by a table-driven implementation of this library. */
  CRC64NVME("crc64nvme"),
  /** SHA-1; multipart uploads are {@code COMPOSITE}. */
  SHA1("sha1"),
  /** SHA-256; multipart uploads are {@code COMPOSITE}. Costs about as much as signing the body. */
  SHA256("sha256"),
  /**
   * {@code Content-MD5} only, checked by every S3-compatible service, and the ETag: the default
   * for any endpoint other than AWS's. Downloads ask for no flexible checksum.
   */
  MD5("md5");

  private final String headerSuffix;

  ChecksumAlgorithm(String headerSuffix) {
    this.headerSuffix = headerSuffix;
  }

  /**
   * Returns the name of the header that carries this checksum, such as {@code
   * x-amz-checksum-crc32c}, or {@code Content-MD5} for {@link #MD5}.
   */
  public String header() {
    return this == MD5 ? "Content-MD5" : "x-amz-checksum-" + headerSuffix;
  }

  /** Returns true for S3's flexible checksums, false for {@link #MD5}. */
  public boolean flexible() {
    return this != MD5;
  }

  /**
   * Returns true if a multipart upload is completed as {@code FULL_OBJECT} (the CRCs), false if as
   * {@code COMPOSITE} (SHA-1, SHA-256), and for {@link #MD5}, whose composite is the ETag.
   */
  public boolean fullObject() {
    return this == CRC32C || this == CRC32 || this == CRC64NVME;
  }
}
