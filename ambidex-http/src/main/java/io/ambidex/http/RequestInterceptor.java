package io.ambidex.http;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * A step that may rewrite each attempt of a request just before the transport sends it: the hook
 * for request signing (AWS Signature V4 and the like), credentials, tracing headers.
 *
 * <p>Policies: the {@link RequestClient} calls its interceptors in order, for <em>every</em>
 * attempt (a retry is signed again, with a fresh date), after its own defaults (such as {@code
 * User-Agent}) are applied, so a signer sees the final headers. {@code Host}, {@code
 * Content-Length} and {@code Transfer-Encoding} are set by the transport from {@link
 * HttpRequest#uri()} and {@link RequestBody#contentLength()}; a signer reads them there, and
 * reads the payload hash with {@link RequestBody#digest(String)} (replayable bodies) or signs a
 * one-shot body as an unsigned payload. An interceptor that needs I/O (fetching credentials)
 * returns an incomplete stage on the async path; on the blocking path every stage it returns must
 * be complete. A failure fails the attempt and is not retried.
 */
@FunctionalInterface
public interface RequestInterceptor {
  /**
   * Returns the request to send in place of {@code request}.
   *
   * @param request the attempt about to be sent
   * @return a stage of the request to send
   */
  CompletionStage<HttpRequest> intercept(HttpRequest request);

  /** Adapts a synchronous rewrite, the common case. */
  static RequestInterceptor of(UnaryOperator<HttpRequest> rewrite) {
    Objects.requireNonNull(rewrite, "rewrite");
    return request ->
        CompletableFuture.completedFuture(
            Objects.requireNonNull(rewrite.apply(request), "interceptor returned null"));
  }
}
