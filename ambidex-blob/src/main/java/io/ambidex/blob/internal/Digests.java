package io.ambidex.blob.internal;

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
 * The checksums of one upload body: its MD5 (for {@code Content-MD5} and the ETag check) and,
 * when the payload is signed, its SHA-256. Computed in one pass. Not API.
 *
 * @param md5 the MD5
 * @param sha256Hex the hex SHA-256, or null if the payload is not signed
 */
public record Digests(byte[] md5, @Nullable String sha256Hex) {
  private static final HexFormat HEX = HexFormat.of();

  /** Returns the base64 MD5, the value of {@code Content-MD5}. */
  public String md5Base64() {
    return Base64.getEncoder().encodeToString(md5);
  }

  /** Returns the hex MD5, what a single-part ETag should be. */
  public String md5Hex() {
    return HEX.formatHex(md5);
  }

  /** Returns the checksums of {@code length} bytes of {@code data} from {@code offset}. */
  public static Digests of(byte[] data, int offset, int length, boolean sha256) {
    MessageDigest md5 = newMd5();
    md5.update(data, offset, length);
    String sha = null;
    if (sha256) {
      MessageDigest s = SigV4.sha256();
      s.update(data, offset, length);
      sha = HEX.formatHex(s.digest());
    }
    return new Digests(md5.digest(), sha);
  }

  /** Returns the checksums of {@code length} bytes of {@code file} from {@code offset}. */
  public static Digests of(Path file, long offset, long length, boolean sha256) {
    MessageDigest md5 = newMd5();
    MessageDigest sha = sha256 ? SigV4.sha256() : null;
    ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(length, 256 * 1024));
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
        md5.update(buffer.duplicate());
        if (sha != null) {
          sha.update(buffer);
        }
        position += n;
        left -= n;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + " to compute its checksums", e);
    }
    return new Digests(md5.digest(), sha == null ? null : HEX.formatHex(sha.digest()));
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
