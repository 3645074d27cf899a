package io.ambidex.blob;

/**
 * What a request's signature covers of its body ({@code x-amz-content-sha256}). Whatever the
 * mode, uploads also carry the configured checksum ({@link BlobConfig#checksum()}: CRC32C for AWS
 * endpoints, {@code Content-MD5} for others), which the server checks, so a body damaged on the
 * way is refused. Bodies are never sent {@code aws-chunked}: strict servers (OpenStack Swift's S3
 * layer) reject it.
 */
public enum PayloadSigning {
  /**
   * {@link #SIGNED} over {@code http}, {@link #UNSIGNED} over {@code https} (the default, as the
   * AWS SDKs choose). Over TLS the body cannot be changed on the way without breaking the
   * connection, and the checksum guards what is stored, so a signed SHA-256 would only cost a
   * pass over the data on both ends; over plain {@code http} the signature is what stops anyone
   * on the path from replacing the body and its checksum together.
   */
  AUTO,

  /**
   * The hex SHA-256 of every body is computed before it is sent and signed, whatever the scheme.
   * The digest is computed in the same pass over each part as its checksum.
   */
  SIGNED,

  /**
   * Bodies are sent as {@code UNSIGNED-PAYLOAD}, whatever the scheme: no SHA-256 of the data.
   * Integrity rests on the checksum; the signature still covers the method, path, query and
   * headers (the checksum header included).
   */
  UNSIGNED;

  /**
   * Returns the mode used for requests to an endpoint with {@code scheme}: {@link #AUTO}
   * resolved, the others as they are.
   *
   * @param scheme the endpoint's scheme, {@code http} or {@code https}
   * @return {@link #SIGNED} or {@link #UNSIGNED}
   */
  public PayloadSigning forScheme(String scheme) {
    if (this != AUTO) {
      return this;
    }
    return "https".equalsIgnoreCase(scheme) ? UNSIGNED : SIGNED;
  }
}
