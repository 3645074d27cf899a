package io.ambidex.blob;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * What an upload (or a copy that replaces metadata) stores beside the bytes: the object's {@code
 * Content-Type}, {@code Cache-Control}, {@code Content-Disposition} and {@code Content-Encoding},
 * its user metadata ({@code x-amz-meta-*}), and for an upload the checksum it is sent with, when
 * not the client's. Give it to {@code put} or {@code copy}; read it back with {@code describe}
 * ({@link ObjectDetails}).
 *
 * <p>Immutable and thread-safe. Start from {@link #defaults()} (nothing set: the server's defaults
 * apply) and derive copies with the {@code with…} methods; each checks its value at once and
 * throws {@link IllegalArgumentException} naming the rule broken and the fix, so a bad value never
 * reaches a request. The rules:
 *
 * <ul>
 *   <li>header values are printable US-ASCII (spaces and tabs allowed, but not at either end,
 *       which HTTP drops), no CR, LF or other control character, not empty;
 *   <li>metadata names are non-empty HTTP tokens (letters, digits and {@code !#$%&'*+-.^_`|~}),
 *       given without the {@code x-amz-meta-} prefix, stored lower-case (S3 sends them back
 *       lower-case), distinct ignoring case, and not {@value #RESERVED_METADATA_NAME}, which the
 *       client itself writes on multipart uploads;
 *   <li>metadata values are printable US-ASCII (S3 sends them back as HTTP headers): encode
 *       anything else yourself, e.g. percent-encode UTF-8;
 *   <li>the metadata's names and values hold at most {@value #MAX_METADATA_BYTES} bytes in all:
 *       S3's limit is 2 KiB, of which the client keeps room for its own {@value
 *       #RESERVED_METADATA_NAME} entry.
 * </ul>
 */
public final class PutOptions {
  /**
   * The metadata name the client writes on every multipart upload (the part size, which lets
   * downloads check the object part by part); a caller may not set it.
   */
  public static final String RESERVED_METADATA_NAME = "ambidex-part-size";

  /**
   * The most bytes the names and values of the user metadata may hold together: S3's limit of
   * 2048, less the 27 that the client's own entry ({@value #RESERVED_METADATA_NAME} and a part size
   * of up to ten digits) can take.
   */
  public static final int MAX_METADATA_BYTES = 2048 - 27;

  private static final PutOptions DEFAULTS =
      new PutOptions(null, null, null, null, Map.of(), null);

  private final @Nullable String contentType;
  private final @Nullable String cacheControl;
  private final @Nullable String contentDisposition;
  private final @Nullable String contentEncoding;
  private final Map<String, String> metadata;
  private final @Nullable ChecksumAlgorithm checksum;

  private PutOptions(
      @Nullable String contentType,
      @Nullable String cacheControl,
      @Nullable String contentDisposition,
      @Nullable String contentEncoding,
      Map<String, String> metadata,
      @Nullable ChecksumAlgorithm checksum) {
    this.contentType = contentType;
    this.cacheControl = cacheControl;
    this.contentDisposition = contentDisposition;
    this.contentEncoding = contentEncoding;
    this.metadata = metadata;
    this.checksum = checksum;
  }

  /** Returns the options with nothing set: the object gets the server's defaults. */
  public static PutOptions defaults() {
    return DEFAULTS;
  }

  /**
   * Returns a copy with the given {@code Content-Type}, e.g. {@code text/html; charset=utf-8}.
   *
   * @param contentType the media type, or null to leave it to the server (S3 stores {@code
   *     binary/octet-stream}, S3Proxy {@code application/octet-stream})
   * @throws IllegalArgumentException if the value breaks the header value rules
   */
  public PutOptions withContentType(@Nullable String contentType) {
    return new PutOptions(
        headerValue("Content-Type", contentType),
        cacheControl,
        contentDisposition,
        contentEncoding,
        metadata,
        checksum);
  }

  /**
   * Returns a copy with the given {@code Cache-Control}, e.g. {@code max-age=3600}, which S3 sends
   * back with every GET of the object.
   *
   * @param cacheControl the directives, or null for none
   * @throws IllegalArgumentException if the value breaks the header value rules
   */
  public PutOptions withCacheControl(@Nullable String cacheControl) {
    return new PutOptions(
        contentType,
        headerValue("Cache-Control", cacheControl),
        contentDisposition,
        contentEncoding,
        metadata,
        checksum);
  }

  /**
   * Returns a copy with the given {@code Content-Disposition}, e.g. {@code attachment;
   * filename="report.pdf"}. A file name outside US-ASCII goes in RFC 6266's {@code
   * filename*=UTF-8''...} form, percent-encoded.
   *
   * @param contentDisposition the disposition, or null for none
   * @throws IllegalArgumentException if the value breaks the header value rules
   */
  public PutOptions withContentDisposition(@Nullable String contentDisposition) {
    return new PutOptions(
        contentType,
        cacheControl,
        headerValue("Content-Disposition", contentDisposition),
        contentEncoding,
        metadata,
        checksum);
  }

  /**
   * Returns a copy with the given {@code Content-Encoding}, e.g. {@code gzip} for bytes that are
   * already compressed. The client uploads and downloads the bytes as they are (it never
   * compresses or decompresses); the header tells the object's readers, such as browsers.
   *
   * @param contentEncoding the encoding, or null for none
   * @throws IllegalArgumentException if the value breaks the header value rules
   */
  public PutOptions withContentEncoding(@Nullable String contentEncoding) {
    return new PutOptions(
        contentType,
        cacheControl,
        contentDisposition,
        headerValue("Content-Encoding", contentEncoding),
        metadata,
        checksum);
  }

  /**
   * Returns a copy with one more user metadata entry, or with the value of an entry of that name
   * (ignoring case) replaced.
   *
   * @param name the name, without the {@code x-amz-meta-} prefix; stored lower-case
   * @param value the value, printable US-ASCII
   * @throws IllegalArgumentException if the name or the value breaks the rules above, or the
   *     metadata would exceed {@value #MAX_METADATA_BYTES} bytes
   * @throws NullPointerException if the name or the value is null
   */
  public PutOptions withMetadata(String name, String value) {
    Map<String, String> copy = new TreeMap<>(metadata);
    copy.put(metadataName(name), metadataValue(name, value));
    return withMetadataChecked(copy);
  }

  /**
   * Returns a copy whose user metadata is exactly {@code metadata} (an empty map removes all).
   *
   * @param metadata names (without the {@code x-amz-meta-} prefix) to values; copied
   * @throws IllegalArgumentException if a name or a value breaks the rules above, two names differ
   *     only in case, or the metadata exceeds {@value #MAX_METADATA_BYTES} bytes
   * @throws NullPointerException if the map, a name or a value is null
   */
  public PutOptions withMetadata(Map<String, String> metadata) {
    Objects.requireNonNull(metadata, "metadata");
    Map<String, String> copy = new TreeMap<>();
    metadata.forEach(
        (name, value) -> {
          String lower = metadataName(name);
          String checked = metadataValue(name, value);
          if (copy.containsKey(lower)) {
            throw new IllegalArgumentException(
                "Metadata names are case-insensitive (S3 stores them lower-case), but two names"
                    + " here are '" + lower + "' ignoring case: keep one of them.");
          }
          copy.put(lower, checked);
        });
    return withMetadataChecked(copy);
  }

  private PutOptions withMetadataChecked(Map<String, String> copy) {
    int bytes = metadataBytes(copy);
    if (bytes > MAX_METADATA_BYTES) {
      throw new IllegalArgumentException(
          "User metadata holds at most " + MAX_METADATA_BYTES + " bytes of names and values (S3's"
              + " 2 KiB, less the client's own " + RESERVED_METADATA_NAME + " entry), but this"
              + " has " + bytes + ": shorten or drop entries, or store the data in an object.");
    }
    return new PutOptions(
        contentType,
        cacheControl,
        contentDisposition,
        contentEncoding,
        Collections.unmodifiableSortedMap(new TreeMap<>(copy)),
        checksum);
  }

  /**
   * Returns a copy whose upload carries {@code checksum} instead of the client's {@link
   * BlobConfig#checksum()}: the single request's or every part's checksum, and the multipart
   * checksum named on creation and completion. For an endpoint found to check flexible checksums
   * ({@code probeChecksum}) by a client configured for {@code MD5}, or to store a particular
   * algorithm with one object. Downloads are unaffected (they check what the object has, as
   * {@link BlobConfig#checksum()} lets them ask for it); a {@code copy} ignores it (the service
   * computes the copy's checksums).
   *
   * @param checksum the algorithm, or null for the client's
   */
  public PutOptions withChecksum(@Nullable ChecksumAlgorithm checksum) {
    return new PutOptions(
        contentType, cacheControl, contentDisposition, contentEncoding, metadata, checksum);
  }

  /** Returns the {@code Content-Type} to send, or null to leave it to the server. */
  public @Nullable String contentType() {
    return contentType;
  }

  /** Returns the {@code Cache-Control} to send, or null for none. */
  public @Nullable String cacheControl() {
    return cacheControl;
  }

  /** Returns the {@code Content-Disposition} to send, or null for none. */
  public @Nullable String contentDisposition() {
    return contentDisposition;
  }

  /** Returns the {@code Content-Encoding} to send, or null for none. */
  public @Nullable String contentEncoding() {
    return contentEncoding;
  }

  /**
   * Returns the user metadata: names lower-case and without the {@code x-amz-meta-} prefix, sorted
   * by name, unmodifiable; empty if none.
   */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * Returns the checksum the upload carries, or null for the client's {@link
   * BlobConfig#checksum()}.
   */
  public @Nullable ChecksumAlgorithm checksum() {
    return checksum;
  }

  /**
   * Returns the request headers these options stand for, by their lower-case names: the four
   * object headers that are set, then {@code x-amz-meta-NAME} for each metadata entry.
   */
  Map<String, String> headers() {
    Map<String, String> h = new java.util.LinkedHashMap<>();
    if (contentType != null) {
      h.put("content-type", contentType);
    }
    if (cacheControl != null) {
      h.put("cache-control", cacheControl);
    }
    if (contentDisposition != null) {
      h.put("content-disposition", contentDisposition);
    }
    if (contentEncoding != null) {
      h.put("content-encoding", contentEncoding);
    }
    metadata.forEach((name, value) -> h.put("x-amz-meta-" + name, value));
    return h;
  }

  /** Equal when every header, every metadata entry and the checksum are. */
  @Override
  public boolean equals(@Nullable Object o) {
    return o instanceof PutOptions p
        && Objects.equals(contentType, p.contentType)
        && Objects.equals(cacheControl, p.cacheControl)
        && Objects.equals(contentDisposition, p.contentDisposition)
        && Objects.equals(contentEncoding, p.contentEncoding)
        && metadata.equals(p.metadata)
        && checksum == p.checksum;
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        contentType, cacheControl, contentDisposition, contentEncoding, metadata, checksum);
  }

  /**
   * Returns the options as {@code PutOptions[contentType=text/html, metadata={a=b}]}, listing only
   * what is set ({@code PutOptions[defaults]} when nothing is).
   */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("PutOptions[");
    int start = s.length();
    append(s, "contentType", contentType);
    append(s, "cacheControl", cacheControl);
    append(s, "contentDisposition", contentDisposition);
    append(s, "contentEncoding", contentEncoding);
    if (!metadata.isEmpty()) {
      append(s, "metadata", metadata.toString());
    }
    if (checksum != null) {
      append(s, "checksum", checksum.name());
    }
    if (s.length() == start) {
      s.append("defaults");
    }
    return s.append(']').toString();
  }

  private static void append(StringBuilder s, String name, @Nullable String value) {
    if (value != null) {
      if (s.charAt(s.length() - 1) != '[') {
        s.append(", ");
      }
      s.append(name).append('=').append(value);
    }
  }

  // ---- rules ----

  private static int metadataBytes(Map<String, String> metadata) {
    int bytes = 0;
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      bytes += e.getKey().length() + e.getValue().length(); // US-ASCII: a byte per char
    }
    return bytes;
  }

  private static @Nullable String headerValue(String header, @Nullable String value) {
    if (value == null) {
      return null;
    }
    if (value.isEmpty()) {
      throw new IllegalArgumentException(
          header + " must not be empty: pass null to leave it unset.");
    }
    String problem = printableAscii(value, true);
    if (problem != null) {
      throw new IllegalArgumentException(
          header + " '" + printable(value) + "' has " + problem + ": a header value is printable"
              + " US-ASCII" + (header.equals("Content-Disposition")
                  ? "; write a non-ASCII file name as filename*=UTF-8''<percent-encoded UTF-8>"
                      + " (RFC 6266)"
                  : "; remove it or encode it") + ".");
    }
    if (value.charAt(0) == ' ' || value.charAt(0) == '\t'
        || value.charAt(value.length() - 1) == ' ' || value.charAt(value.length() - 1) == '\t') {
      throw new IllegalArgumentException(
          header + " '" + printable(value) + "' starts or ends with white space, which HTTP"
              + " drops: trim it.");
    }
    return value;
  }

  private static String metadataName(String name) {
    Objects.requireNonNull(name, "metadata name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException(
          "A metadata name must not be empty: name the entry (letters, digits, '-' ...).");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (!isTokenChar(c)) {
        throw new IllegalArgumentException(
            "Metadata name '" + printable(name) + "' has "
                + (c < 0x20 || c == 0x7f ? String.format("the control character U+%04X", (int) c)
                    : "'" + c + "'")
                + ": a metadata name is an HTTP token (letters, digits and !#$%&'*+-.^_`|~),"
                + " since it is sent as the header x-amz-meta-NAME; use '-' or '_' instead.");
      }
    }
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.startsWith("x-amz-meta-")) {
      throw new IllegalArgumentException(
          "Metadata name '" + name + "' starts with x-amz-meta-: give the name without that prefix"
              + " ('" + name.substring("x-amz-meta-".length()) + "'); the client adds it.");
    }
    if (lower.equals(RESERVED_METADATA_NAME)) {
      throw new IllegalArgumentException(
          "Metadata name '" + name + "' is reserved: the client writes " + RESERVED_METADATA_NAME
              + " itself on multipart uploads (the part size its downloads check against); choose"
              + " another name.");
    }
    return lower;
  }

  private static String metadataValue(String name, String value) {
    Objects.requireNonNull(value, "metadata value");
    String problem = printableAscii(value, false);
    if (problem != null) {
      throw new IllegalArgumentException(
          "Metadata value of '" + name + "' ('" + printable(value) + "') has " + problem
              + ": S3 sends metadata back as HTTP headers, so a value is printable US-ASCII;"
              + " encode it first, e.g. percent-encode its UTF-8 bytes"
              + " (URLEncoder.encode(value, UTF_8)).");
    }
    if (!value.isEmpty() && (value.charAt(0) == ' ' || value.charAt(value.length() - 1) == ' ')) {
      throw new IllegalArgumentException(
          "Metadata value of '" + name + "' ('" + value + "') starts or ends with a space, which"
              + " HTTP drops: trim it or encode it.");
    }
    return value;
  }

  /* Null if every char is printable US-ASCII (or space, and tab where allowed), else the problem. */
  private static @Nullable String printableAscii(String value, boolean tabAllowed) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '\r') {
        return "a carriage return (CR)";
      }
      if (c == '\n') {
        return "a line feed (LF)";
      }
      if (c == '\t' && tabAllowed) {
        continue;
      }
      if (c < 0x20 || c == 0x7f) {
        return String.format("the control character U+%04X", (int) c);
      }
      if (c > 0x7e) {
        return String.format("the non-ASCII character '%s' (U+%04X)",
            Character.isSurrogate(c) ? "?" : String.valueOf(c), (int) c);
      }
    }
    return null;
  }

  private static boolean isTokenChar(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
  }

  /* A value as a message may show it: control characters escaped, so the message stays a line. */
  private static String printable(String value) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < value.length() && i < 80; i++) {
      char c = value.charAt(i);
      s.append(c < 0x20 || c == 0x7f ? String.format("\\u%04X", (int) c) : String.valueOf(c));
    }
    return value.length() > 80 ? s + "..." : s.toString();
  }
}
