package io.ambidex.http;

import io.ambidex.control.AsyncCallback;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * An immutable HTTP request: method, URI (with its query), headers, body, and the per-request
 * options that the {@link RequestClient} and the transports read (timeouts, idempotency, a
 * progress listener). Build one with {@link #newBuilder}; derive one with {@link #toBuilder}.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Validated at build time</b>: a relative URI, a scheme other than http or https, a
 *       header name that is not a token, a header value with CR or LF: each throws {@link
 *       IllegalArgumentException} naming the offending value, before anything is sent.
 *   <li><b>Framing headers belong to the transport</b>: {@code Host} comes from the URI, {@code
 *       Content-Length} or {@code Transfer-Encoding: chunked} from the body; setting them (or
 *       {@code Connection}) is refused, so a signer always sees what is sent. A signer that
 *       signs {@code host} reads {@link #uri()}.
 * </ul>
 */
public final class HttpRequest {
  private static final Set<String> IDEMPOTENT_METHODS =
      Set.of("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE");
  private static final Set<String> TRANSPORT_HEADERS =
      Set.of("host", "content-length", "transfer-encoding", "connection", "te", "upgrade",
          "keep-alive", "proxy-connection");

  private final String method;
  private final URI uri;
  private final HttpHeaders headers;
  private final RequestBody body;
  private final @Nullable Duration timeout;
  private final @Nullable Duration readTimeout;
  private final @Nullable Boolean idempotent;
  private final @Nullable AsyncCallback<? super TransferProgress> progressListener;

  private HttpRequest(Builder b) {
    this.method = b.method;
    this.uri = b.uri;
    this.headers = b.headers.build();
    this.body = b.body;
    this.timeout = b.timeout;
    this.readTimeout = b.readTimeout;
    this.idempotent = b.idempotent;
    this.progressListener = b.progressListener;
  }

  /**
   * Returns a builder of a GET request to {@code uri}.
   *
   * @param uri an absolute http or https URI
   * @throws IllegalArgumentException if the URI is not absolute http(s) with a host
   */
  public static Builder newBuilder(URI uri) {
    return new Builder().uri(uri);
  }

  /**
   * Returns a builder of a GET request to {@code uri}.
   *
   * @param uri an absolute http or https URI
   * @throws IllegalArgumentException if the string is not a URI, or not absolute http(s)
   */
  public static Builder newBuilder(String uri) {
    return new Builder().uri(parse(uri));
  }

  /** Returns the method, in upper case. */
  public String method() {
    return method;
  }

  /** Returns the absolute URI, query included. */
  public URI uri() {
    return uri;
  }

  /** Returns the headers set on this request (the transport adds the framing headers). */
  public HttpHeaders headers() {
    return headers;
  }

  /** Returns the body; {@link RequestBody#empty()} if none. */
  public RequestBody body() {
    return body;
  }

  /**
   * Returns the total time limit of the call in the {@link RequestClient} (all attempts, and the
   * response handler if one is given), or null for the client's default.
   */
  public @Nullable Duration timeout() {
    return timeout;
  }

  /**
   * Returns the longest wait for any byte of the response (head or body) for this request, or
   * null for the transport's read timeout.
   */
  public @Nullable Duration readTimeout() {
    return readTimeout;
  }

  /**
   * Returns true if sending the request twice has the effect of sending it once: GET, HEAD, PUT,
   * DELETE, OPTIONS and TRACE are, unless marked otherwise; POST and PATCH only when marked with
   * {@link Builder#idempotent}. The {@link RequestClient} retries only idempotent requests (and
   * any request whose connection could not be opened).
   */
  public boolean isIdempotent() {
    return idempotent != null ? idempotent : IDEMPOTENT_METHODS.contains(method);
  }

  /** Returns the listener of upload and download progress, or null. */
  public @Nullable AsyncCallback<? super TransferProgress> progressListener() {
    return progressListener;
  }

  /** Returns a builder initialised from this request. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.method = method;
    b.uri = uri;
    b.headers = headers.toBuilder();
    b.body = body;
    b.timeout = timeout;
    b.readTimeout = readTimeout;
    b.idempotent = idempotent;
    b.progressListener = progressListener;
    return b;
  }

  @Override
  public String toString() {
    return method + " " + uri;
  }

  static URI parse(String uri) {
    Objects.requireNonNull(uri, "uri");
    try {
      return new URI(uri);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(
          "'" + uri + "' is not a valid URI: " + e.getReason() + " at index " + e.getIndex()
              + " (characters such as spaces must be percent-encoded).",
          e);
    }
  }

  static URI checkUri(URI uri) {
    Objects.requireNonNull(uri, "uri");
    String scheme = uri.getScheme();
    if (scheme == null || !uri.isAbsolute()) {
      throw new IllegalArgumentException(
          "URI '" + uri + "' is not absolute: a request needs a scheme and a host, as in"
              + " http://127.0.0.1:9000/bucket/key.");
    }
    String s = scheme.toLowerCase(Locale.ROOT);
    if (!s.equals("http") && !s.equals("https")) {
      throw new IllegalArgumentException(
          "URI '" + uri + "' has the scheme '" + scheme + "'; only http and https are supported.");
    }
    if (uri.getHost() == null) {
      throw new IllegalArgumentException(
          "URI '" + uri + "' has no host (or the host is not a valid host name: underscores, for"
              + " instance, are not allowed).");
    }
    if (uri.getRawFragment() != null) {
      throw new IllegalArgumentException(
          "URI '" + uri + "' has a fragment (#" + uri.getRawFragment() + "), which is never sent;"
              + " percent-encode '#' as %23 if it is part of a path or query.");
    }
    return uri;
  }

  /**
   * Percent-encodes a query component: every byte of its UTF-8 form except the RFC 3986
   * unreserved characters ({@code A-Z a-z 0-9 - . _ ~}), the encoding AWS Signature V4 expects.
   *
   * @throws IllegalArgumentException if {@code s} has an unpaired surrogate: UTF-8 cannot encode
   *     it, and {@link String#getBytes} would send '?' in its place
   */
  static String encodeQueryComponent(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(
            "A query parameter name or value must be valid Unicode, but this one has an unpaired"
                + String.format(" surrogate U+%04X at index %d", (int) c, i)
                + ", which UTF-8 cannot encode; pass the whole surrogate pair, or remove it.");
      }
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    StringBuilder b = new StringBuilder(bytes.length + 8);
    for (byte x : bytes) {
      int c = x & 0xff;
      if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        b.append((char) c);
      } else {
        b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
      }
    }
    return b.toString();
  }

  /** Builds an {@link HttpRequest}. Not thread-safe. */
  public static final class Builder {
    private String method = "GET";
    private URI uri = URI.create("http://unset.invalid/");
    private HttpHeaders.Builder headers = new HttpHeaders.Builder();
    private RequestBody body = RequestBody.empty();
    private @Nullable Duration timeout;
    private @Nullable Duration readTimeout;
    private @Nullable Boolean idempotent;
    private @Nullable AsyncCallback<? super TransferProgress> progressListener;

    private Builder() {}

    /**
     * Sets the URI, query included.
     *
     * @throws IllegalArgumentException if it is not absolute http(s) with a host
     */
    public Builder uri(URI uri) {
      this.uri = checkUri(uri);
      return this;
    }

    /**
     * Appends a query parameter to the URI, percent-encoding the name and the value (RFC 3986:
     * everything but {@code A-Z a-z 0-9 - . _ ~}).
     *
     * @param name the parameter name
     * @param value the value, or null for a parameter without {@code =} (as in {@code ?uploads})
     * @throws IllegalArgumentException if the name is empty, or the name or the value has an
     *     unpaired surrogate (it is not valid Unicode, so it has no UTF-8 form)
     */
    public Builder query(String name, @Nullable String value) {
      Objects.requireNonNull(name, "name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("A query parameter name must not be empty.");
      }
      String param = encodeQueryComponent(name) + (value == null ? "" : "=" + encodeQueryComponent(value));
      String query = uri.getRawQuery();
      String q = query == null || query.isEmpty() ? param : query + "&" + param;
      String s = uri.getScheme() + "://" + uri.getRawAuthority()
          + (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
          + "?" + q;
      this.uri = URI.create(s);
      return this;
    }

    /**
     * Sets the method and the body.
     *
     * @param method an HTTP method token, e.g. "PATCH"; stored in upper case
     * @param body the body; {@link RequestBody#empty()} for none
     */
    public Builder method(String method, RequestBody body) {
      Objects.requireNonNull(method, "method");
      Objects.requireNonNull(body, "body");
      HttpHeaders.checkName(method);
      this.method = method.toUpperCase(Locale.ROOT);
      this.body = body;
      return this;
    }

    /** Makes this a GET request with no body. */
    public Builder GET() {
      return method("GET", RequestBody.empty());
    }

    /** Makes this a HEAD request with no body. */
    public Builder HEAD() {
      return method("HEAD", RequestBody.empty());
    }

    /** Makes this a DELETE request with no body. */
    public Builder DELETE() {
      return method("DELETE", RequestBody.empty());
    }

    /** Makes this a PUT request with {@code body}. */
    public Builder PUT(RequestBody body) {
      return method("PUT", body);
    }

    /** Makes this a POST request with {@code body}. */
    public Builder POST(RequestBody body) {
      return method("POST", body);
    }

    /**
     * Adds a header value (a name may have several).
     *
     * @throws IllegalArgumentException if the name is not a token, the value holds CR, LF or
     *     another control character, or the header is one the transport sets
     */
    public Builder header(String name, String value) {
      headers.add(checkSettable(name), value);
      return this;
    }

    /** Sets a header, replacing its values. Validated as {@link #header}. */
    public Builder setHeader(String name, String value) {
      headers.set(checkSettable(name), value);
      return this;
    }

    /** Removes every value of a header. */
    public Builder removeHeader(String name) {
      headers.remove(name);
      return this;
    }

    /**
     * Sets the total time limit of the call in the {@link RequestClient}: every attempt, the
     * waits between them, and the response handler if one is given.
     *
     * @param timeout at least 1 ms
     * @throws IllegalArgumentException if it is below 1 ms
     */
    public Builder timeout(Duration timeout) {
      this.timeout = SyncHttpTransport.timeout(timeout, "timeout");
      return this;
    }

    /**
     * Sets the longest wait for any byte of the response, overriding the transport's read
     * timeout for this request.
     *
     * @param readTimeout at least 1 ms (0 ms on a socket would mean no timeout)
     * @throws IllegalArgumentException if it is below 1 ms
     */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = SyncHttpTransport.timeout(readTimeout, "readTimeout");
      return this;
    }

    /**
     * Marks the request as idempotent or not, overriding the method's default (for a POST that
     * the server deduplicates, for instance).
     */
    public Builder idempotent(boolean idempotent) {
      this.idempotent = idempotent;
      return this;
    }

    /**
     * Sets the listener of upload and download progress; the {@link RequestClient} calls it
     * through its runtime's {@link io.ambidex.control.CoreRuntime#emit} rule.
     *
     * @param listener the listener, or null for none
     */
    public Builder onProgress(@Nullable AsyncCallback<? super TransferProgress> listener) {
      this.progressListener = listener;
      return this;
    }

    /**
     * Builds the request.
     */
    public HttpRequest build() {
      return new HttpRequest(this);
    }

    private static String checkSettable(String name) {
      HttpHeaders.checkName(name);
      if (TRANSPORT_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException(
            "Header '" + name + "' is set by the transport (Host from the URI, Content-Length or"
                + " Transfer-Encoding from the body's length, Connection by the pool); do not set"
                + " it on the request.");
      }
      return name;
    }
  }
}
