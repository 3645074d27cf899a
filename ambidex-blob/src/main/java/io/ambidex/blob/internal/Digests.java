package io.ambidex.blob.internal;

import io.ambidex.blob.ChecksumAlgorithm;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import org.jspecify.annotations.Nullable;

/**
 * The checksums of one upload body: the configured {@link ChecksumAlgorithm}'s (sent as {@code
 * x-amz-checksum-*}, or as {@code Content-MD5} and checked against the ETag for {@link
 * ChecksumAlgorithm#MD5}) and, when the payload is signed, its SHA-256. Computed in one pass (one
 * digest when the algorithm is SHA-256 and the payload signed). Not API.
 *
 * @param algorithm the checksum's algorithm
 * @param checksum the raw checksum (big-endian for a CRC)
 * @param sha256Hex the hex SHA-256, or null if the payload is not signed
 */
public record Digests(ChecksumAlgorithm algorithm, byte[] checksum, @Nullable String sha256Hex) {
  private static final HexFormat HEX = HexFormat.of();

  /** Returns the base64 checksum, the value of its header. */
  public String checksumBase64() {
    return Base64.getEncoder().encodeToString(checksum);
  }

  /** Returns the hex MD5, what a single-part ETag should be, or null for another algorithm. */
  public @Nullable String md5Hex() {
    return algorithm == ChecksumAlgorithm.MD5 ? HEX.formatHex(checksum) : null;
  }

  /** Returns the MD5 of {@code length} bytes of {@code data} from {@code offset}, in base64. */
  public static String md5Base64(byte[] data, int offset, int length) {
    return Base64.getEncoder()
        .encodeToString(Hasher.of(ChecksumAlgorithm.MD5, data, offset, length));
  }

  /** Returns the checksums of {@code length} bytes of {@code data} from {@code offset}. */
  public static Digests of(
      byte[] data, int offset, int length, boolean sha256, ChecksumAlgorithm algorithm) {
    Hasher h = Hasher.of(algorithm);
    h.update(data, offset, length);
    byte[] sum = h.digest();
    String sha = null;
    if (sha256) {
      if (algorithm == ChecksumAlgorithm.SHA256) {
        sha = HEX.formatHex(sum);
      } else {
        MessageDigest s = SigV4.sha256();
        s.update(data, offset, length);
        sha = HEX.formatHex(s.digest());
      }
    }
    return new Digests(algorithm, sum, sha);
  }

  /** Returns the checksums of {@code length} bytes of {@code file} from {@code offset}. */
  public static Digests of(
      Path file, long offset, long length, boolean sha256, ChecksumAlgorithm algorithm) {
    Hasher h = Hasher.of(algorithm);
    MessageDigest sha =
        sha256 && algorithm != ChecksumAlgorithm.SHA256 ? SigV4.sha256() : null;
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.max(1, Math.min(length, 256 * 1024)));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long position = offset;
      long left = length;
      while (left > 0) {
        buffer.clear();
        if (left < buffer.capacity()) {
          buffer.limit((int) left);
        }
        int n = ch.read(buffer, position);
        if (n < 0) {
          throw new UncheckedIOException(
              new IOException(file + " is shorter than when the upload started: it ended at "
                  + position + ", before " + (offset + length)));
        }
        buffer.flip();
        h.update(buffer.array(), 0, n);
        if (sha != null) {
          sha.update(buffer.array(), 0, n);
        }
        position += n;
        left -= n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + " to compute its checksums", e);
    }
    byte[] sum = h.digest();
    String shaHex =
        sha != null
            ? HEX.formatHex(sha.digest())
            : sha256 ? HEX.formatHex(sum) : null;
    return new Digests(algorithm, sum, shaHex);
  }

  /** Returns a new MD5 digest. */
  public static MessageDigest newMd5() {
    try {
      return MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no MD5", e);
    }
  }
}
