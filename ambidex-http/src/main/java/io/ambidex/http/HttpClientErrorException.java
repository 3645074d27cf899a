package io.ambidex.http;

import java.net.URI;

/**
 * The server answered with a 4xx status: the request was refused as it was (bad input,
 * authentication, a missing resource, a failed precondition, throttling).
 */
public class HttpClientErrorException extends HttpStatusException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param method the request method
   * @param uri the request URI
   * @param status the response status
   * @param headers the response headers
   * @param bodySnippet the start of the response body, already bounded
   */
  public HttpClientErrorException(
      String method, URI uri, int status, HttpHeaders headers, String bodySnippet) {
    super(method, uri, status, headers, bodySnippet);
  }
}
