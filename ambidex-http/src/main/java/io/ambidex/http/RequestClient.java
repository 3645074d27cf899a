package io.ambidex.http;

import io.ambidex.AsyncCloseable;
import io.ambidex.AsyncRuntime;
import io.ambidex.CoreRuntime;
import io.ambidex.RetryPolicy;
import io.ambidex.SyncRuntime;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Future;
import java.util.function.BiConsumer;
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
 *       Up to the policy's {@code maxAttempts}, sleeping {@code policy.delayBefore(n)} through the
 *       runtime, or the server's {@code Retry-After} when it is longer (a {@code Retry-After}
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
 *       closed.
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
    if (limit == null) {
      return new Call<HttpResponse>(request, null).start();
    }
    CompletableFuture<HttpResponse>[] inner = newArray();
    CompletionStage<HttpResponse> outer =
        runtime.withTimeout(limit, name(request), () -> inner[0] = new Call<HttpResponse>(request, null).start());
    // If the timeout wins a race with a response that had just arrived, close that response.
    outer.whenComplete(
        (v, e) -> {
          if (e != null && inner[0] != null) {
            inner[0].thenAccept(HttpResponse::close);
          }
        });
    return outer;
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

  @SuppressWarnings("unchecked")
  private static <T> CompletableFuture<T>[] newArray() {
    return (CompletableFuture<T>[]) new CompletableFuture<?>[1];
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
   * One call: a chain of attempts. Each await() records the stage in flight as `upstream`, so
   * cancelling `result` cancels it; a value that arrives after `result` completed (cancelled or
   * timed out) is closed. Recursion depth is bounded by maxAttempts, so the chain stays shallow
   * even when every stage completes inline (the blocking path).
   */
  private final class Call<T extends @Nullable Object> {
    private final HttpRequest request;
    private final @Nullable Function<? super HttpResponse, ? extends CompletionStage<T>> handler;
    private final Linked<T> result = new Linked<>();
    private int attempt;
    private @Nullable List<Throwable> earlier;

    Call(
        HttpRequest request,
        @Nullable Function<? super HttpResponse, ? extends CompletionStage<T>> handler) {
      this.request = request;
      this.handler = handler;
    }

    CompletableFuture<T> start() {
      nextAttempt();
      return result;
    }

    private <X> void await(CompletionStage<X> stage, BiConsumer<X, @Nullable Throwable> then) {
      CompletableFuture<X> f;
      try {
        f = Futures.asFuture(Objects.requireNonNull(stage, "a stage was null"));
      } catch (RuntimeException e) {
        finish(null, e);
        return;
      }
      result.upstream = f;
      if (result.isDone()) {
        f.cancel(true);
      }
      f.whenComplete(
          (v, e) -> {
            if (result.isDone()) {
              if (v instanceof HttpResponse r) {
                r.close(); // arrived after a cancellation or timeout: nobody will read it
              }
              return;
            }
            try {
              then.accept(v, e == null ? null : Futures.unwrap(e));
            } catch (RuntimeException | Error thrown) {
              finish(null, thrown);
            }
          });
    }

    private void nextAttempt() {
      attempt++;
      HttpRequest.Builder b = request.toBuilder();
      if (userAgent != null && !request.headers().contains("user-agent")) {
        b.setHeader("User-Agent", userAgent);
      }
      AttemptBody body = new AttemptBody(request.body(), runtime, request.progressListener());
      b.method(request.method(), body);
      intercept(b.build(), 0, body);
    }

    private void intercept(HttpRequest req, int index, AttemptBody body) {
      if (index == interceptors.size()) {
        send(req, body);
        return;
      }
      CompletionStage<HttpRequest> next;
      try {
        next = interceptors.get(index).intercept(req);
      } catch (RuntimeException e) {
        finish(null, e);
        return;
      }
      await(
          next,
          (r, e) -> {
            if (e != null) {
              finish(null, e);
            } else {
              HttpRequest rewritten = Objects.requireNonNull(r, "an interceptor returned null");
              // Keep tracking the attempt's body even if the interceptor rebuilt the request.
              HttpRequest tracked =
                  rewritten.body() == body || rewritten.body() instanceof AttemptBody
                      ? rewritten
                      : rewritten.toBuilder().method(rewritten.method(),
                          new AttemptBody(rewritten.body(), runtime, request.progressListener()))
                          .build();
              intercept(tracked, index + 1, (AttemptBody) tracked.body());
            }
          });
    }

    private void send(HttpRequest req, AttemptBody body) {
      CompletionStage<HttpResponse> sent;
      try {
        sent = transport.send(req);
      } catch (RuntimeException e) {
        finish(null, e);
        return;
      }
      await(
          sent,
          (response, failure) -> {
            if (failure != null) {
              failed(failure, body);
            } else {
              received(Objects.requireNonNull(response), body);
            }
          });
    }

    private void received(HttpResponse response, AttemptBody body) {
      int status = response.status();
      if (RETRYABLE_STATUSES.contains(status) && mayResend(body) && attempt < retryPolicy.maxAttempts()) {
        Duration backoff = retryPolicy.delayBefore(attempt);
        Duration serverSays = retryAfter(response.headers());
        if (serverSays == null || serverSays.compareTo(maxRetryAfter) <= 0) {
          Duration delay =
              serverSays != null && serverSays.compareTo(backoff) > 0 ? serverSays : backoff;
          response.close();
          remember(
              status < 500
                  ? new HttpClientErrorException(
                      request.method(), request.uri(), status, response.headers(), "")
                  : new HttpServerErrorException(
                      request.method(), request.uri(), status, response.headers(), ""));
          retryAfterSleep(delay);
          return;
        }
      }
      if (status >= 400) {
        await(
            response.body().snippet(errorSnippetLimit),
            (snippet, e) -> {
              String text = snippet == null ? "" : snippet;
              HttpStatusException error =
                  status < 500
                      ? new HttpClientErrorException(
                          request.method(), request.uri(), status, response.headers(), text)
                      : new HttpServerErrorException(
                          request.method(), request.uri(), status, response.headers(), text);
              RuntimeException mapped = errorMapper == null ? error : errorMapper.apply(error);
              finish(null, mapped == null ? error : mapped);
            });
        return;
      }
      HttpResponse delivered =
          request.progressListener() == null
              ? response
              : response.withBody(response.body().withProgress(runtime, request.progressListener()));
      if (handler == null) {
        @SuppressWarnings("unchecked")
        T value = (T) delivered;
        finish(value, null);
        return;
      }
      CompletionStage<T> handled;
      try {
        handled = Objects.requireNonNull(handler.apply(delivered), "the handler returned null");
      } catch (RuntimeException e) {
        delivered.close();
        failed(e, body);
        return;
      }
      await(
          handled,
          (value, e) -> {
            // Close before completing, so the connection is back in the pool when the call ends.
            CompletionStage<Void> closing = delivered.close();
            await(
                closing,
                (ignored, closeFailure) -> {
                  if (e != null) {
                    failed(e, body);
                  } else if (closeFailure != null) {
                    finish(null, closeFailure);
                  } else {
                    finish(value, null);
                  }
                });
          });
    }

    private void failed(Throwable failure, AttemptBody body) {
      if (retryable(failure, body) && attempt < retryPolicy.maxAttempts()
          && retryPolicy.shouldRetry(attempt, failure)) {
        remember(failure);
        retryAfterSleep(retryPolicy.delayBefore(attempt));
        return;
      }
      finish(null, failure);
    }

    private boolean retryable(Throwable failure, AttemptBody body) {
      if (failure instanceof ConnectFailedException) {
        return body.isReplayable() || !body.opened(); // nothing was sent
      }
      if (failure instanceof RequestBodyException
          || failure instanceof TlsException
          || failure instanceof HttpProtocolException
          || failure instanceof BodyTooLargeException) {
        return false;
      }
      return failure instanceof HttpIOException && mayResend(body);
    }

    private boolean mayResend(AttemptBody body) {
      return request.isIdempotent() && (body.isReplayable() || !body.opened());
    }

    private void retryAfterSleep(Duration delay) {
      CompletionStage<?> sleep;
      try {
        sleep = runtime.sleep(delay);
      } catch (RuntimeException e) {
        finish(null, e);
        return;
      }
      await(
          sleep,
          (ignored, e) -> {
            if (e != null) {
              finish(null, e);
            } else {
              nextAttempt();
            }
          });
    }

    private void remember(Throwable failure) {
      if (earlier == null) {
        earlier = new ArrayList<>(2);
      }
      earlier.add(failure);
    }

    private void finish(@Nullable T value, @Nullable Throwable failure) {
      result.upstream = null;
      if (failure == null) {
        if (!result.complete(value) && value instanceof HttpResponse r) {
          r.close();
        }
        return;
      }
      Throwable f = Futures.unwrap(failure);
      if (earlier != null && !(f instanceof CancellationException)) {
        for (Throwable t : earlier) {
          if (t != f) {
            f.addSuppressed(t);
          }
        }
      }
      result.completeExceptionally(f);
    }
  }

  /** A future whose cancellation cancels the stage the call waits on. */
  private static final class Linked<T> extends CompletableFuture<T> {
    volatile @Nullable Future<?> upstream;

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      Future<?> u = upstream;
      if (cancelled && u != null) {
        u.cancel(true);
      }
      return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>();
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

    /** Sets the default total timeout of a call (see {@link HttpRequest#timeout()}). */
    public Builder timeout(Duration timeout) {
      this.timeout = SyncHttpTransport.positive(timeout, "timeout");
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
}
