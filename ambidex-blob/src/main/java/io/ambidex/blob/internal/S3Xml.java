package io.ambidex.blob.internal;

import io.ambidex.blob.BlobObject;
import io.ambidex.blob.Bucket;
import io.ambidex.blob.ChecksumAlgorithm;
import io.ambidex.blob.CommonPrefix;
import io.ambidex.blob.ListEntry;
import io.ambidex.http.error.HttpProtocolException;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.jspecify.annotations.Nullable;

/**
 * Reading and writing the few XML documents of the S3 API, with StAX and with DTDs and external
 * entities disabled. Element names are matched without namespace, as servers differ on it. A
 * document that cannot be read fails with {@link HttpProtocolException} ("The server sent a
 * malformed ..."); {@link #error} returns null instead. Not API.
 */
public final class S3Xml {
  private static final XMLInputFactory FACTORY = newFactory();

  private S3Xml() {}

  /*
   * The JDK's own StAX implementation, not whichever provider the class path holds
   * (XMLInputFactory.newFactory() picks Woodstox when an application has it, as the tests do
   * through S3Proxy): Woodstox reports some malformed documents with unchecked exceptions
   * (WstxLazyException, "Undeclared general entity") that escaped the readers below as neither a
   * parse failure nor a result (found by S3XmlFuzzTest, seed 26). One implementation also means
   * one behaviour, whatever the application's class path. It is given text, not bytes (see
   * reader()).
   */
  private static XMLInputFactory newFactory() {
    XMLInputFactory f = XMLInputFactory.newDefaultFactory();
    f.setProperty(XMLInputFactory.SUPPORT_DTD, false);
    f.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
    f.setProperty(XMLInputFactory.IS_NAMESPACE_AWARE, false);
    return f;
  }

  /*
   * S3 documents are UTF-8. They are decoded here, strictly, and the parser reads the text: the
   * JDK's parser, given bytes that are not UTF-8, prints "[Fatal Error] :-1:-1: Invalid byte 1 of
   * 1-byte UTF-8 sequence." to System.err before it throws, once per bad document (found by
   * S3XmlFuzzTest); a library must not write to its user's standard error. A byte order mark is
   * dropped.
   */
  static XMLStreamReader reader(byte[] xml) throws XMLStreamException {
    String text;
    try {
      text = text(xml);
    } catch (CharacterCodingException e) {
      throw new XMLStreamException("The document is not UTF-8 (" + e + ")", e);
    }
    return FACTORY.createXMLStreamReader(new StringReader(text));
  }

  private static String text(byte[] xml) throws CharacterCodingException {
    String text =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(xml))
            .toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /** A page of a ListObjectsV2 listing. */
  public record ListPage(List<ListEntry> entries, @Nullable String nextToken) {}

  /** An S3 error document. */
  public record Error(String code, String message, @Nullable String requestId) {}

  /**
   * Parses a ListObjectsV2 result: with {@link ListingScanner} when the document is in the subset
   * it reads (what S3 and the servers we test against send), else with StAX, to the same result.
   */
  public static ListPage listPage(byte[] xml) {
    List<ListingScanner.Event> events;
    try {
      events = ListingScanner.scan(text(xml));
    } catch (CharacterCodingException e) {
      events = null; // StAX's reading reports it
    }
    if (events == null) {
      return listPageWithStax(xml);
    }
    List<ListEntry> entries = new ArrayList<>();
    String next = null;
    String encoding = null;
    boolean truncated = false;
    try {
      for (ListingScanner.Event e : events) {
        switch (e.kind()) {
          case CONTENTS -> entries.add(contents(Objects.requireNonNull(e.fields())));
          case COMMON_PREFIXES -> entries.add(commonPrefix(Objects.requireNonNull(e.fields())));
          case IS_TRUNCATED -> truncated = Boolean.parseBoolean(Objects.requireNonNull(e.text()).strip());
          case NEXT_CONTINUATION_TOKEN -> next = e.text();
          case ENCODING_TYPE -> encoding = e.text();
        }
      }
      return listPage(decoded(entries, encoding), next, truncated);
    } catch (IllegalArgumentException e) {
      throw malformed("ListObjectsV2 result", e);
    }
  }

