package io.ambidex.blob.internal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.Checksum;

/**
 * CRC-64/NVME (the {@code CRC64NVME} of S3's flexible checksums): width 64, polynomial {@code
 * 0xad93d23594c93659}, reflected input and output, initial value and final xor all ones; the check
 * value of {@code "123456789"} is {@code 0xae8b14860a799888}. The JDK has no class for it and Maven
 * Central no maintained library without native code, so it is computed here, slicing by 8 bytes
 * with eight 256-entry tables (16 KiB). Not thread-safe. Not API.
 */
public final class Crc64Nvme implements Checksum {
  /** The reflected polynomial. */
  static final long POLY = 0x9a6c9329ac4bc9b5L;

  private static final long[][] T = tables();

  private long crc = -1L; // the register, before the final xor

  @Override
  public void update(int b) {
    crc = T[0][(int) (crc ^ b) & 0xff] ^ (crc >>> 8);
  }

  @Override
  public void update(byte[] b, int off, int len) {
    java.util.Objects.checkFromIndexSize(off, len, b.length);
    long c = crc;
    int i = off;
    int end = off + len;
    while (end - i >= 8) {
      long x = c ^ ((b[i] & 0xffL) | (b[i + 1] & 0xffL) << 8 | (b[i + 2] & 0xffL) << 16
          | (b[i + 3] & 0xffL) << 24 | (b[i + 4] & 0xffL) << 32 | (b[i + 5] & 0xffL) << 40
          | (b[i + 6] & 0xffL) << 48 | (b[i + 7] & 0xffL) << 56);
      c = slice8(x);
      i += 8;
    }
    while (i < end) {
      c = T[0][(int) (c ^ b[i++]) & 0xff] ^ (c >>> 8);
    }
    crc = c;
  }

  @Override
  public void update(ByteBuffer buffer) {
    if (buffer.hasArray()) {
      int n = buffer.remaining();
      update(buffer.array(), buffer.arrayOffset() + buffer.position(), n);
      buffer.position(buffer.position() + n);
      return;
    }
    long c = crc;
    ByteBuffer b = buffer.slice().order(ByteOrder.LITTLE_ENDIAN);
    int n = b.remaining();
    int i = 0;
    while (n - i >= 8) {
      c = slice8(c ^ b.getLong(i));
      i += 8;
    }
    while (i < n) {
      c = T[0][(int) (c ^ b.get(i++)) & 0xff] ^ (c >>> 8);
    }
    crc = c;
    buffer.position(buffer.position() + n);
  }

  private static long slice8(long x) {
    return T[7][(int) x & 0xff] ^ T[6][(int) (x >>> 8) & 0xff] ^ T[5][(int) (x >>> 16) & 0xff]
        ^ T[4][(int) (x >>> 24) & 0xff] ^ T[3][(int) (x >>> 32) & 0xff]
        ^ T[2][(int) (x >>> 40) & 0xff] ^ T[1][(int) (x >>> 48) & 0xff] ^ T[0][(int) (x >>> 56)
        & 0xff];
  }

  /** Returns the CRC of the bytes so far (all 64 bits). */
  @Override
  public long getValue() {
    return ~crc;
  }

  @Override
  public void reset() {
    crc = -1L;
  }

  private static long[][] tables() {
    long[][] t = new long[8][256];
    for (int n = 0; n < 256; n++) {
      long c = n;
      for (int k = 0; k < 8; k++) {
        c = (c & 1) != 0 ? (c >>> 1) ^ POLY : c >>> 1;
      }
      t[0][n] = c;
    }
    for (int n = 0; n < 256; n++) {
      long c = t[0][n];
      for (int k = 1; k < 8; k++) {
        c = t[0][(int) c & 0xff] ^ (c >>> 8);
        t[k][n] = c;
      }
    }
    return t;
  }
}
