package io.ambidex.blob.internal;

import io.ambidex.blob.BlobIntegrityException;
import io.ambidex.blob.ChecksumAlgorithm;
import io.ambidex.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Checks the bytes of a whole-object download against the object's checksum, as they stream past.
 * The first of these that applies is used:
 *
 * <ul>
 *   <li>A flexible checksum ({@code x-amz-checksum-crc64nvme}, {@code -crc32c}, {@code -crc32},
 *       {@code -sha256}, {@code -sha1}; returned when the request asked with {@code
 *       x-amz-checksum-mode: ENABLED}), whoever uploaded the object. A full-object one is the
 *       checksum of the bytes. A composite one ({@code <base64>-N}) is the checksum of the parts'
 *       checksums: it is checked when the part size is known ({@code x-amz-meta-ambidex-part-size},
 *       which this client sets).
 *   <li>A single-part ETag (32 hex digits) is the MD5 of the object: the MD5 of the bytes must
 *       equal it.
 *   <li>A multipart ETag ({@code <hex>-N}) is the MD5 of the parts' MD5s. When the object carries
 *       the part size it was uploaded with, the MD5 of each part-sized block is computed and the
 *       composite must equal the ETag, with N parts.
 *   <li>A composite (flexible, else a multipart ETag) of an object another tool uploaded, which
 *       carries no part size: {@link #partsToLearn()} says how many parts it has. Once the caller
 *       has learnt the length of each ({@code HEAD ?partNumber=k}), {@link #withParts} returns the
 *       verifier that checks it; until then, and for good where the server does not tell, only
 *       the length is checked.
 *   <li>Not checked beyond the length: ranged downloads, and objects whose ETag is not an MD5
 *       (SSE-KMS or SSE-C encryption on AWS) and that carry no flexible checksum.
 * </ul>
 *
 * Not API.
 */
public final class DownloadVerifier {
  /** The user metadata header carrying the part size of a multipart upload. */
  public static final String PART_SIZE_HEADER = "x-amz-meta-ambidex-part-size";

  /** The flexible checksums, in the order a response carrying several is checked. */
  private static final List<ChecksumAlgorithm> FLEXIBLE =
      List.of(
          ChecksumAlgorithm.CRC64NVME,
          ChecksumAlgorithm.CRC32C,
          ChecksumAlgorithm.CRC32,
          ChecksumAlgorithm.SHA256,
          ChecksumAlgorithm.SHA1);

  private static final Pattern SINGLE = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern MULTI = Pattern.compile("([0-9a-f]{32})-([0-9]+)");
  private static final Pattern COMPOSITE = Pattern.compile("([A-Za-z0-9+/=]+)-([0-9]+)");
  private static final HexFormat HEX = HexFormat.of();

  private final String what;
  private final String source; // "ETag" or the checksum header's name
  private final String expected;
  private final @Nullable ChecksumAlgorithm algorithm; // null: the length only
  private final long partSize; // > 0 for composite checks, 0 for a whole-object one, -1 for none
  private final long @Nullable [] partLengths; // a composite's parts, when they are not equal
  private final int expectedParts;
  private final @Nullable Pending pending; // a composite whose part lengths are still unknown
  private final @Nullable Hasher hasher;
  private long inPart;
  private long bytes;
  private final ByteArrayOutputStream partSums = new ByteArrayOutputStream();
  private int parts;

  /* A composite checksum that can be checked once its parts' lengths are known. */
  private record Pending(String source, String expected, ChecksumAlgorithm algorithm, int parts) {}

  private DownloadVerifier(
      String what,
      String source,
      String expected,
      @Nullable ChecksumAlgorithm algorithm,
      long partSize,
      int expectedParts) {
    this(what, source, expected, algorithm, partSize, null, expectedParts, null);
  }

  private DownloadVerifier(
      String what,
      String source,
      String expected,
      @Nullable ChecksumAlgorithm algorithm,
      long partSize,
      long @Nullable [] partLengths,
      int expectedParts,
      @Nullable Pending pending) {
    this.what = what;
    this.source = source;
    this.expected = expected;
    this.algorithm = partSize >= 0 ? algorithm : null;
    this.partSize = algorithm == null ? -1 : partSize;
    this.partLengths = partLengths;
    this.expectedParts = expectedParts;
    this.pending = pending;
    this.hasher = this.algorithm == null ? null : Hasher.of(this.algorithm);
  }

  /* A verifier of the length only, remembering the composite it could check given the parts. */
  private static DownloadVerifier lengthOnly(String what, String etag, @Nullable Pending pending) {
    return new DownloadVerifier(what, "ETag", etag, null, -1, null, 0, pending);
  }

  /**
   * Returns the verifier of a response.
   *
   * @param what names the download, for the exception
   * @param headers the response headers
   * @param ranged true for a ranged download
   */
  public static DownloadVerifier of(String what, HttpHeaders headers, boolean ranged) {
    if (ranged) {
      return new DownloadVerifier(what, "", "", null, -1, 0);
    }
    long partSize = headers.firstValueAsLong(PART_SIZE_HEADER).orElse(-1);
    String etag = S3Xml.unquote(headers.firstValue("etag").orElse("")).toLowerCase(Locale.ROOT);
    Pending pending = null;
    for (ChecksumAlgorithm a : FLEXIBLE) {
      String value = headers.firstValue(a.header()).orElse(null);
      if (value == null || value.isBlank()) {
        continue;
      }
      value = value.strip();
      Matcher m = COMPOSITE.matcher(value);
      if (m.matches()) {
        if (partSize > 0) {
          return new DownloadVerifier(
              what, a.header(), value, a, partSize, Integer.parseInt(m.group(2)));
        }
        pending = pending(a.header(), value, a, m.group(2));
        break; // a composite without its part size: checked once the parts are known
      }
      String type = headers.firstValue("x-amz-checksum-type").orElse("");
      Matcher multi = MULTI.matcher(etag);
      if (type.isEmpty() && multi.matches()) {
        /*
         * A multipart object whose checksum says neither "-N" nor its type (moto's HEAD): a SHA
         * can only be COMPOSITE, with as many parts as the ETag; a CRC could be either, so it is
         * not trusted and the ETag rules apply.
         */
        if (!a.fullObject() && partSize > 0) {
          int n = Integer.parseInt(multi.group(2));
          return new DownloadVerifier(what, a.header(), value + "-" + n, a, partSize, n);
        }
        break;
      }
      if (!type.equalsIgnoreCase("COMPOSITE")) {
        return new DownloadVerifier(what, a.header(), value, a, 0, 0);
      }
      break;
    }
    if (!etagIsChecksum(headers)) {
      return resolved(lengthOnly(what, etag, pending), headers);
    }
    if (SINGLE.matcher(etag).matches()) {
      return new DownloadVerifier(what, "ETag", etag, ChecksumAlgorithm.MD5, 0, 0);
    }
    Matcher m = MULTI.matcher(etag);
    if (m.matches() && partSize > 0) {
      return new DownloadVerifier(
          what, "ETag", etag, ChecksumAlgorithm.MD5, partSize, Integer.parseInt(m.group(2)));
    }
    if (m.matches() && pending == null) {
      pending = pending("ETag", etag, ChecksumAlgorithm.MD5, m.group(2));
    }
    return resolved(lengthOnly(what, etag, pending), headers);
  }

  /* A composite of one part: the part is the whole body, whose length the response gives. */
  private static DownloadVerifier resolved(DownloadVerifier v, HttpHeaders headers) {
    long length = headers.firstValueAsLong("content-length").orElse(-1);
    return v.partsToLearn() == 1 && length >= 0 ? v.withParts(new long[] {length}) : v;
  }

  private static @Nullable Pending pending(
      String source, String expected, ChecksumAlgorithm algorithm, String parts) {
    try {
      int n = Integer.parseInt(parts);
      // S3 allows 10,000 parts: a larger count is not a composite this client asks parts for.
      return n >= 1 && n <= 10_000 ? new Pending(source, expected, algorithm, n) : null;
    } catch (NumberFormatException e) {
      return null; // more parts than S3 allows: not a checksum this client can check
    }
  }

  /**
   * Returns how many parts the object has when its checksum is a composite whose part lengths
   * are unknown (an object another tool uploaded in parts), or 0. Until {@link #withParts} is
   * given their lengths, this verifier checks the length only.
   */
  public int partsToLearn() {
    Pending p = pending;
    return p == null ? 0 : p.parts();
  }

  /**
   * Returns the verifier of the composite {@link #partsToLearn()} announced, given the length of
   * each part in order (as the server told them: {@code HEAD ?partNumber=k}).
   *
   * @param lengths the parts' lengths, in order, as many as {@link #partsToLearn()}
   * @throws IllegalStateException if there is no composite to learn the parts of
   * @throws IllegalArgumentException if there are not as many lengths as parts, or one is negative
   */
  public DownloadVerifier withParts(long[] lengths) {
    Pending p = pending;
    if (p == null) {
      throw new IllegalStateException(
          "The checksum of " + what + " is not a composite waiting for its parts; call"
              + " withParts only when partsToLearn() is above 0.");
    }
    if (lengths.length != p.parts()) {
      throw new IllegalArgumentException(
          "The checksum of " + what + " covers " + p.parts() + " parts, but " + lengths.length
              + " part lengths were given.");
    }
    for (long l : lengths) {
      if (l < 0) {
        throw new IllegalArgumentException("A part length is negative: " + l);
      }
    }
    return new DownloadVerifier(
        what, p.source(), p.expected(), p.algorithm(), 1, lengths.clone(), p.parts(), null);
  }

  /**
   * Returns true unless the service says the object is encrypted with KMS or a customer key, whose
   * ETags are not MD5s.
   */
  public static boolean etagIsChecksum(HttpHeaders headers) {
    String sse = headers.firstValue("x-amz-server-side-encryption").orElse("");
    return !sse.startsWith("aws:kms")
        && !headers.contains("x-amz-server-side-encryption-customer-algorithm");
  }

  /** Returns true if the bytes are checked against a checksum, not only counted. */
  public boolean verifies() {
    return algorithm != null;
  }

  /** Returns the algorithm the bytes are checked with, or null if only their length is. */
  public @Nullable ChecksumAlgorithm algorithm() {
    return algorithm;
  }

  /**
   * Returns the part size of a composite check (every part but the last has this many bytes), or
   * 0 for a checksum of the whole object, or -1 when nothing is checked. A composite of unequal
   * parts ({@link #withParts}) answers 1: see {@link #partLengths()}.
   */
  public long partSize() {
    return partSize;
  }

  /** Returns a copy of the parts' lengths of a {@link #withParts} verifier, else null. */
  public long @Nullable [] partLengths() {
    long[] l = partLengths;
    return l == null ? null : l.clone();
  }

  /* The length of part `index` (from 0); beyond the known parts, no end. */
  private long partLength(int index) {
    long[] l = partLengths;
    if (l == null) {
      return partSize;
    }
    return index < l.length ? l[index] : Long.MAX_VALUE;
  }

  /** Adds the bytes of {@code chunk} (its position is not moved). */
  public void update(ByteBuffer chunk) {
    bytes += chunk.remaining();
    Hasher h = hasher;
    if (h == null) {
      return;
    }
    if (partSize == 0) {
      h.update(chunk);
      return;
    }
    ByteBuffer b = chunk.duplicate();
    while (b.hasRemaining()) {
      int n = (int) Math.min(b.remaining(), partLength(parts) - inPart);
      h.update(b.slice(b.position(), n));
      b.position(b.position() + n);
      inPart += n;
      while (inPart == partLength(parts)) { // a loop: a part may be empty
        endPart();
      }
    }
  }

  private void endPart() {
    partSums.writeBytes(hasher.digest());
    parts++;
    inPart = 0;
  }

  /** Returns the number of bytes seen. */
  public long bytes() {
    return bytes;
  }

  /**
   * Checks the checksum once the body has ended.
   *
   * @throws BlobIntegrityException if it does not match
   */
  public void finish() {
    if (algorithm == null) {
      return;
    }
    if (partSize == 0) {
      check(encode(hasher.digest()), bytes);
      return;
    }
    while (inPart == partLength(parts)) { // empty parts at the end (or the only one)
      endPart();
    }
    if (inPart > 0 || parts == 0) {
      endPart();
    }
    finishParts(partSums.toByteArray(), parts, bytes);
  }

  /**
   * Checks a composite from the checksums of its parts, computed elsewhere (the ranges of a
   * parallel download, each one part).
   *
   * @param concatenated the parts' raw checksums, in order
   * @param count how many parts
   * @param total the bytes received
   * @throws BlobIntegrityException if it does not match
   */
  public void finishParts(byte[] concatenated, int count, long total) {
    String actual =
        encode(Hasher.of(algorithm, concatenated, 0, concatenated.length)) + "-" + count;
    if (count != expectedParts) {
      actual =
          actual + " (" + count + " parts of "
              + (partLengths == null ? partSize + " bytes)" : "the lengths the server gave)");
    }
    check(actual, total);
  }

  /**
   * Checks the whole object's raw checksum, computed elsewhere (CRCs of ranges, combined).
   *
   * @throws BlobIntegrityException if it does not match
   */
  public void finishWhole(byte[] checksum, long total) {
    check(encode(checksum), total);
  }

  private String encode(byte[] sum) {
    return algorithm == ChecksumAlgorithm.MD5
        ? HEX.formatHex(sum)
        : Base64.getEncoder().encodeToString(sum);
  }

  private void check(String actual, long total) {
    if (!actual.equals(expected)) {
      String name = source.equals("ETag") ? "ETag" : "checksum " + source + ":";
      throw new BlobIntegrityException(
          "The " + total + " bytes received for " + what + " do not match the object's " + name
              + " " + expected + " (computed " + actual + "): the data was damaged in transit or"
              + " at rest, and is not returned.",
          expected,
          actual);
    }
  }
}