  /** Whether {@link #listPage} reads {@code xml} with its scanner rather than StAX; for tests. */
  public static boolean scans(byte[] xml) {
    try {
      return ListingScanner.scan(text(xml)) != null;
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /**
   * Parses a ListObjectsV2 result with StAX only: what {@link #listPage} falls back to, and the
   * reference its tests compare the scanner's reading with.
   */
  public static ListPage listPageWithStax(byte[] xml) {
    List<ListEntry> entries = new ArrayList<>();
    String next = null;
    String encoding = null;
    boolean truncated = false;
    try {
      XMLStreamReader r = reader(xml);
      while (r.hasNext()) {
        if (r.next() != XMLStreamConstants.START_ELEMENT) {
          continue;
        }
        switch (r.getLocalName()) {
          case "Contents" -> entries.add(contents(fields(r, "Contents")));
          case "CommonPrefixes" -> entries.add(commonPrefix(fields(r, "CommonPrefixes")));
          case "IsTruncated" -> truncated = Boolean.parseBoolean(r.getElementText().strip());
          case "NextContinuationToken" -> next = r.getElementText();
          case "EncodingType" -> encoding = r.getElementText();
          default -> {}
        }
      }
      return listPage(decoded(entries, encoding), next, truncated);
    } catch (XMLStreamException | IllegalArgumentException e) {
      // IllegalArgumentException: a Size that is not a number (NumberFormatException), or one that
      // BlobObject refuses (negative: seed 7116 of S3XmlFuzzTest), or a malformed %-escape.
      throw malformed("ListObjectsV2 result", e);
    }
  }

  private static BlobObject contents(Map<String, String> f) {
    return new BlobObject(
        required(f, "Key", "Contents"),
        Long.parseLong(required(f, "Size", "Contents")),
        unquote(f.getOrDefault("ETag", "")),
        instant(f.get("LastModified")));
  }

  private static CommonPrefix commonPrefix(Map<String, String> f) {
    return new CommonPrefix(required(f, "Prefix", "CommonPrefixes"));
  }

  /*
   * The keys and prefixes as they are: listings ask for encoding-type=url (a key may hold
   * characters XML 1.0 cannot carry, such as U+0001, which made the whole page unreadable), and a
   * server that honours it says so with EncodingType; one that ignores it sends them raw, which
   * must not be decoded (a '+' or '%' in a key would change).
   */
  private static List<ListEntry> decoded(List<ListEntry> entries, @Nullable String encoding) {
    if (!urlEncoded(encoding)) {
      return entries;
    }
    List<ListEntry> out = new ArrayList<>(entries.size());
    for (ListEntry e : entries) {
      out.add(
          switch (e) {
            case BlobObject o ->
                new BlobObject(urlDecoded(o.key()), o.size(), o.etag(), o.lastModified());
            case CommonPrefix p -> new CommonPrefix(urlDecoded(p.prefix()));
          });
    }
    return out;
  }

  /* Whether a listing's EncodingType says its names are url-encoded (UploadsXml too). */
  static boolean urlEncoded(@Nullable String encodingType) {
    return encodingType != null && encodingType.strip().equalsIgnoreCase("url");
  }

  /* S3's url encoding of listed names: %XX escapes of UTF-8, '+' for a space (UploadsXml too). */
  static String urlDecoded(String s) {
    return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
  }

  private static ListPage listPage(List<ListEntry> entries, @Nullable String next, boolean truncated) {
    if (truncated && (next == null || next.isEmpty())) {
      throw malformed(
          "ListObjectsV2 result",
          new IllegalStateException("IsTruncated is true but there is no NextContinuationToken"));
    }
    return new ListPage(entries, truncated ? next : null);
  }

  /** A page of a ListBuckets result; {@code nextToken} is null on the last page. */
  public record BucketsPage(List<Bucket> buckets, @Nullable String nextToken) {}

  /**
   * Parses a ListBuckets result ({@code ListAllMyBucketsResult}): its {@code Bucket} elements,
   * and the {@code ContinuationToken} that services which paginate the list add when more follow.
   */
  public static BucketsPage bucketsPage(byte[] xml) {
    List<Bucket> buckets = new ArrayList<>();
    String next = null;
    try {
      XMLStreamReader r = reader(xml);
      while (r.hasNext()) {
        if (r.next() != XMLStreamConstants.START_ELEMENT) {
          continue;
        }
        switch (r.getLocalName()) {
          case "Bucket" -> {
            Map<String, String> f = fields(r, "Bucket");
            buckets.add(new Bucket(required(f, "Name", "Bucket"), instant(f.get("CreationDate"))));
          }
          case "ContinuationToken" -> next = r.getElementText();
          default -> {}
        }
      }
    } catch (XMLStreamException e) {
      throw malformed("ListBuckets result", e);
    }
    return new BucketsPage(buckets, next == null || next.isBlank() ? null : next);
  }

  /** Returns the text of the first element named {@code name}, or null. */
  public static @Nullable String firstText(byte[] xml, String name) {
    try {
      XMLStreamReader r = reader(xml);
      while (r.hasNext()) {
        if (r.next() == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals(name)) {
          return r.getElementText();
        }
      }
      return null;
    } catch (XMLStreamException e) {
      throw malformed("response", e);
    }
  }

  /** Parses an error document; returns null if the body is not one. */
  public static @Nullable Error error(byte[] xml) {
    if (xml.length == 0) {
      return null;
    }
    try {
      XMLStreamReader r = reader(xml);
      while (r.hasNext()) {
        if (r.next() == XMLStreamConstants.START_ELEMENT && r.getLocalName().equals("Error")) {
          Map<String, String> f = fields(r, "Error");
          return new Error(
              f.getOrDefault("Code", "Unknown"), f.getOrDefault("Message", ""), f.get("RequestId"));
        }
      }
      return null;
    } catch (XMLStreamException e) {
      return null; // not XML: the caller reports the status and the raw body
    }
  }

  /** The body of CompleteMultipartUpload for the parts' ETags, in part-number order. */
  public static byte[] completeMultipartUpload(List<String> partEtags) {
    return completeMultipartUpload(partEtags, ChecksumAlgorithm.MD5, null);
  }

  /**
   * Returns the body of CompleteMultipartUpload for parts 1..N with these ETags and, for a
   * flexible checksum, each part's checksum (base64), which S3 requires when the upload was
   * created with one.
   */
  public static byte[] completeMultipartUpload(
      List<String> partEtags, ChecksumAlgorithm algorithm, @Nullable List<String> checksums) {
    StringBuilder b = new StringBuilder(64 + partEtags.size() * 120);
    b.append("<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">");
    String element = "Checksum" + algorithm.name();
    for (int i = 0; i < partEtags.size(); i++) {
      b.append("<Part><PartNumber>").append(i + 1).append("</PartNumber><ETag>\"")
          .append(escape(unquote(partEtags.get(i)))).append("\"</ETag>");
      if (checksums != null) {
        b.append('<').append(element).append('>').append(escape(checksums.get(i)))
            .append("</").append(element).append('>');
      }
      b.append("</Part>");
    }
    b.append("</CompleteMultipartUpload>");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Removes the double quotes around an ETag. */
  public static String unquote(String etag) {
    String e = etag.strip();
    if (e.length() >= 2 && e.startsWith("\"") && e.endsWith("\"")) {
      return e.substring(1, e.length() - 1);
    }
    return e.replace("&quot;", "");
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static Map<String, String> fields(XMLStreamReader r, String parent)
      throws XMLStreamException {
    Map<String, String> out = new HashMap<>();
    while (r.hasNext()) {
      int e = r.next();
      if (e == XMLStreamConstants.START_ELEMENT) {
        String name = r.getLocalName();
        StringBuilder text = new StringBuilder();
        int depth = 1;
        while (depth > 0) {
          int ev = r.next();
          if (ev == XMLStreamConstants.CHARACTERS || ev == XMLStreamConstants.CDATA) {
            text.append(r.getText());
          } else if (ev == XMLStreamConstants.START_ELEMENT) {
            depth++;
          } else if (ev == XMLStreamConstants.END_ELEMENT) {
            depth--;
          }
        }
        out.putIfAbsent(name, text.toString());
      } else if (e == XMLStreamConstants.END_ELEMENT && r.getLocalName().equals(parent)) {
        return out;
      }
    }
    return out;
  }

  private static String required(Map<String, String> f, String name, String parent) {
    String v = f.get(name);
    if (v == null) {
      throw malformed(
          "listing", new IllegalStateException(parent + " has no " + name + " element"));
    }
    return v;
  }

  private static @Nullable Instant instant(@Nullable String s) {
    return Dates.iso(s);
  }


  /*
   * A document the client cannot read is the server's fault, reported in the I/O family the
   * callers document (docs/blob.md, Errors) and that the request client may retry: an
   * IllegalStateException, as first done, reached the caller of list() or put() as an
   * undocumented type (found by S3XmlFuzzTest, seed 1).
   */
  static HttpProtocolException malformed(String what, Exception cause) {
    return new HttpProtocolException(
        "The server sent a malformed " + what + ": " + cause.getMessage(),
        cause instanceof IOException io ? io : new IOException(cause.getMessage(), cause));
  }
}
