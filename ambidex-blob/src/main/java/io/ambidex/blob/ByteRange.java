package io.ambidex.blob;

/**
 * A range of bytes of an object, for ranged downloads ({@code Range: bytes=...}).
 *
 * <p>Three shapes, as HTTP has them: {@link #of(long, long) first to last} inclusive, {@link
 * #from(long) from an offset to the end}, and {@link #lastBytes(long) the last n bytes}. Bad
 * bounds throw {@link IllegalArgumentException} at construction, before anything is sent. A range
 * that starts beyond the end of the object fails the download with {@link InvalidRangeException}.
 *
 * @param first the first byte's offset, or -1 for a suffix range
 * @param last the last byte's offset (inclusive), or -1 for "to the end"
 * @param suffixLength for a suffix range, how many bytes at the end; otherwise 0
 */
public record ByteRange(long first, long last, long suffixLength) {
  /** Checks the components. */
  public ByteRange {
    if (first == -1) {
      if (last != -1 || suffixLength <= 0) {
        throw new IllegalArgumentException(
            "a suffix range needs a positive suffixLength and last == -1, but was " + suffixLength
                + " and " + last);
      }
    } else {
      if (first < 0) {
        throw new IllegalArgumentException("first must not be negative, but was " + first);
      }
      if (last != -1 && last < first) {
        throw new IllegalArgumentException(
            "last (" + last + ") must not be before first (" + first + ")");
      }
      if (suffixLength != 0) {
        throw new IllegalArgumentException("suffixLength must be 0 unless first is -1");
      }
    }
  }

  /**
   * Returns the range from {@code first} to {@code last}, both included.
   *
   * @param first zero or positive
   * @param last at least {@code first}
   * @return the range
   */
  public static ByteRange of(long first, long last) {
    if (last < 0) {
      throw new IllegalArgumentException("last must not be negative, but was " + last);
    }
    return new ByteRange(first, last, 0);
  }

  /**
   * Returns the range from {@code first} to the end of the object.
   *
   * @param first zero or positive
   * @return the range
   */
  public static ByteRange from(long first) {
    return new ByteRange(first, -1, 0);
  }

  /**
   * Returns the last {@code n} bytes of the object (all of it if it is shorter).
   *
   * @param n positive
   * @return the range
   */
  public static ByteRange lastBytes(long n) {
    if (n <= 0) {
      throw new IllegalArgumentException("n must be positive, but was " + n);
    }
    return new ByteRange(-1, -1, n);
  }

  /** Returns the value of the {@code Range} header, e.g. {@code bytes=0-99}. */
  public String header() {
    if (first == -1) {
      return "bytes=-" + suffixLength;
    }
    return "bytes=" + first + "-" + (last == -1 ? "" : Long.toString(last));
  }
}
