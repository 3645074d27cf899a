package io.ambidex.blob.internal;

import io.ambidex.blob.BlobIntegrityException;
import io.ambidex.http.HttpHeaders;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the bytes of a whole-object download against the object's ETag, as they stream past.
 *
 * <ul>
 *   <li>A single-part ETag (32 hex digits) is the MD5 of the object: the MD5 of the bytes must
 *       equal it.
 *   <li>A multipart ETag ({@code <hex>-N}) is the MD5 of the parts' MD5s. When the object carries
 *       the part size it was uploaded with ({@code x-amz-meta-ambidex-part-size}, which this client
 *       sets), the MD5 of each part-sized block is computed and the composite must equal the ETag,
 *       with N parts. Without it (objects other tools uploaded in parts) only the length is
 *       checked.
 *   <li>Not checked beyond the length: ranged downloads, and objects whose ETag is not an MD5
 *       (SSE-KMS or SSE-C encryption on AWS).
 * </ul>
 *
 * Not API.
 */
public final class DownloadVerifier {
  /** The user metadata header carrying the part size of a multipart upload. */
  public static final String PART_SIZE_HEADER = "x-amz-meta-ambidex-part-size";

  private static final Pattern SINGLE = Pattern.compile("[0-9a-f]{32}");
  private static final Pattern MULTI = Pattern.compile("([0-9a-f]{32})-([0-9]+)");
  private static final HexFormat HEX = HexFormat.of();

  private final String what;
  private final String etag;
  private final long partSize; // > 0 for composite checks, 0 for a single MD5, -1 for none
  private final int expectedParts;
  private MessageDigest md5;
  private long inPart;
  private long bytes;
  private final ByteArrayOutputStream partMd5s = new ByteArrayOutputStream();
  private int parts;

  private DownloadVerifier(String what, String etag, long partSize, int expectedParts) {
    this.what = what;
    this.etag = etag;
    this.partSize = partSize;
    this.expectedParts = expectedParts;
    this.md5 = partSize >= 0 ? Digests.newMd5() : null;
  }

  /**
   * Returns the verifier of a response.
   *
   * @param what names the download, for the exception
   * @param headers the response headers
   * @param ranged true for a ranged download
   */
  public static DownloadVerifier of(String what, HttpHeaders headers, boolean ranged) {
    String etag = S3Xml.unquote(headers.firstValue("etag").orElse("")).toLowerCase(Locale.ROOT);
    if (ranged || !etagIsChecksum(headers)) {
      return new DownloadVerifier(what, etag, -1, 0);
    }
    if (SINGLE.matcher(etag).matches()) {
      return new DownloadVerifier(what, etag, 0, 0);
    }
    Matcher m = MULTI.matcher(etag);
    if (m.matches()) {
      long partSize = headers.firstValueAsLong(PART_SIZE_HEADER).orElse(-1);
      if (partSize > 0) {
        return new DownloadVerifier(what, etag, partSize, Integer.parseInt(m.group(2)));
      }
    }
    return new DownloadVerifier(what, etag, -1, 0);
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
    return partSize >= 0;
  }

  /** Adds the bytes of {@code chunk} (its position is not moved). */
  public void update(ByteBuffer chunk) {
    bytes += chunk.remaining();
    if (partSize < 0) {
      return;
    }
    if (partSize == 0) {
      md5.update(chunk.duplicate());
      return;
    }
    ByteBuffer b = chunk.duplicate();
    while (b.hasRemaining()) {
      int n = (int) Math.min(b.remaining(), partSize - inPart);
      ByteBuffer slice = b.slice(b.position(), n);
      md5.update(slice);
      b.position(b.position() + n);
      inPart += n;
      if (inPart == partSize) {
        endPart();
      }
    }
  }

  private void endPart() {
    partMd5s.writeBytes(md5.digest());
    parts++;
    md5 = Digests.newMd5();
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
    if (partSize < 0) {
      return;
    }
    String actual;
    if (partSize == 0) {
      actual = HEX.formatHex(md5.digest());
    } else {
      if (inPart > 0 || parts == 0) {
        endPart();
      }
      actual = HEX.formatHex(Digests.newMd5().digest(partMd5s.toByteArray())) + "-" + parts;
      if (parts != expectedParts) {
        actual = actual + " (" + parts + " parts of " + partSize + " bytes)";
      }
    }
    if (!actual.equals(etag)) {
      throw new BlobIntegrityException(
          "The " + bytes + " bytes received for " + what + " do not match the object's ETag "
              + etag + " (computed " + actual + "): the data was damaged in transit or at rest,"
              + " and is not returned.",
          etag,
          actual);
    }
  }
}
