package io.ambidex.blob.internal;

import io.ambidex.blob.Credentials;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;

/**
 * AWS Signature Version 4 in the Authorization header, as S3 wants it: the path is encoded once
 * (not twice as for other services), and {@code x-amz-content-sha256} carries the payload hash (a
 * hex SHA-256, or {@code UNSIGNED-PAYLOAD}). Stateless and thread-safe. Not API.
 */
public final class SigV4 {
  /** The payload hash to send when the body is not hashed. */
  public static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";

  /** The hex SHA-256 of the empty string. */
  public static final String EMPTY_SHA256 =
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  private static final HexFormat HEX = HexFormat.of();

  private SigV4() {}

  /**
   * The signing key of one secret, kept for the date, region and service it was last derived for:
   * a signer that keeps one of these derives the key (four HMACs) once a day instead of on every
   * request, and computes each signature with a copy of a {@link Mac} already initialised with it.
   * Thread-safe; a request for another secret or scope replaces the entry.
   */
  public static final class KeyCache {
    private record Entry(String secret, String date, String region, String service, byte[] key, Mac mac) {}

    private volatile @Nullable Entry last;

    /** Creates an empty cache. */
    public KeyCache() {}

    /** Returns a fresh HmacSHA256 initialised with the signing key of this secret and scope. */
    Mac mac(String secret, String date, String region, String service) {
      Entry e = last;
      if (e == null || !e.date.equals(date) || !e.region.equals(region) || !e.service.equals(service)
          || !e.secret.equals(secret)) {
        byte[] key = hmac(("AWS4" + secret).getBytes(StandardCharsets.UTF_8), date);
        key = hmac(key, region);
        key = hmac(key, service);
        key = hmac(key, "aws4_request");
        e = new Entry(secret, date, region, service, key, newMac(key));
        last = e;
      }
      try {
        return (Mac) e.mac.clone(); // the entry's Mac is never used itself, only copied
      } catch (CloneNotSupportedException notCloneable) {
        return newMac(e.key);
      }
    }
  }

  /**
   * What is signed of a request.
   *
   * @param method the HTTP method
   * @param rawPath the path, not yet encoded (e.g. {@code /bucket/a key})
   * @param query the query parameters, not yet encoded (a value may be empty)
   * @param headers the headers to sign; must include {@code host}
   * @param payloadSha256 the hex SHA-256 of the body, or {@link #UNSIGNED_PAYLOAD}
   */
  public record Request(
      String method,
      String rawPath,
      Map<String, String> query,
      Map<String, String> headers,
      String payloadSha256) {}

  /**
   * Signs a request and returns the headers to add to it: {@code x-amz-date}, {@code
   * x-amz-content-sha256}, {@code x-amz-security-token} for temporary credentials, and {@code
   * Authorization}.
   *
   * @param request the request
   * @param credentials the credentials
   * @param region e.g. {@code us-east-1}
   * @param service e.g. {@code s3}
   * @param now the signing time
   * @return the headers to add, in a stable order
   */
  public static Map<String, String> sign(
      Request request, Credentials credentials, String region, String service, Instant now) {
    return sign(request, credentials, region, service, now, new KeyCache());
  }

