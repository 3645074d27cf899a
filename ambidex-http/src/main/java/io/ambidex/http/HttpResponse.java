package io.ambidex.http;

import io.ambidex.AsyncCloseable;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * A response: status, headers and a streamed {@link ResponseBody}. Whoever holds it must close it
 * (or read the body to the end), which returns the connection to the pool.
 */
public final class HttpResponse implements AsyncCloseable {
  private final HttpRequest request;
  private final int status;
  private final HttpHeaders headers;
  private final ResponseBody body;

  private HttpResponse(HttpRequest request, int status, HttpHeaders headers, ResponseBody body) {
    this.request = request;
    this.status = status;
    this.headers = headers;
    this.body = body;
  }

  /**
   * Returns a response; for transports, and fakes of them in tests.
   *
   * @param request the request it answers
   * @param status the status, 100 to 599
   * @param headers the headers
   * @param body the body
   * @throws IllegalArgumentException if the status is out of range
   */
  public static HttpResponse of(
      HttpRequest request, int status, HttpHeaders headers, ResponseBody body) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(headers, "headers");
    Objects.requireNonNull(body, "body");
    if (status < 100 || status > 599) {
      throw new IllegalArgumentException("status must be 100 to 599, but was " + status);
    }
    return new HttpResponse(request, status, headers, body);
  }

  /** Returns the request this response answers (the attempt that was sent). */
  public HttpRequest request() {
    return request;
  }

  /** Returns the status code. */
  public int status() {
    return status;
  }

  /** Returns true for a 2xx status. */
  public boolean isSuccessful() {
    return status >= 200 && status < 300;
  }

  /** Returns the response headers. */
  public HttpHeaders headers() {
    return headers;
  }

  /** Returns the body, which streams from the connection. */
  public ResponseBody body() {
    return body;
  }

  /** Closes the body: see {@link ResponseBody#close()}. Idempotent. */
  @Override
  public CompletionStage<Void> close() {
    return body.close();
  }

  HttpResponse withBody(ResponseBody newBody) {
    return new HttpResponse(request, status, headers, newBody);
  }

  @Override
  public String toString() {
    return "HttpResponse[" + status + " for " + request + "]";
  }
}
