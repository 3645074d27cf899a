package io.ambidex.s3embedded.internal;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.jspecify.annotations.Nullable;

/**
 * A servlet filter in front of S3Proxy that refuses the keys the embedded store would not keep as
 * written, instead of letting it store them under another key or fail with a 500. It reads the
 * key of a request's path and of its {@code x-amz-copy-source}, and the keys in the body of a
 * {@code DeleteObjects} request (read here, then handed on to S3Proxy):
 *
 * <ul>
 *   <li><b>Any store</b>: a key holding a character XML 1.0 cannot carry (U+0001, ...): S3Proxy
 *       lists with the last key as the continuation token, written raw, so a page ending at such
 *       a key was cut short and every listing of the bucket failed. A key that starts with {@code
 *       /} or has an empty, {@code .} or {@code ..} segment. Jetty resolves such paths before
 *       S3Proxy sees them, so {@code p/../escape} was stored (or read, or deleted) as {@code
 *       escape}, another object; S3Proxy's stores resolve the keys of a {@code DeleteObjects}
 *       body the same way, so such a request is refused whole. A write (a PUT, a copy, a
 *       multipart upload's creation) of a key over 1024 bytes, S3's limit, which S3Proxy does
 *       not check: on a data directory a long enough key was a 500.
 *   <li><b>A store on a data directory</b> (objects kept as files): a write of content under a
 *       key ending in {@code /} (kept as an empty directory: the content was lost while the
 *       upload reported success); a segment longer than 255 bytes; a key that is an object's
 *       "directory" or whose "directory" is an object ({@code a} and {@code a/b} cannot both be
 *       files: S3Proxy answered 500, retried by every client), the empty marker {@code a/}
 *       included ({@code a/} beside {@code a} was answered with success and stored nothing;
 *       {@code a} beside {@code a/} was a 500). And a delete in a bucket that
 *       does not exist is S3's {@code 404 NoSuchBucket}, not S3Proxy's 204.
 *   <li><b>The in-memory store</b> keeps keys as a tree too: the same "directory" conflicts,
 *       asked of the blob store ({@link Store}) instead of the files (they were its 500s).
 *   <li><b>Any store</b>, again: a {@code DeleteObjects} in a bucket that does not exist is S3's
 *       {@code 404 NoSuchBucket}, not S3Proxy's 200 (reporting the keys deleted, or none).
 * </ul>
 *
 * <p>The answer is S3's {@code 400 InvalidArgument} (or {@code KeyTooLongError}) with a message
 * naming the key, the rule and that S3 itself allows such keys. Requests without a key pass.
 * Not API: installed by {@code EmbeddedS3}.
 */
public final class KeyGuard implements Filter {
  /* What the store answers instead of S3Proxy: an S3 error document. */
  record Refusal(int status, String code, String message) {
    static Refusal invalid(String message) {
      return new Refusal(400, "InvalidArgument", message);
    }
  }

  /*
   * A DeleteObjects request (POST ?delete) names its keys in its body, where Jetty resolves
   * nothing but S3Proxy's stores do: `p/../escape` deleted `escape`, another object. So the keys
   * of the body are held to the same rule as a key in a path. 1000 keys of 1024 bytes, escaped,
   * fit in 8 MiB.
   */
  private static final int MAX_DELETE_BODY = 8 * 1024 * 1024;

  /* The longest key S3 accepts, in UTF-8 bytes. */
  private static final int MAX_KEY_BYTES = 1024;

  private final @Nullable Path dataDirectory;
  private final @Nullable String virtualHostDomain;
  private final Store store;

  /** What the filter asks the blob store behind S3Proxy. Not API. */
  public interface Store {
    /** Whether the store has a bucket of this name. */
    boolean bucketExists(String bucket);

    /** Whether an object is stored under exactly this key (false if the bucket is missing). */
    boolean objectExists(String bucket, String key);

    /** The first key that starts with {@code prefix}, or null (also if the bucket is missing). */
    @Nullable String firstKeyUnder(String bucket, String prefix);
  }

