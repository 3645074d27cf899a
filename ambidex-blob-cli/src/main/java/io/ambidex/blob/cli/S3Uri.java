package io.ambidex.blob.cli;

import java.util.Objects;

/**
 * An {@code s3://BUCKET[/KEY]} address as the tool's arguments write it.
 *
 * @param bucket the bucket
 * @param key the key, or the prefix for {@code ls}; empty when absent
 */
record S3Uri(String bucket, String key) {
  private static final String SCHEME = "s3://";

  S3Uri {
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(key, "key");
  }

  /**
   * Parses an address.
   *
   * @param text e.g. {@code s3://photos/2026/cat.jpg}
   * @return the address
   * @throws IllegalArgumentException with a one-line explanation if it is not one
   */
  static S3Uri parse(String text) {
    if (text == null || !text.startsWith(SCHEME)) {
      throw new IllegalArgumentException(
          "'" + text + "' is not an s3:// address; write s3://BUCKET/KEY");
    }
    String rest = text.substring(SCHEME.length());
    int slash = rest.indexOf('/');
    String bucket = slash < 0 ? rest : rest.substring(0, slash);
    String key = slash < 0 ? "" : rest.substring(slash + 1);
    if (bucket.isEmpty()) {
      throw new IllegalArgumentException("'" + text + "' names no bucket; write s3://BUCKET/KEY");
    }
    return new S3Uri(bucket, key);
  }

  /** Returns this address with a key, or fails naming the command that needs one. */
  S3Uri requireKey(String command) {
    if (key.isEmpty()) {
      throw new IllegalArgumentException(
          command + " needs an object, not a bucket: write s3://" + bucket + "/KEY");
    }
    return this;
  }

  @Override
  public String toString() {
    return SCHEME + bucket + (key.isEmpty() ? "" : "/" + key);
  }
}
