package io.ambidex.http;

import io.ambidex.AsyncCloseable;
import java.util.concurrent.CompletionStage;

/**
 * Sends one HTTP request and returns its response once the response head has arrived; the body
 * streams after that. The one async-shaped interface the cores use, with two implementations of
 * distinct types: {@link SyncHttpTransport} (the exchange runs on the caller's thread and the
 * returned stage is already complete) and {@link AsyncHttpTransport} (non-blocking I/O threads
 * complete the stage).
 *
 * <p>Contract of every implementation:
 *
 * <ul>
 *   <li><b>At the call</b>: a null request throws {@link NullPointerException}; a closed
 *       transport throws {@link IllegalStateException}. Nothing else is thrown: every I/O failure
 *       fails the stage with an {@link io.ambidex.http.error.HttpIOException} subtype (the
 *       lower-layer exception is its cause), or {@link io.ambidex.OperationTimeoutException} for a
 *       passed {@link io.ambidex.Deadline}, or {@link java.util.concurrent.CancellationException}.
 *   <li><b>Status codes are not failures</b>: every response is returned as it is, with its body
 *       unread. No redirect is followed, no content is decoded, no retry is made: that is the
 *       {@link RequestClient}'s job.
 *   <li><b>Ownership</b>: the caller must close the response (or read its body to the end); until
 *       then it holds a pooled connection. Closing before the end closes the connection rather
 *       than draining it.
 *   <li><b>Cancellation</b>: cancelling the returned stage (async) or interrupting the calling
 *       thread (sync) aborts the exchange and returns the connection's slot to the pool.
 * </ul>
 */
public interface HttpTransport extends AsyncCloseable {
  /**
   * Sends {@code request}.
   *
   * @param request the request
   * @return a stage of the response, whose body the caller must close or read to the end
   */
  CompletionStage<HttpResponse> send(HttpRequest request);
}