  /**
   * Signs a request as {@link #sign(Request, Credentials, String, String, Instant)} does, with the
   * signing key taken from (or derived into) {@code keys}.
   *
   * @param request the request
   * @param credentials the credentials
   * @param region e.g. {@code us-east-1}
   * @param service e.g. {@code s3}
   * @param now the signing time
   * @param keys the signer's key cache
   * @return the headers to add, in a stable order
   */
  public static Map<String, String> sign(
      Request request,
      Credentials credentials,
      String region,
      String service,
      Instant now,
      KeyCache keys) {
    String amzDate = Dates.amzDate(now);
    String date = amzDate.substring(0, 8);
    Map<String, String> added = new LinkedHashMap<>();
    added.put("x-amz-date", amzDate);
    added.put("x-amz-content-sha256", request.payloadSha256());
    if (credentials.sessionToken() != null) {
      added.put("x-amz-security-token", credentials.sessionToken());
    }
    TreeMap<String, String> signed = new TreeMap<>();
    request.headers().forEach((k, v) -> signed.put(k.toLowerCase(Locale.ROOT), canonicalValue(v)));
    added.forEach((k, v) -> signed.put(k, canonicalValue(v)));
    if (!signed.containsKey("host")) {
      throw new IllegalArgumentException("the signed headers must include host");
    }
    String signedHeaders = String.join(";", signed.keySet());
    StringBuilder canonical = new StringBuilder(256);
    canonical.append(request.method()).append('\n');
    canonical.append(encodePath(request.rawPath())).append('\n');
    canonical.append(canonicalQuery(request.query())).append('\n');
    signed.forEach((k, v) -> canonical.append(k).append(':').append(v).append('\n'));
    canonical.append('\n').append(signedHeaders).append('\n').append(request.payloadSha256());

    String scope = date + "/" + region + "/" + service + "/aws4_request";
    String stringToSign =
        "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonical.toString());
    Mac mac = keys.mac(credentials.secretAccessKey(), date, region, service);
    String signature = HEX.formatHex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    added.put(
        "Authorization",
        "AWS4-HMAC-SHA256 Credential=" + credentials.accessKeyId() + "/" + scope
            + ", SignedHeaders=" + signedHeaders + ", Signature=" + signature);
    return added;
  }

