package io.ambidex.http;

import io.ambidex.http.error.BodyTooLargeException;
import io.ambidex.http.error.ConnectFailedException;
import io.ambidex.http.error.HttpIOException;
import io.ambidex.http.error.HttpProtocolException;
import io.ambidex.http.error.RequestBodyException;
import io.ambidex.http.error.TlsException;
import io.ambidex.control.Async;
import io.ambidex.AsyncCloseable;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.RetryDecider;
import io.ambidex.control.RetryPolicy;
import io.ambidex.control.SyncRuntime;
import io.ambidex.http.internal.ProgressChunks;
import io.ambidex.control.AsyncCallback;
import io.ambidex.stream.AsyncIterator;
import java.security.MessageDigest;
import java.util.concurrent.Executor;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Sends requests through a transport with what every client needs and no transport should do:
 * retries with backoff, typed error responses, request interceptors (signing), progress events and
 * a total timeout. Written once over {@link HttpTransport} and {@link CoreRuntime}: with {@link
 * SyncHttpTransport} and {@link SyncRuntime} every stage it returns is complete when the call
 * returns (read it with {@link io.ambidex.Immediate}); with {@link AsyncHttpTransport} and {@link
 * AsyncRuntime} nothing blocks.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Retries</b> (the table in {@code docs/http.md}): a failure to connect is retried for
 *       any request (nothing was sent); a reset connection, a truncated body, a read timeout or
 *       another transport failure, and the statuses 408, 429, 500, 502, 503 and 504, are retried
 *       only for {@linkplain HttpRequest#isIdempotent() idempotent} requests. A body that is not
 *       replayable is never sent twice: once a one-shot body has been opened, nothing is retried.
 *       Up to the policy's {@code maxAttempts}, sleeping {@code policy.delayAfter(n, failure)}
 *       through the runtime (the listener told first), or the server's {@code Retry-After} when
 *       it is longer (a {@code Retry-After}
 *       beyond {@link Builder#maxRetryAfter} is not waited for: the error is returned). I/O
 *       failures are also checked against the policy's predicate; statuses are not. Never
 *       retried: cancellation, a passed deadline, TLS and protocol errors, request body failures.
 *   <li><b>Errors</b>: a final status of 400 or more fails the call with {@link
 *       HttpClientErrorException} (4xx) or {@link HttpServerErrorException} (5xx), carrying the
 *       status, the headers and the start of the body ({@link Builder#errorSnippetLimit} bytes),
 *       passed through {@link Builder#errorMapper} if set. 1xx-3xx responses are returned.
 *   <li><b>Interceptors</b> run in order on every attempt, after the defaults ({@code
 *       User-Agent}) are set, so a signer signs what is sent (see {@link RequestInterceptor}).
 *   <li><b>Progress</b>: the request's {@linkplain HttpRequest#progressListener() listener}
 *       receives {@link TransferProgress} events for the upload and the download through {@link
 *       CoreRuntime#emit}: a plain callback on the blocking path, a callback that may return a
 *       stage (waited for, without blocking) on the async path. A listener that throws fails the
 *       call. Under the async transport, listeners run on its I/O threads.
 *   <li><b>Total timeout</b> ({@link HttpRequest#timeout()}, else {@link Builder#timeout}) through
 *       {@link CoreRuntime#withTimeout}: it covers every attempt, the waits between them and the
 *       handler; it fails with {@link io.ambidex.OperationTimeoutException}.
 *   <li><b>Cancellation</b>: cancelling a returned stage cancels the attempt in flight (aborting
 *       its exchange) or the wait before the next one; a response that arrives too late is
 *       closed. Cancel the stage this client returns: one derived from it ({@code thenCompose},
 *       {@code thenApply}) is a plain {@code CompletableFuture}, whose cancellation does not reach
 *       the call. A response that nobody can reach any more is closed once the garbage collector
 *       finds it, with a warning logged to {@code io.ambidex.http}; until then it holds its
 *       connection.
 *   <li><b>At the call</b>: null arguments throw {@link NullPointerException}; a closed client
 *       throws {@link IllegalStateException}. Everything else arrives through the stage.
 * </ul>
 */
public final class RequestClient implements AsyncCloseable {
  private static final Set<Integer> RETRYABLE_STATUSES = Set.of(408, 429, 500, 502, 503, 504);

  private final HttpTransport transport;
  private final CoreRuntime runtime;
  private final RetryPolicy retryPolicy;
  private final List<RequestInterceptor> interceptors;
  private final @Nullable String userAgent;
  private final @Nullable Duration timeout;
  private final int errorSnippetLimit;
  private final Duration maxRetryAfter;
  private final @Nullable Function<? super HttpStatusException, ? extends RuntimeException>
      errorMapper;
  private volatile boolean closed;

  private RequestClient(Builder b) {
    this.transport = b.transport;
    this.runtime = b.runtime;
    this.retryPolicy = b.retryPolicy;
    this.interceptors = List.copyOf(b.interceptors);
    this.userAgent = b.userAgent;
    this.timeout = b.timeout;
    this.errorSnippetLimit = b.errorSnippetLimit;
    this.maxRetryAfter = b.maxRetryAfter;
    this.errorMapper = b.errorMapper;
  }

  /**
   * Returns a builder of a client over {@code transport} and {@code runtime}. Pair {@link
   * SyncHttpTransport} with {@link SyncRuntime}, and {@link AsyncHttpTransport} with {@link
   * AsyncRuntime}.
   *
   * @throws IllegalArgumentException if one of Ambidex's transports is paired with the other
   *     path's runtime
   */
  public static Builder builder(HttpTransport transport, CoreRuntime runtime) {
    Objects.requireNonNull(transport, "transport");
    Objects.requireNonNull(runtime, "runtime");
    if (runtime.isBlocking() && transport instanceof AsyncHttpTransport) {
      throw new IllegalArgumentException(
          "A blocking runtime (" + runtime + ") was paired with AsyncHttpTransport: its stages"
              + " complete on I/O threads, so the blocking facade would fail with"
              + " IncompleteStageException. Use SyncHttpTransport with SyncRuntime.");
    }
    if (!runtime.isBlocking() && transport instanceof SyncHttpTransport) {
      throw new IllegalArgumentException(
          "An async runtime (" + runtime + ") was paired with SyncHttpTransport, which would"
              + " block the async caller's thread for every exchange. Use AsyncHttpTransport with"
              + " AsyncRuntime.");
    }
    return new Builder(transport, runtime);
  }

  /** Returns the transport. */
  public HttpTransport transport() {
    return transport;
  }

  /** Returns the runtime. */
  public CoreRuntime runtime() {
    return runtime;
  }

  /**
   * Sends the request, with retries, and returns the response once its head has arrived. The
   * caller must close the response (or read its body to the end). A final error status fails the
   * stage with an {@link HttpStatusException}.
   *
   * <p>Prefer {@link #send(HttpRequest, Function)}, which also retries failures while reading the
   * body, bounds the body read by the total timeout, and always closes the response.
   *
   * @param request the request
   * @return a stage of the response
   */
  public CompletionStage<HttpResponse> send(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    ensureOpen(request);
    Duration limit = request.timeout() != null ? request.timeout() : timeout;
    Call<HttpResponse> call = new Call<>(request, null);
    return call.releasingOnFailure(
        limit == null ? call.start() : runtime.withTimeout(limit, name(request), call::start));
  }

  /**
   * Sends the request, with retries, and applies {@code handler} to the response, which is closed
   * when the handler's stage completes. A failure while the handler reads the body (a reset, a
   * truncated body, a read timeout) is retried like a failure of the exchange, for idempotent
   * requests: so the handler may run more than once and must be safe to restart, as {@link
   * ResponseBody#readAllBytes}, {@link ResponseBody#readString} and {@link
   * ResponseBody#transferTo} are. Error statuses never reach the handler.
   *
   * @param request the request
   * @param handler reads the response; its stage's value is the call's
   * @return a stage of the handler's result
   */
  public <T extends @Nullable Object> CompletionStage<T> send(
      HttpRequest request, Function<? super HttpResponse, ? extends CompletionStage<T>> handler) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(handler, "handler");
    ensureOpen(request);
    Duration limit = request.timeout() != null ? request.timeout() : timeout;
    Supplier<CompletionStage<T>> call = () -> new Call<T>(request, handler).start();
    return limit == null ? call.get() : runtime.withTimeout(limit, name(request), call);
  }

  /**
   * Closes the transport. The runtime is not closed: it belongs to the core that created this
   * client, which closes it last. Idempotent.
   */
  @Override
  public CompletionStage<Void> close() {
    closed = true;
    return transport.close();
  }

  @Override
  public String toString() {
    return "RequestClient[" + transport + ", " + runtime + ", " + retryPolicy + "]";
  }

  private void ensureOpen(HttpRequest request) {
    if (closed) {
      throw new IllegalStateException(
          "RequestClient.send(" + request + ") was called after the client was closed.");
    }
  }

  private static String name(HttpRequest request) {
    return request.method() + " " + request.uri();
  }

  /** Parses {@code Retry-After}: delta-seconds or an HTTP date; null if absent or malformed. */
  static @Nullable Duration retryAfter(HttpHeaders headers) {
    String v = headers.firstValue("retry-after").orElse(null);
    if (v == null) {
      return null;
    }
    v = v.strip();
    try {
      long seconds = Long.parseLong(v);
      return seconds < 0 ? null : Duration.ofSeconds(seconds);
    } catch (NumberFormatException notSeconds) {
      try {
        ZonedDateTime at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME);
        Duration d = Duration.between(ZonedDateTime.now(at.getZone()), at);
        return d.isNegative() ? Duration.ZERO : d;
      } catch (DateTimeParseException notDate) {
        return null;
      }
    }
  }

  /*
   * One call: Async.retry over attempts, with this call as the RetryDecider (the decision needs
   * the attempt's body: a one-shot body that was opened is never sent again). An attempt is
   * interceptors -> exchange -> handler, composed with Async.then and Async.using, so cancelling
   * the call reaches the stage in flight and a response is always closed, even one that arrives
   * after a cancellation.
   */
  private final class Call<T extends @Nullable Object> implements RetryDecider {
    private final HttpRequest request;
    private final @Nullable Function<? super HttpResponse, ? extends CompletionStage<T>> handler;
    private int attempt;
    // The body of the attempt in flight; attempts are sequential, so the decider sees the body of
    // the attempt that failed.
    private @Nullable AttemptBody body;
    // The error an attempt already decided was final (mapped and not to be retried).
    private @Nullable Throwable finalError;
    // send(request) without a handler hands the response over: until the caller has it, the
    // call owns the latest response, and closes it if the call fails (cancelled, timed out).
    private volatile @Nullable HttpResponse unclaimed;
    private volatile boolean abandoned;

    Call(
        HttpRequest request,
        @Nullable Function<? super HttpResponse, ? extends CompletionStage<T>> handler) {
      this.request = request;
      this.handler = handler;
    }

    CompletionStage<T> start() {
      return Async.retry(this, runtime, this::attempt);
    }

    /** Closes an undelivered response once {@code outer}, the stage the caller sees, fails. */
    CompletionStage<T> releasingOnFailure(CompletionStage<T> outer) {
      outer.whenComplete(
          (v, e) -> {
            if (e != null) {
              abandoned = true;
              HttpResponse r = unclaimed;
              if (r != null) {
                r.close();
              }
            }
          });
      return outer;
    }

    private CompletionStage<T> attempt() {
      attempt++;
      HttpRequest.Builder b = request.toBuilder();
      if (userAgent != null && !request.headers().contains("user-agent")) {
        b.setHeader("User-Agent", userAgent);
      }
      AttemptBody attemptBody = new AttemptBody(request.body(), runtime, request.progressListener());
      body = attemptBody;
      b.method(request.method(), attemptBody);
      int n = attempt;
      return Async.then(intercept(b.build(), 0), req -> exchange(req, n));
    }

    private CompletionStage<HttpRequest> intercept(HttpRequest req, int index) {
      if (index == interceptors.size()) {
        return CompletableFuture.completedFuture(req);
      }
      return Async.then(
          Objects.requireNonNull(
              interceptors.get(index).intercept(req), "an interceptor returned a null stage"),
          rewritten -> {
            Objects.requireNonNull(rewritten, "an interceptor returned null");
            // Keep tracking the attempt's body even if the interceptor rebuilt the request.
            HttpRequest tracked = rewritten;
            if (!(rewritten.body() instanceof AttemptBody)) {
              AttemptBody wrapped =
                  new AttemptBody(rewritten.body(), runtime, request.progressListener());
              body = wrapped;
              tracked = rewritten.toBuilder().method(rewritten.method(), wrapped).build();
            }
            return intercept(tracked, index + 1);
          });
    }

    private CompletionStage<T> exchange(HttpRequest req, int n) {
      CompletionStage<HttpResponse> sent =
          Objects.requireNonNull(transport.send(req), "the transport returned a null stage");
      if (handler == null) {
        sent.whenComplete(
            (r, e) -> {
              if (r != null) {
                unclaimed = r;
                if (abandoned) {
                  r.close();
                }
              }
            });
        return Async.then(
            sent,
            response -> {
              if (response.status() >= 400) {
                return Async.using(
                    CompletableFuture.completedFuture(response), r -> statusFailure(r, n));
              }
              @SuppressWarnings("unchecked")
              T value = (T) delivered(response);
              return CompletableFuture.completedFuture(value);
            });
      }
      Function<? super HttpResponse, ? extends CompletionStage<T>> h = handler;
      // using closes the response before the attempt completes: the connection is back in the
      // pool when the call ends, and a response that arrives after a cancellation is closed too.
      return Async.using(
          sent,
          response ->
              response.status() >= 400
                  ? statusFailure(response, n)
                  : Objects.requireNonNull(
                      h.apply(delivered(response)), "the handler returned null"));
    }

    private HttpResponse delivered(HttpResponse response) {
      return request.progressListener() == null
          ? response
          : response.withBody(response.body().withProgress(runtime, request.progressListener()));
    }

    /*
     * An error status. One that will be retried fails the attempt at once (its body is not
     * read); the final one carries the start of the body and goes through the error mapper.
     */
    private CompletionStage<T> statusFailure(HttpResponse response, int n) {
      int status = response.status();
      HttpStatusException bare = statusError(status, response.headers(), "");
      if (retryable(n, bare)) {
        return CompletableFuture.failedFuture(bare);
      }
      return Async.then(
          response.body().snippet(errorSnippetLimit),
          snippet -> {
            HttpStatusException error =
                statusError(status, response.headers(), snippet == null ? "" : snippet);
            RuntimeException mapped = errorMapper == null ? error : errorMapper.apply(error);
            Throwable last = mapped == null ? error : mapped;
            finalError = last;
            return CompletableFuture.failedFuture(last);
          });
    }

    private HttpStatusException statusError(int status, HttpHeaders headers, String snippet) {
      return status < 500
          ? new HttpClientErrorException(request.method(), request.uri(), status, headers, snippet)
          : new HttpServerErrorException(request.method(), request.uri(), status, headers, snippet);
    }

    @Override
    public @Nullable Duration nextDelay(int n, Throwable failure) {
      if (failure == finalError || !retryable(n, failure)) {
        return null;
      }
      Duration delay = retryPolicy.delayAfter(n, failure);
      if (failure instanceof HttpStatusException s) {
        Duration serverSays = retryAfter(s.headers());
        if (serverSays != null && serverSays.compareTo(delay) > 0) {
          delay = serverSays;
        }
      }
      retryPolicy.notifyRetry(n, failure, delay);
      return delay;
    }

    /** The retry table of the class comment; side-effect free. */
    private boolean retryable(int n, Throwable failure) {
      AttemptBody b = body;
      if (n >= retryPolicy.maxAttempts() || b == null) {
        return false;
      }
      if (failure instanceof HttpStatusException s) {
        if (!RETRYABLE_STATUSES.contains(s.status()) || !mayResend(b)) {
          return false;
        }
        Duration serverSays = retryAfter(s.headers());
        return serverSays == null || serverSays.compareTo(maxRetryAfter) <= 0;
      }
      boolean transportSays;
      if (failure instanceof ConnectFailedException) {
        transportSays = b.isReplayable() || !b.opened(); // nothing was sent
      } else if (failure instanceof RequestBodyException
          || failure instanceof TlsException
          || failure instanceof HttpProtocolException
          || failure instanceof BodyTooLargeException) {
        transportSays = false;
      } else {
        transportSays = failure instanceof HttpIOException && mayResend(b);
      }
      return transportSays && retryPolicy.shouldRetry(n, failure);
    }

    private boolean mayResend(AttemptBody b) {
      return request.isIdempotent() && (b.isReplayable() || !b.opened());
    }
  }

  /** Builds a {@link RequestClient}. Not thread-safe. */
  public static final class Builder {
    private final HttpTransport transport;
    private final CoreRuntime runtime;
    private RetryPolicy retryPolicy = RetryPolicy.builder().build();
    private final List<RequestInterceptor> interceptors = new ArrayList<>();
    private @Nullable String userAgent = "ambidex-http";
    private @Nullable Duration timeout;
    private int errorSnippetLimit = 4096;
    private Duration maxRetryAfter = Duration.ofSeconds(20);
    private @Nullable Function<? super HttpStatusException, ? extends RuntimeException> errorMapper;

    private Builder(HttpTransport transport, CoreRuntime runtime) {
      this.transport = transport;
      this.runtime = runtime;
    }

    /**
     * Sets the retry policy: its attempts, its backoff, and its predicate for I/O failures.
     * Default: {@code RetryPolicy.builder().build()} (3 attempts, 100 ms doubling, full jitter).
     * {@link RetryPolicy#none()} disables retries.
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /** Adds an interceptor, run after those added before it. */
    public Builder interceptor(RequestInterceptor interceptor) {
      interceptors.add(Objects.requireNonNull(interceptor, "interceptor"));
      return this;
    }

    /** Sets the {@code User-Agent} sent when a request has none, or null for none. */
    public Builder userAgent(@Nullable String userAgent) {
      if (userAgent != null) {
        HttpHeaders.checkValue("User-Agent", userAgent);
      }
      this.userAgent = userAgent;
      return this;
    }

    /**
     * Sets the default total timeout of a call (see {@link HttpRequest#timeout()}).
     *
     * @throws IllegalArgumentException if it is below 1 ms
     */
    public Builder timeout(Duration timeout) {
      this.timeout = SyncHttpTransport.timeout(timeout, "timeout");
      return this;
    }

    /** Sets how many bytes of an error response's body an exception carries. Default 4096. */
    public Builder errorSnippetLimit(int errorSnippetLimit) {
      if (errorSnippetLimit < 0) {
        throw new IllegalArgumentException(
            "errorSnippetLimit must not be negative, but was " + errorSnippetLimit);
      }
      this.errorSnippetLimit = errorSnippetLimit;
      return this;
    }

    /**
     * Sets the longest {@code Retry-After} the client waits for; a longer one ends the retries
     * with the error response. Default 20 s.
     */
    public Builder maxRetryAfter(Duration maxRetryAfter) {
      Objects.requireNonNull(maxRetryAfter, "maxRetryAfter");
      if (maxRetryAfter.isNegative()) {
        throw new IllegalArgumentException(
            "maxRetryAfter must not be negative, but was " + maxRetryAfter);
      }
      this.maxRetryAfter = maxRetryAfter;
      return this;
    }

    /**
     * Sets a function that turns the final {@link HttpStatusException} into the core's own
     * exception type (for instance by parsing the error document in {@link
     * HttpStatusException#bodySnippet()}).
     */
    public Builder errorMapper(
        Function<? super HttpStatusException, ? extends RuntimeException> errorMapper) {
      this.errorMapper = Objects.requireNonNull(errorMapper, "errorMapper");
      return this;
    }

    /** Builds the client. */
    public RequestClient build() {
      return new RequestClient(this);
    }
  }

  /*
   * The body of one attempt of the RequestClient: records whether the transport opened it (a
   * one-shot body that was never opened can still be retried, e.g. after a refused connection) and
   * reports upload progress.
   */
  private static final class AttemptBody extends RequestBody {
    private final RequestBody body;
    private final CoreRuntime runtime;
    private final @Nullable AsyncCallback<? super TransferProgress> listener;
    private volatile boolean opened;

    AttemptBody(
        RequestBody body,
        CoreRuntime runtime,
        @Nullable AsyncCallback<? super TransferProgress> listener) {
      this.body = body instanceof AttemptBody a ? a.body : body;
      this.runtime = runtime;
      this.listener = listener;
    }

    RequestBody original() {
      return body;
    }

    boolean opened() {
      return opened;
    }

    @Override
    public long contentLength() {
      return body.contentLength();
    }

    @Override
    public boolean isReplayable() {
      return body.isReplayable();
    }

    @Override
    public byte[] digest(String algorithm) {
      return body.digest(algorithm);
    }

    @Override
    void updateDigest(MessageDigest md) {
      body.updateDigest(md);
    }

    @Override
    AsyncIterator<ByteBuffer> open(@Nullable Executor blockingReads) {
      opened = true;
      AsyncIterator<ByteBuffer> it = body.open(blockingReads);
      return listener == null
          ? it
          : new ProgressChunks(
              it, runtime, listener, TransferProgress.Direction.UPLOAD, body.contentLength());
    }

    @Override
    public String toString() {
      return body.toString();
    }
  }
}
