package io.ambidex.http;

import java.net.URI;
import java.util.Objects;

/**
 * The server answered with an error status (400 or above) and, where the request was retryable,
 * kept answering so until the retries ran out. Carries the status, the response headers and the
 * start of the response body (the error document), so callers can map it to their own types.
 *
 * <p>Not an I/O failure: the exchange itself worked. {@link RequestClient} throws {@link
 * HttpClientErrorException} for 4xx and {@link HttpServerErrorException} for 5xx; a core may
 * extend this class for its own error types.
 */
public class HttpStatusException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String method;
  private final transient URI uri;
  private final int status;
  private final transient HttpHeaders headers;
  private final String bodySnippet;

  /**
   * Creates the exception; the message names the request, the status, the likely cause and the
   * start of the snippet.
   *
   * @param method the request method
   * @param uri the request URI
   * @param status the response status
   * @param headers the response headers
   * @param bodySnippet the start of the response body (possibly empty), already bounded
   */
  public HttpStatusException(
      String method, URI uri, int status, HttpHeaders headers, String bodySnippet) {
    super(message(method, uri, status, bodySnippet));
    this.method = Objects.requireNonNull(method, "method");
    this.uri = Objects.requireNonNull(uri, "uri");
    this.status = status;
    this.headers = Objects.requireNonNull(headers, "headers");
    this.bodySnippet = Objects.requireNonNull(bodySnippet, "bodySnippet");
  }

  /** Returns the method of the failed request. */
  public String method() {
    return method;
  }

  /** Returns the URI of the failed request. */
  public URI uri() {
    return uri;
  }

  /** Returns the response status. */
  public int status() {
    return status;
  }

  /** Returns the response headers. */
  public HttpHeaders headers() {
    return headers;
  }

  /**
   * Returns the start of the response body, decoded as UTF-8 unless the response named another
   * charset, and bounded by {@link RequestClient.Builder#errorSnippetLimit}.
   */
  public String bodySnippet() {
    return bodySnippet;
  }

  /** Returns true for 429 Too Many Requests and 503 Service Unavailable. */
  public boolean isThrottling() {
    return status == 429 || status == 503;
  }

  private static String message(String method, URI uri, int status, String snippet) {
    StringBuilder b = new StringBuilder();
    b.append(method).append(' ').append(uri).append(" failed with status ").append(status);
    String reason = reason(status);
    if (!reason.isEmpty()) {
      b.append(" (").append(reason).append(')');
    }
    String hint = hint(status);
    if (!hint.isEmpty()) {
      b.append(": ").append(hint);
    }
    b.append('.');
    if (!snippet.isBlank()) {
      String s = snippet.strip();
      b.append(" Response body: ").append(s.length() > 300 ? s.substring(0, 300) + "..." : s);
    }
    return b.toString();
  }

  private static String reason(int status) {
    return switch (status) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthorized";
      case 403 -> "Forbidden";
      case 404 -> "Not Found";
      case 405 -> "Method Not Allowed";
      case 408 -> "Request Timeout";
      case 409 -> "Conflict";
      case 412 -> "Precondition Failed";
      case 416 -> "Range Not Satisfiable";
      case 429 -> "Too Many Requests";
      case 500 -> "Internal Server Error";
      case 501 -> "Not Implemented";
      case 502 -> "Bad Gateway";
      case 503 -> "Service Unavailable";
      case 504 -> "Gateway Timeout";
      default -> "";
    };
  }

  private static String hint(int status) {
    return switch (status) {
      case 401, 403 -> "the credentials are missing, wrong or not allowed, or the request"
          + " signature does not match";
      case 404 -> "the resource does not exist";
      case 408, 504 -> "the server or a gateway timed out; retries, if allowed, were exhausted";
      case 429, 503 -> "the server is throttling or overloaded; retries, if allowed, were"
          + " exhausted";
      case 500, 502 -> "the server failed; retries, if allowed, were exhausted";
      default -> "";
    };
  }
}
