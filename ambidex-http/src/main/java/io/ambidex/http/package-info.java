/**
 * HTTP for Ambidex cores: two transports of distinct types behind one async-shaped interface, and
 * the request client written once on top of them, the messages they exchange, and the status
 * errors (which carry a response's status and headers). The I/O failures ({@code HttpIOException}
 * and its subclasses) are in {@code io.ambidex.http.error}, which uses nothing of this package; the
 * plumbing (chunk iterators, progress, the exception translation table, connection tracking) is in
 * {@code io.ambidex.http.internal}, which is not exported.
 *
 * <pre>
 *   core (written once)      RequestClient: retries, error mapping, interceptors, progress
 *          │                      │ HttpTransport.send(HttpRequest) → CompletionStage&lt;HttpResponse&gt;
 *          ▼                      ▼
 *   SyncHttpTransport (Apache classic)         AsyncHttpTransport (Apache async)
 *   exchange on the caller's thread,           I/O threads complete the stage,
 *   stage already complete → Immediate         stage completes later → CallFuture / BlockingWait
 * </pre>
 *
 * <h2>Exceptions</h2>
 *
 * <p>Every failure arrives as the failure of the returned stage (and is thrown as it is by the
 * blocking bridges); only programming errors (null arguments, malformed URIs or headers, a closed
 * client) are thrown at the call. The lower-layer exception is always the cause.
 *
 * <pre>
 * RuntimeException
 *  ├── UncheckedIOException (JDK)
 *  │    └── {@link io.ambidex.http.error.HttpIOException}              the exchange failed below HTTP
 *  │         ├── {@link io.ambidex.http.error.ConnectFailedException}       no connection: refused, unreachable, unknown host (nothing sent)
 *  │         │    └── {@link io.ambidex.http.error.ConnectTimeoutException} not connected within the connect timeout (nothing sent)
 *  │         ├── {@link io.ambidex.http.error.ReadTimeoutException}         no byte within the read timeout (head or body)
 *  │         ├── {@link io.ambidex.http.error.ConnectionResetException}     the peer closed or reset the connection mid-exchange
 *  │         ├── {@link io.ambidex.http.error.TruncatedBodyException}       the body ended before its Content-Length / last chunk
 *  │         ├── {@link io.ambidex.http.error.TlsException}                 the TLS handshake failed (certificate, host name, protocol)
 *  │         ├── {@link io.ambidex.http.error.HttpProtocolException}        the response is not valid HTTP
 *  │         ├── {@link io.ambidex.http.error.RequestBodyException}         the request body's source failed or lied about its length
 *  │         └── {@link io.ambidex.http.error.BodyTooLargeException}        a body exceeded the limit its reader set
 *  ├── {@link io.ambidex.http.HttpStatusException}            the server answered 4xx/5xx (after retries): status, headers, body snippet
 *  │    ├── {@link io.ambidex.http.HttpClientErrorException}      4xx
 *  │    └── {@link io.ambidex.http.HttpServerErrorException}      5xx
 *  ├── {@link io.ambidex.OperationTimeoutException} (core)   the call's total timeout or Deadline passed; the exchange was aborted
 *  └── CancellationException (JDK)
 *       └── {@link io.ambidex.CallInterruptedException} (core) the blocked caller was interrupted; the exchange was aborted
 * </pre>
 *
 * <p>Why unchecked: the blocking path must throw exactly what the async path fails with, and a
 * {@code CompletionStage} carries no checked types. Why {@code UncheckedIOException}: code that
 * already handles "an I/O failure, unchecked" keeps working, and {@link
 * io.ambidex.control.RetryPolicy#IO_FAILURES} recognises the family. Status errors are not I/O failures
 * (the exchange worked) and sit apart, as in httpx ({@code HTTPStatusError} vs {@code
 * TransportError}).
 */
@NullMarked
package io.ambidex.http;

import org.jspecify.annotations.NullMarked;
