package io.ambidex.blob.internal;

import io.ambidex.blob.Credentials;
import io.ambidex.blob.PayloadSigning;
import io.ambidex.http.HttpRequest;
import io.ambidex.http.RequestBody;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The request interceptor that signs every attempt with AWS Signature V4 in the {@code
 * Authorization} header. The payload hash is the request's {@code x-amz-content-sha256} header if
 * the core set one (it hashes parts while it has them in memory), else the SHA-256 of a
 * replayable body under {@link PayloadSigning#SIGNED}, else {@code UNSIGNED-PAYLOAD}. Signed
 * headers: {@code host}, {@code content-md5}, {@code range}, the object headers an upload can set
 * ({@code content-type}, {@code cache-control}, {@code content-disposition}, {@code
 * content-encoding}) and every {@code x-amz-*} header (user metadata included). Not API.
 */
public final class Signer {
  /*
   * Beyond x-amz-*: the headers whose change in transit would store something else. The object
   * headers are signed as the AWS SDKs sign them (they sign all but a few hop-by-hop ones), so a
   * proxy that rewrote one fails the signature instead of changing what the object says.
   */
  private static final java.util.Set<String> SIGNED =
      java.util.Set.of(
          "content-md5",
          "content-type",
          "range",
          "cache-control",
          "content-disposition",
          "content-encoding");

  private final Credentials credentials;
  private final String region;
  private final PayloadSigning signing;
  private final SigV4.KeyCache keys = new SigV4.KeyCache();

  /**
   * Creates a signer.
   *
   * @param credentials the credentials
   * @param region the signing region
   * @param signing whether bodies without a precomputed hash are hashed
   */
  public Signer(Credentials credentials, String region, PayloadSigning signing) {
    this.credentials = credentials;
    this.region = region;
    this.signing = signing;
  }

  /** Returns {@code request} with the signature headers set. */
  public HttpRequest sign(HttpRequest request) {
    URI uri = request.uri();
    RequestBody body = request.body();
    String hash = request.headers().firstValue("x-amz-content-sha256").orElse(null);
    if (hash == null) {
      if (body.contentLength() == 0) {
        hash = SigV4.EMPTY_SHA256;
      } else if (signing == PayloadSigning.SIGNED && body.isReplayable()) {
        hash = HexFormat.of().formatHex(body.digest("SHA-256"));
      } else {
        hash = SigV4.UNSIGNED_PAYLOAD;
      }
    }
    Map<String, String> signed = new TreeMap<>();
    signed.put("host", host(uri));
    request.headers().map().forEach((name, values) -> {
      String n = name.toLowerCase(Locale.ROOT);
      if (n.startsWith("x-amz-") || SIGNED.contains(n)) {
        if (!n.equals("x-amz-date") && !n.equals("x-amz-content-sha256")
            && !n.equals("x-amz-security-token")) {
          signed.put(n, String.join(",", values));
        }
      }
    });
    Map<String, String> added =
        SigV4.sign(
            new SigV4.Request(request.method(), uri.getPath(), query(uri), signed, hash),
            credentials,
            region,
            "s3",
            Instant.now(),
            keys);
    HttpRequest.Builder b = request.toBuilder();
    added.forEach(b::setHeader);
    return b.build();
  }

  /** The Host header the transports send: the port only when it is not the scheme's default. */
  static String host(URI uri) {
    int port = uri.getPort();
    boolean defaultPort =
        port == -1
            || (port == 80 && "http".equalsIgnoreCase(uri.getScheme()))
            || (port == 443 && "https".equalsIgnoreCase(uri.getScheme()));
    return defaultPort ? uri.getHost() : uri.getHost() + ":" + port;
  }

  private static Map<String, String> query(URI uri) {
    String raw = uri.getRawQuery();
    Map<String, String> q = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return q;
    }
    for (String pair : List.of(raw.split("&"))) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      // Values were encoded with RFC 3986 rules, so no '+' stands for a space.
      q.put(decode(name), decode(value));
    }
    return q;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
  }
}