  /**
   * Presigns a request with SigV4 query parameters: returns {@code uri} with {@code X-Amz-Algorithm},
   * {@code X-Amz-Credential}, {@code X-Amz-Date}, {@code X-Amz-Expires}, {@code
   * X-Amz-SignedHeaders} (only {@code host}), {@code X-Amz-Security-Token} for temporary
   * credentials and {@code X-Amz-Signature} added to its query. The payload is not signed ({@code
   * UNSIGNED-PAYLOAD}), so whoever holds the address may send any body with it.
   *
   * @param method the HTTP method the address is for
   * @param uri the object's address, its path already encoded as {@link #encodePath} does
   * @param credentials the credentials
   * @param region e.g. {@code us-east-1}
   * @param service e.g. {@code s3}
   * @param now the signing time: the validity starts then
   * @param expiresSeconds how long the address stays valid, 1 to 604800 (seven days)
   * @return the presigned address
   */
  public static java.net.URI presign(
      String method,
      java.net.URI uri,
      Credentials credentials,
      String region,
      String service,
      Instant now,
      long expiresSeconds) {
    String amzDate = Dates.amzDate(now);
    String date = amzDate.substring(0, 8);
    String scope = date + "/" + region + "/" + service + "/aws4_request";
    Map<String, String> query = new LinkedHashMap<>();
    String raw = uri.getRawQuery();
    if (raw != null && !raw.isEmpty()) {
      for (String pair : raw.split("&")) {
        int eq = pair.indexOf('=');
        query.put(
            java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
            eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    query.put("X-Amz-Algorithm", "AWS4-HMAC-SHA256");
    query.put("X-Amz-Credential", credentials.accessKeyId() + "/" + scope);
    query.put("X-Amz-Date", amzDate);
    query.put("X-Amz-Expires", Long.toString(expiresSeconds));
    query.put("X-Amz-SignedHeaders", "host");
    if (credentials.sessionToken() != null) {
      query.put("X-Amz-Security-Token", credentials.sessionToken());
    }
    String canonicalQuery = canonicalQuery(query);
    String canonical =
        method + "\n" + uri.getRawPath() + "\n" + canonicalQuery + "\n"
            + "host:" + Signer.host(uri) + "\n\nhost\n" + UNSIGNED_PAYLOAD;
    String stringToSign =
        "AWS4-HMAC-SHA256\n" + amzDate + "\n" + scope + "\n" + sha256Hex(canonical);
    Mac mac = new KeyCache().mac(credentials.secretAccessKey(), date, region, service);
    String signature = HEX.formatHex(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
    String base = uri.getScheme() + "://" + uri.getRawAuthority() + uri.getRawPath();
    return java.net.URI.create(base + "?" + canonicalQuery + "&X-Amz-Signature=" + signature);
  }

  /**
   * The canonical form of a header value: trimmed, and each run of white space inside it (space,
   * tab, line feed, vertical tab, form feed, carriage return) made one space, as the SigV4 rules
   * (and the AWS SDKs' canonical requests, and servers that check signatures) have it. A tab
   * collapsed as a space here and kept in the value sent is what the server computes too.
   */
  static String canonicalValue(String value) {
    int start = 0;
    int end = value.length();
    while (start < end && isSigV4Space(value.charAt(start))) {
      start++;
    }
    while (end > start && isSigV4Space(value.charAt(end - 1))) {
      end--;
    }
    StringBuilder out = new StringBuilder(end - start);
    boolean inRun = false;
    for (int i = start; i < end; i++) {
      char c = value.charAt(i);
      if (!isSigV4Space(c)) {
        out.append(c);
        inRun = false;
      } else if (!inRun) {
        out.append(' ');
        inRun = true;
      }
    }
    return out.toString();
  }

  private static boolean isSigV4Space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  /** Encodes each segment of a path (RFC 3986 unreserved characters stay), keeping slashes. */
  public static String encodePath(String rawPath) {
    if (rawPath.isEmpty()) {
      return "/";
    }
    StringBuilder out = new StringBuilder(rawPath.length() + 16);
    String[] segments = rawPath.split("/", -1);
    for (int i = 0; i < segments.length; i++) {
      if (i > 0) {
        out.append('/');
      }
      out.append(encode(segments[i]));
    }
    return out.toString();
  }

  /** Builds the canonical query string: sorted, each key and value encoded. */
  public static String canonicalQuery(Map<String, String> query) {
    List<String[]> pairs = new ArrayList<>(query.size());
    query.forEach((k, v) -> pairs.add(new String[] {encode(k), encode(v == null ? "" : v)}));
    pairs.sort((a, b) -> a[0].equals(b[0]) ? a[1].compareTo(b[1]) : a[0].compareTo(b[0]));
    StringBuilder out = new StringBuilder();
    for (String[] p : pairs) {
      if (!out.isEmpty()) {
        out.append('&');
      }
      out.append(p[0]).append('=').append(p[1]);
    }
    return out.toString();
  }

  /**
   * Percent-encodes everything but RFC 3986 unreserved characters, with upper-case hex.
   *
   * @throws IllegalArgumentException if {@code s} has an unpaired surrogate, which UTF-8 cannot
   *     encode (the callers check their arguments first; this keeps a '?' from being sent instead)
   */
  public static String encode(String s) {
    Validate.unicode("path or query component", s);
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder out = new StringBuilder(bytes.length + 8);
    for (byte b : bytes) {
      int c = b & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '_' || c == '.' || c == '~') {
        out.append((char) c);
      } else {
        out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return out.toString();
  }

  /** Returns the hex SHA-256 of a string's UTF-8 bytes. */
  public static String sha256Hex(String s) {
    return sha256Hex(s.getBytes(StandardCharsets.UTF_8));
  }

  /** Returns the hex SHA-256 of bytes. */
  public static String sha256Hex(byte[] bytes) {
    return HEX.formatHex(sha256().digest(bytes));
  }

  /** Returns a new SHA-256 digest. */
  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no SHA-256", e);
    }
  }

  private static byte[] hmac(byte[] key, String data) {
    return newMac(key).doFinal(data.getBytes(StandardCharsets.UTF_8));
  }

  private static Mac newMac(byte[] key) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac;
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("this JDK cannot compute HmacSHA256", e);
    }
  }
}