  /**
   * Creates the filter.
   *
   * @param dataDirectory the filesystem store's base directory, or null for the in-memory store
   * @param virtualHostDomain the domain under which buckets are host names, or null
   * @param store the blob store behind S3Proxy, asked about buckets, and about the keys of the
   *     in-memory store (a data directory's are its files)
   */
  public KeyGuard(
      @Nullable Path dataDirectory, @Nullable String virtualHostDomain, Store store) {
    this.dataDirectory = dataDirectory;
    this.virtualHostDomain = virtualHostDomain;
    this.store = store;
  }

  @Override
  public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    if (request instanceof HttpServletRequest http
        && response instanceof HttpServletResponse answer
        && carriesCredentials(http)) {
      String[] target = bucketAndKey(http);
      Refusal refusal = target == null ? null : refusal(http, target[0], target[1]);
      if (refusal == null && target != null) {
        String source = http.getHeader("x-amz-copy-source");
        if (source != null) {
          String path = percentDecoded(stripQuery(source));
          path = path.startsWith("/") ? path.substring(1) : path;
          int slash = path.indexOf('/');
          if (slash > 0) {
            refusal = segmentRule(path.substring(slash + 1));
          }
        }
      }
      if (refusal != null) {
        refuse(http, answer, refusal);
        return;
      }
      if (target == null && isMultiObjectDelete(http)) {
        String bucket = bucketOf(http);
        if (bucket != null && !store.bucketExists(bucket)) {
          // S3Proxy answered 200, reporting the keys deleted (or none); S3 answers NoSuchBucket.
          refuse(http, answer, noSuchBucket(bucket));
          return;
        }
        byte[] body = http.getInputStream().readNBytes(MAX_DELETE_BODY + 1);
        if (body.length <= MAX_DELETE_BODY) {
          refusal = deleteRefusal(body);
          if (refusal != null) {
            refuse(http, answer, refusal);
            return;
          }
          chain.doFilter(new ReplayedBody(http, body), response);
          return;
        }
        // Larger than any DeleteObjects S3 accepts: S3Proxy refuses it, unread.
        chain.doFilter(new ReplayedBody(http, body, http.getInputStream()), response);
        return;
      }
    }
    chain.doFilter(request, response);
  }

  /*
   * Whether the request is signed at all (a header, or a presigned URL's query). An anonymous
   * request is left to S3Proxy, which refuses it (403) as S3 does; checked first, the key rules
   * answered it 400 and the in-memory checks asked the store about its keys. (S3Proxy itself
   * answers NoSuchBucket before it checks a signature.) A signed request whose signature is
   * wrong still meets the key rules first.
   */
  private static boolean carriesCredentials(HttpServletRequest r) {
    return r.getHeader("Authorization") != null
        || hasQueryParameter(r, "X-Amz-Credential")
        || hasQueryParameter(r, "AWSAccessKeyId");
  }

  private static boolean isMultiObjectDelete(HttpServletRequest r) {
    return "POST".equals(r.getMethod()) && hasQueryParameter(r, "delete");
  }

  /* The first key of a DeleteObjects body that breaks segmentRule, refused; null if none does. */
  private static @Nullable Refusal deleteRefusal(byte[] body) {
    try {
      XMLInputFactory factory = XMLInputFactory.newFactory();
      factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
      factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
      XMLStreamReader xml = factory.createXMLStreamReader(new ByteArrayInputStream(body));
      try {
        while (xml.hasNext()) {
          if (xml.next() == XMLStreamConstants.START_ELEMENT
              && "Key".equals(xml.getLocalName())) {
            Refusal rule = segmentRule(xml.getElementText());
            if (rule != null) {
              return rule;
            }
          }
        }
      } finally {
        xml.close();
      }
    } catch (XMLStreamException e) {
      return null; // not XML: S3Proxy answers MalformedXML
    }
    return null;
  }

  /* Whether the raw query string has `name`, with or without a value. Not getParameter: Jetty
     would read a form-encoded body for it (ClientCompatibility). */
  static boolean hasQueryParameter(HttpServletRequest r, String name) {
    String query = r.getQueryString();
    if (query == null) {
      return false;
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      if (percentDecoded(eq < 0 ? pair : pair.substring(0, eq)).equals(name)) {
        return true;
      }
    }
    return false;
  }

  /* A request whose body, already read by the filter, is read again from the start. */
  private static final class ReplayedBody extends HttpServletRequestWrapper {
    private final InputStream body;

    ReplayedBody(HttpServletRequest r, byte[] read) {
      this(r, read, InputStream.nullInputStream());
    }

    ReplayedBody(HttpServletRequest r, byte[] read, InputStream rest) {
      super(r);
      this.body = new SequenceInputStream(new ByteArrayInputStream(read), rest);
    }

    @Override
    public ServletInputStream getInputStream() {
      return new ServletInputStream() {
        private boolean finished;

        @Override
        public int read() throws IOException {
          int b = body.read();
          finished = b < 0;
          return b;
        }

        @Override
        public int read(byte[] buffer, int off, int len) throws IOException {
          int n = body.read(buffer, off, len);
          finished = n < 0;
          return n;
        }

        @Override
        public boolean isFinished() {
          return finished;
        }

        @Override
        public boolean isReady() {
          return true;
        }

        @Override
        public void setReadListener(ReadListener listener) {
          throw new IllegalStateException(
              "The embedded store reads a DeleteObjects body synchronously");
        }
      };
    }

    @Override
    public BufferedReader getReader() {
      String encoding = getCharacterEncoding();
      return new BufferedReader(
          new InputStreamReader(
              getInputStream(),
              encoding != null ? Charset.forName(encoding) : StandardCharsets.UTF_8));
    }
  }

  private static Refusal noSuchBucket(String bucket) {
    return new Refusal(404, "NoSuchBucket", "The specified bucket does not exist: " + bucket);
  }

  /* The bucket of a bucket request, or null for a service request. */
  private @Nullable String bucketOf(HttpServletRequest r) {
    String raw = r.getRequestURI();
    String host = r.getServerName();
    if (virtualHostDomain != null
        && host != null
        && host.toLowerCase(Locale.ROOT).endsWith("." + virtualHostDomain)) {
      return host.substring(0, host.length() - virtualHostDomain.length() - 1);
    }
    if (raw == null || !raw.startsWith("/") || raw.length() == 1) {
      return null;
    }
    int slash = raw.indexOf('/', 1);
    return percentDecoded(slash < 0 ? raw.substring(1) : raw.substring(1, slash));
  }

  /* {bucket, key} of an object request, or null for a service or bucket request. */
  private String @Nullable [] bucketAndKey(HttpServletRequest r) {
    String raw = r.getRequestURI(); // as sent: not resolved, not decoded
    if (raw == null || !raw.startsWith("/")) {
      return null;
    }
    String host = r.getServerName();
    if (virtualHostDomain != null
        && host != null
        && host.toLowerCase(Locale.ROOT).endsWith("." + virtualHostDomain)) {
      String bucket = host.substring(0, host.length() - virtualHostDomain.length() - 1);
      String key = percentDecoded(raw.substring(1));
      return key.isEmpty() ? null : new String[] {bucket, key};
    }
    int slash = raw.indexOf('/', 1);
    if (slash < 0) {
      return null;
    }
    String key = percentDecoded(raw.substring(slash + 1));
    return key.isEmpty() ? null : new String[] {percentDecoded(raw.substring(1, slash)), key};
  }

  private @Nullable Refusal refusal(HttpServletRequest r, String bucket, String key) {
    Refusal rule = segmentRule(key);
    if (rule != null) {
      return rule;
    }
    boolean writes =
        "PUT".equals(r.getMethod())
            || ("POST".equals(r.getMethod()) && hasQueryParameter(r, "uploads"));
    int keyBytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (writes && keyBytes > MAX_KEY_BYTES) {
      /* S3's own limit. S3Proxy has none: its stores kept such keys, and on a data directory a
         key whose path outgrew the file system's was a 500. Writes only, so that an object kept
         under such a key before can still be read and deleted. */
      return new Refusal(400, "KeyTooLongError", "Your key is too long: an S3 key is at most "
          + MAX_KEY_BYTES + " bytes in UTF-8, and '" + shortened(key) + "' has " + keyBytes + ".");
    }
    if (dataDirectory == null) {
      return writes && !isPartOrCopy(r) ? inMemoryTreeRule(bucket, key) : null;
    }
    if ("DELETE".equals(r.getMethod()) && !Files.isDirectory(dataDirectory.resolve(bucket))) {
      // S3Proxy answers 204, as if the object had been deleted; S3 answers NoSuchBucket.
      return noSuchBucket(bucket);
    }
    if (!writes) {
      return null;
    }
    for (String segment : key.split("/", -1)) {
      if (segment.getBytes(StandardCharsets.UTF_8).length > 255) {
        return new Refusal(400, "KeyTooLongError", "The embedded store keeps objects as files, so no segment of a key"
            + " (between slashes) may exceed 255 bytes; '" + shortened(segment) + "' has "
            + segment.getBytes(StandardCharsets.UTF_8).length + ". S3 itself allows it.");
      }
    }
    boolean part = hasQueryParameter(r, "partNumber") || hasQueryParameter(r, "uploadId");
    if (part) {
      return null; // checked when the upload was created
    }
    if (key.endsWith("/")) {
      long length = contentLength(r);
      if (length != 0 || "POST".equals(r.getMethod())) {
        return Refusal.invalid("The embedded store keeps a key ending in '/' as a directory, which"
            + " holds no content, so '" + key + "' cannot have " + (length > 0 ? length : "any")
            + " bytes. S3 itself allows it; name the object without the trailing '/'.");
      }
    }
    /*
     * A key ending in '/' (a "directory marker") is kept as a directory, so its "directory" must
     * not be an object either: 'a/' beside the object 'a' was answered with success and stored
     * nothing (and read back as 'a'). And an empty directory is such a marker: 'm' beside 'm/'
     * was a 500.
     */
    Path bucketDir = dataDirectory.resolve(bucket);
    Path at = bucketDir;
    String[] segments = key.split("/", -1);
    for (int i = 0; i < segments.length - 1; i++) {
      at = at.resolve(segments[i]);
      if (Files.isRegularFile(at)) {
        String object = String.join("/", java.util.Arrays.copyOf(segments, i + 1));
        return Refusal.invalid("The embedded store keeps objects as files: '" + object + "' is an"
            + " object, so '" + key + "' cannot be one too. S3 itself allows both; delete '"
            + object + "' first, or choose another key.");
      }
    }
    if (key.endsWith("/")) {
      return null;
    }
    Path file = bucketDir.resolve(key);
    if (Files.isDirectory(file)) {
      if (isEmptyDirectory(file)) {
        return Refusal.invalid("The embedded store keeps objects as files and '" + key + "/' as a"
            + " directory: '" + key + "/' is an object, so '" + key + "' cannot be one too. S3"
            + " itself allows both; delete '" + key + "/' first, or choose another key.");
      }
      return Refusal.invalid("The embedded store keeps objects as files: keys start with '" + key
          + "/', so '" + key + "' cannot be an object too. S3 itself allows both; choose another"
          + " key.");
    }
    return null;
  }

  private static boolean isPartOrCopy(HttpServletRequest r) {
    return hasQueryParameter(r, "partNumber") || hasQueryParameter(r, "uploadId");
  }

  /*
   * The in-memory store keeps keys as a tree too (S3Proxy's transient store is a file system in
   * memory), so the data directory's conflicts were its 500s: 'a/b' beside the object 'a', 'b'
   * beside 'b/c'; and 'a/' beside 'a' named 'a' itself (it overwrote a's ETag with the empty
   * marker's), 'n' beside the marker 'n/' replaced it. The same rule, asked of the blob store
   * instead of the files: a "directory" is not a blob there (its HEAD is a 404), a file is, and
   * a key with a trailing '/' names the file without it.
   */
  private @Nullable Refusal inMemoryTreeRule(String bucket, String key) {
    try {
      String[] segments = key.split("/", -1);
      StringBuilder ancestor = new StringBuilder();
      for (int i = 0; i < segments.length - 1; i++) {
        if (i > 0) {
          ancestor.append('/');
        }
        ancestor.append(segments[i]);
        String object = ancestor.toString();
        if (store.objectExists(bucket, object)) {
          return Refusal.invalid("The embedded store keeps keys as a tree: '" + object + "' is an"
              + " object, so '" + key + "' cannot be one too. S3 itself allows both; delete '"
              + object + "' first, or choose another key.");
        }
      }
      if (key.endsWith("/")) {
        return null;
      }
      // Not objectExists(key + "/"): that names the object 'key' itself when it is one.
      String under = store.firstKeyUnder(bucket, key + "/");
      if (under != null && under.equals(key + "/")) {
        return Refusal.invalid("The embedded store keeps keys as a tree: '" + key + "/' is an"
            + " object, so '" + key + "' cannot be one too. S3 itself allows both; delete '"
            + key + "/' first, or choose another key.");
      }
      if (under != null) {
        return Refusal.invalid("The embedded store keeps keys as a tree: keys start with '" + key
            + "/', so '" + key + "' cannot be an object too. S3 itself allows both; choose"
            + " another key.");
      }
      return null;
    } catch (RuntimeException storeSays) {
      return null; // a missing bucket, say: S3Proxy answers it
    }
  }

  /* The rule `key` breaks for every store (Jetty resolves such paths), or null. */
  static @Nullable Refusal segmentRule(String key) {
    for (int i = 0; i < key.length(); i++) {
      char c = key.charAt(i);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' || c == 0xFFFE || c == 0xFFFF) {
        return Refusal.invalid("The embedded store cannot keep the key '" + key.replace(c, '?')
            + "': it holds U+" + String.format("%04X", (int) c) + ", which its listings (XML 1.0)"
            + " cannot carry where a page ends, so the whole listing would fail. S3 itself allows"
            + " it; choose another key, or use another store.");
      }
    }
    String[] segments = key.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if ((s.isEmpty() && !last) || s.equals(".") || s.equals("..")) {
        return Refusal.invalid("The embedded store cannot keep the key '" + key + "' as written:"
            + " its server resolves a key like a file path, so a key may not start with '/' or"
            + " have an empty, '.' or '..' segment (it would name another object). S3 itself"
            + " allows such keys; choose another key, or use another store.");
      }
    }
    return null;
  }

  private static long contentLength(HttpServletRequest r) {
    String decoded = r.getHeader("x-amz-decoded-content-length");
    if (decoded != null) {
      try {
        return Long.parseLong(decoded.strip());
      } catch (NumberFormatException e) {
        return -1;
      }
    }
    return r.getContentLengthLong();
  }

  private static boolean isEmptyDirectory(Path dir) {
    try (var entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static String shortened(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }

  private static String stripQuery(String s) {
    int q = s.indexOf('?');
    return q < 0 ? s : s.substring(0, q);
  }

  /* Percent-decoding of a path: '+' stays a plus. Malformed escapes are kept as they are. */
  static String percentDecoded(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == '%' && i + 2 < bytes.length
          && Character.digit(bytes[i + 1], 16) >= 0 && Character.digit(bytes[i + 2], 16) >= 0) {
        out.write(Character.digit(bytes[i + 1], 16) * 16 + Character.digit(bytes[i + 2], 16));
        i += 2;
      } else {
        out.write(bytes[i]);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static void refuse(HttpServletRequest r, HttpServletResponse answer, Refusal refusal)
      throws IOException {
    byte[] body =
        ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + refusal.code()
                + "</Code><Message>" + xml(refusal.message())
                + "</Message><RequestId>ambidex-embedded</RequestId></Error>")
            .getBytes(StandardCharsets.UTF_8);
    answer.setStatus(refusal.status());
    answer.setContentType("application/xml");
    answer.setContentLength(body.length);
    if (!"HEAD".equals(r.getMethod())) {
      answer.getOutputStream().write(body);
    }
    answer.flushBuffer();
  }

  private static String xml(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
