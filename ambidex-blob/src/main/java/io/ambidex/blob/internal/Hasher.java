package io.ambidex.blob.internal;

import io.ambidex.blob.ChecksumAlgorithm;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;
import java.util.zip.Checksum;

/**
 * A running checksum of one {@link ChecksumAlgorithm}, with the CRC arithmetic S3's flexible
 * checksums need: {@link #combine} joins the CRCs of two adjacent blocks into the CRC of both, so
 * parts hashed on different threads (or ranges downloaded out of order) give the CRC of the whole
 * object without a second pass. Not thread-safe. Not API.
 */
public abstract sealed class Hasher {
  private Hasher() {}

  /** Returns a new hasher of {@code algorithm}. */
  public static Hasher of(ChecksumAlgorithm algorithm) {
    return switch (algorithm) {
      case CRC32C -> new Crc(new CRC32C(), 4);
      case CRC32 -> new Crc(new CRC32(), 4);
      case CRC64NVME -> new Crc(new Crc64Nvme(), 8);
      case SHA1 -> new Digest(digest("SHA-1"));
      case SHA256 -> new Digest(digest("SHA-256"));
      case MD5 -> new Digest(digest("MD5"));
    };
  }

  /** Adds the remaining bytes of {@code buffer}, without moving its position. */
  public abstract void update(ByteBuffer buffer);

  /** Adds {@code length} bytes of {@code data} from {@code offset}. */
  public abstract void update(byte[] data, int offset, int length);

  /** Returns the checksum (big-endian for a CRC, as S3 encodes it) and resets the hasher. */
  public abstract byte[] digest();

  /** Returns the checksum of {@code length} bytes of {@code data} from {@code offset}. */
  public static byte[] of(ChecksumAlgorithm algorithm, byte[] data, int offset, int length) {
    Hasher h = of(algorithm);
    h.update(data, offset, length);
    return h.digest();
  }

  private static MessageDigest digest(String name) {
    try {
      return MessageDigest.getInstance(name);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no " + name, e);
    }
  }

  /**
   * Returns the CRC of the concatenation of two blocks from their CRCs: {@code first} of the first
   * block, {@code second} of the second, {@code secondLength} bytes long (zlib's crc32_combine, for
   * any reflected CRC whose initial value and final xor are all ones, as S3's three are).
   *
   * @throws IllegalArgumentException if {@code algorithm} is not a CRC
   */
  public static byte[] combine(
      ChecksumAlgorithm algorithm, byte[] first, byte[] second, long secondLength) {
    Poly p = Poly.of(algorithm);
    long a = fromBytes(first);
    long b = fromBytes(second);
    long shifted = p.multiply(p.xPow8n(secondLength), a);
    return toBytes(shifted ^ b, p.width / 8);
  }

  static long fromBytes(byte[] b) {
    long v = 0;
    for (byte x : b) {
      v = v << 8 | (x & 0xff);
    }
    return v;
  }

  static byte[] toBytes(long v, int n) {
    byte[] b = new byte[n];
    for (int i = n - 1; i >= 0; i--) {
      b[i] = (byte) v;
      v >>>= 8;
    }
    return b;
  }

  private static final class Crc extends Hasher {
    private final Checksum crc;
    private final int bytes;

    Crc(Checksum crc, int bytes) {
      this.crc = crc;
      this.bytes = bytes;
    }

    @Override
    public void update(ByteBuffer buffer) {
      crc.update(buffer.duplicate());
    }

    @Override
    public void update(byte[] data, int offset, int length) {
      crc.update(data, offset, length);
    }

    @Override
    public byte[] digest() {
      byte[] b = toBytes(crc.getValue(), bytes);
      crc.reset();
      return b;
    }
  }

  private static final class Digest extends Hasher {
    private final MessageDigest md;

    Digest(MessageDigest md) {
      this.md = md;
    }

    @Override
    public void update(ByteBuffer buffer) {
      md.update(buffer.duplicate());
    }

    @Override
    public void update(byte[] data, int offset, int length) {
      md.update(data, offset, length);
    }

    @Override
    public byte[] digest() {
      return md.digest();
    }
  }

  /**
   * Polynomial arithmetic modulo a reflected CRC polynomial (the top bit of the register is x^0):
   * what combining needs, x^(8n) mod p by squaring.
   */
  private static final class Poly {
    private static final Poly CRC32 = new Poly(0xedb88320L, 32);
    private static final Poly CRC32C = new Poly(0x82f63b78L, 32);
    private static final Poly CRC64NVME = new Poly(Crc64Nvme.POLY, 64);

    final long poly;
    final int width;
    private final long[] x2n = new long[72]; // x^(2^k) mod p

    private Poly(long poly, int width) {
      this.poly = poly;
      this.width = width;
      long p = 1L << (width - 2); // x^1
      x2n[0] = p;
      for (int k = 1; k < x2n.length; k++) {
        p = multiply(p, p);
        x2n[k] = p;
      }
    }

    static Poly of(ChecksumAlgorithm algorithm) {
      return switch (algorithm) {
        case CRC32 -> CRC32;
        case CRC32C -> CRC32C;
        case CRC64NVME -> CRC64NVME;
        default ->
            throw new IllegalArgumentException(
                algorithm + " is not a CRC: only CRC32, CRC32C and CRC64NVME can be combined");
      };
    }

    long multiply(long a, long b) {
      long m = 1L << (width - 1);
      long p = 0;
      while (a != 0 && m != 0) {
        if ((a & m) != 0) {
          p ^= b;
          a ^= m;
        }
        m >>>= 1;
        b = (b & 1) != 0 ? (b >>> 1) ^ poly : b >>> 1;
      }
      return p;
    }

    /** Returns x^(8n) mod p. */
    long xPow8n(long n) {
      long p = 1L << (width - 1); // x^0
      int k = 3;
      while (n != 0) {
        if ((n & 1) != 0) {
          p = multiply(x2n[k], p);
        }
        n >>>= 1;
        k++;
      }
      return p;
    }
  }
}
