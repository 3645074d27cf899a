package io.ambidex.blob;

/**
 * What a request's signature covers of its body ({@code x-amz-content-sha256}). Whatever the
 * mode, uploads also carry {@code Content-MD5}, so the server rejects a body damaged on the way.
 * Bodies are never sent {@code aws-chunked}: strict servers (OpenStack Swift's S3 layer) reject it.
 */
public enum PayloadSigning {
  /**
   * The hex SHA-256 of every body is computed before it is sent and signed (the default). A file
   * is read once more to hash it; a stream is hashed part by part from the buffer each part is read
   * into.
   */
  SIGNED,

  /**
   * Bodies are sent as {@code UNSIGNED-PAYLOAD}: no SHA-256 pass over the data. Integrity still
   * rests on {@code Content-MD5}; the signature still covers the method, path, query and headers.
   */
  UNSIGNED
}
