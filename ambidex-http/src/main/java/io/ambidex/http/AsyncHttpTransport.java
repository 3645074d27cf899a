package io.ambidex.http;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.BlockingGuard;
import io.ambidex.context.ContextPropagation;
import io.ambidex.context.ContextPropagator;
import io.ambidex.http.internal.ApacheTerms;
import io.ambidex.http.internal.Chunks;
import io.ambidex.http.internal.Futures;
import io.ambidex.http.internal.LazyTls;
import io.ambidex.http.internal.Reclaim;
import io.ambidex.http.internal.TrackingConnectionManager;
import io.ambidex.http.internal.Translate;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.config.TlsConfig;
import org.apache.hc.client5.http.impl.async.CloseableHttpAsyncClient;
import org.apache.hc.client5.http.impl.async.HttpAsyncClients;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.HostnameVerificationPolicy;
import org.apache.hc.client5.http.ssl.HttpsSupport;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.EntityDetails;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.message.BasicHttpRequest;
import org.apache.hc.core5.http.nio.AsyncEntityProducer;
import org.apache.hc.core5.http.nio.AsyncResponseConsumer;
import org.apache.hc.core5.http.nio.CapacityChannel;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.http.nio.DataStreamChannel;
import org.apache.hc.core5.http.nio.support.BasicRequestProducer;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.http2.HttpVersionPolicy;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.IOReactorConfig;
import org.apache.hc.core5.reactor.ssl.SSLBufferMode;
import org.apache.hc.core5.ssl.SSLContexts;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * The non-blocking transport: {@link #send} starts the exchange and returns at once; the
 * transport's I/O threads complete the stage when the response head arrives and deliver the body
 * as the reader asks for it. Built on Apache HttpClient 5's async client (HTTP/1.1), so both
 * transports share one pool model, one timeout model and one exception translation (the choice
 * and its figures are in {@code docs/http.md}).
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Threads</b>: {@link Builder#ioThreads} daemon platform threads named {@code
 *       ambidex-http-io-N}, started by {@link #create}/{@link Builder#build} and stopped by {@link
 *       #close}. Stages complete, and the core's continuations run, on them: continuations must
 *       not block. {@link BlockingGuard} knows these threads, so a blocking bridge called on one
 *       fails at once instead of stalling every exchange. A request body read from an {@code
 *       InputStream} is read on a virtual thread, never on an I/O thread.
 *   <li><b>Pool and timeouts</b>: as {@link SyncHttpTransport}: per-host pooling up to {@link
 *       Builder#maxConnections}, a connect timeout, a read timeout (the longest silence on the
 *       connection). The total per-call timeout is the runtime's ({@link
 *       io.ambidex.control.AsyncRuntime#withTimeout}), which cancels the stage.
 *   <li><b>Cancellation</b>: cancelling the returned stage before the head arrives aborts the
 *       exchange; after it, closing the body does. Either way the connection is closed and its
 *       pool slot freed. A response that arrives after its stage was cancelled is closed, never
 *       leaked; so is one the caller drops unclosed, once the garbage collector finds it
 *       unreachable (with a warning logged to {@code io.ambidex.http}).
 *   <li><b>Backpressure</b>: at most 128 KiB of a response body (plus one socket read of up to
 *       64 KiB) is buffered ahead of the reader; request bodies are pulled one chunk at a time as
 *       the socket accepts them.
 * </ul>
 */
public final class AsyncHttpTransport implements HttpTransport {
  /*
   * Apache's per-connection buffers (Http1Config.bufferSize), hence the most one socket read
   * returns: 64 KiB, as the sync transport's chunks. Apache's default, 8 KiB, cost a select, a
   * read and a chunk per 8 KiB (about 128,000 system calls per 256 MiB downloaded, against 10,000
   * for the sync transport; docs/benchmarks.md, issue 14).
   */
  private static final int BUFFER = 64 * 1024;

  /*
   * The response window: how far Apache may read ahead of the reader. Credit is returned in
   * batches of at least half the window, so a reader that keeps up costs one window update (a
   * selector wake-up) per half window rather than one per chunk.
   */
  private static final int WINDOW = 2 * BUFFER;

  /** Spare chunk buffers an exchange keeps for reuse. */
  private static final int SPARES = 2;
  private static final AtomicInteger IDS = new AtomicInteger();

  static {
    BlockingGuard.register(
        "an Ambidex HTTP I/O thread (AsyncHttpTransport)", t -> t instanceof IoThread);
  }

  /** The I/O threads' class, which the blocking guard recognises. */
  static final class IoThread extends Thread {
    IoThread(Runnable r, String name) {
      super(r, name);
      setDaemon(true);
    }
  }

  private final CloseableHttpAsyncClient client;
  private final PoolingAsyncClientConnectionManager pool;
  private final TrackingConnectionManager connections;
  private final ExecutorService blockingReads;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final CompletableFuture<Void> terminated = new CompletableFuture<>();
  private volatile boolean closed;

  private AsyncHttpTransport(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    int id = IDS.incrementAndGet();
    TlsStrategy tls =
        b.sslContext != null
            ? new HostCheckingTlsStrategy(b.sslContext, null, null)
            : LazyTls.async(
                () ->
                    new HostCheckingTlsStrategy(
                        SSLContexts.createSystemDefault(),
                        HttpsSupport.getSystemProtocols(),
                        HttpsSupport.getSystemCipherSuits()));
    this.pool =
        PoolingAsyncClientConnectionManagerBuilder.create()
            .setMaxConnTotal(b.maxConnections)
            .setMaxConnPerRoute(b.maxConnections)
            .setTlsStrategy(tls)
            .setDefaultTlsConfig(
                TlsConfig.custom().setVersionPolicy(HttpVersionPolicy.FORCE_HTTP_1).build())
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(ApacheTerms.timeout(b.connectTimeout))
                    .setSocketTimeout(ApacheTerms.timeout(b.readTimeout))
                    .setValidateAfterInactivity(TimeValue.ofSeconds(1))
                    .setTimeToLive(
                        TimeValue.ofMilliseconds(ApacheTerms.millis(b.connectionTtl)))
                    .build())
            .build();
    this.connections = new TrackingConnectionManager(pool);
    AtomicInteger threads = new AtomicInteger();
    ThreadFactory factory =
        r -> new IoThread(r, "ambidex-http-io-" + id + "-" + threads.incrementAndGet());
    this.client =
        HttpAsyncClients.custom()
            .setConnectionManager(connections)
            .setIOReactorConfig(
                IOReactorConfig.custom()
                    .setIoThreadCount(b.ioThreads)
                    .setSoTimeout(ApacheTerms.timeout(b.readTimeout))
                    .build())
            .setThreadFactory(factory)
            .setHttp1Config(
                Http1Config.custom().setBufferSize(BUFFER).setInitialWindowSize(WINDOW).build())
            .setDefaultRequestConfig(
                RequestConfig.custom()
                    .setResponseTimeout(ApacheTerms.timeout(b.readTimeout))
                    .setConnectionRequestTimeout(ApacheTerms.timeout(b.connectTimeout))
                    .setRedirectsEnabled(false)
                    .setContentCompressionEnabled(false)
                    .setAuthenticationEnabled(false)
                    .build())
            .disableAutomaticRetries()
            .disableRedirectHandling()
            .disableCookieManagement()
            .disableAuthCaching()
            .disableConnectionState()
            .disableContentCompression()
            .evictIdleConnections(TimeValue.ofSeconds(30))
            .build();
    this.blockingReads =
        Executors.newThreadPerTaskExecutor(
            Thread.ofVirtual().name("ambidex-http-body-" + id + "-", 0).factory());
    client.start();
  }

  /** Returns a started transport with the defaults of {@link Builder}. */
  public static AsyncHttpTransport create() {
    return builder().build();
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Starts the exchange and returns a stage of the response, completed on an I/O thread when the
   * head arrives, or failed as {@link HttpTransport} describes. Never blocks.
   *
   * @throws IllegalStateException if the transport is closed
   */
  @Override
  public CompletionStage<HttpResponse> send(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    if (closed) {
      throw new IllegalStateException(
          "AsyncHttpTransport.send(" + request + ") was called after the transport was closed.");
    }
    BasicHttpRequest head = new BasicHttpRequest(request.method(), request.uri());
    for (var field : request.headers().map().entrySet()) {
      for (String value : field.getValue()) {
        head.addHeader(field.getKey(), value);
      }
    }
    BodyProducer producer =
        SyncHttpTransport.hasEntity(request) ? new BodyProducer(request, request.body()) : null;
    Duration read = request.readTimeout() != null ? request.readTimeout() : readTimeout;
    HttpClientContext context = HttpClientContext.create();
    if (request.readTimeout() != null) {
      context.setRequestConfig(
          RequestConfig.custom()
              .setResponseTimeout(ApacheTerms.timeout(read))
              .setConnectionRequestTimeout(ApacheTerms.timeout(connectTimeout))
              .setRedirectsEnabled(false)
              .setContentCompressionEnabled(false)
              .setAuthenticationEnabled(false)
              .build());
    }
    Exchange exchange = new Exchange(request, read, context);
    CompletableFuture<HttpResponse> result = exchange.result();
    Future<Void> future;
    try {
      future =
          client.execute(
              new BasicRequestProducer(head, producer), exchange, null, context, exchange);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    exchange.started(future, result);
    return result;
  }

  /**
   * Returns how many bytes of {@code body} Apache has handed this transport so far, or -1 if the
   * body is not one of this class's exchanges. For tests.
   */
  static long deliveredBytes(ResponseBody body) {
    return body.source() instanceof BodySource s ? s.exchange.delivered() : -1;
  }

  /**
   * Returns the credit Apache holds to read more of {@code body} (its window; zero or less: it
   * reads nothing until the reader frees some), or 0 if the body is not one of this class's
   * exchanges. For tests.
   */
  static long credit(ResponseBody body) {
    return body.source() instanceof BodySource s ? s.exchange.credit() : 0;
  }

  /** Returns the number of pooled connections currently leased (in use). For tests. */
  int leasedConnections() {
    return pool.getTotalStats().getLeased();
  }

  /** Returns the number of requests waiting for a pool slot. For tests. */
  int pendingLeases() {
    return pool.getTotalStats().getPending();
  }

  /**
   * Aborts open exchanges, closes every connection and stops the I/O threads; later sends throw
   * {@link IllegalStateException}. An exchange in flight fails with a {@link
   * CancellationException} saying its transport was closed (so a {@link RequestClient} does not
   * retry it). Idempotent.
   *
   * @return a stage that completes when the I/O threads have ended
   */
  @Override
  public CompletionStage<Void> close() {
    synchronized (this) {
      if (closed) {
        return terminated;
      }
      closed = true;
    }
    Thread.ofVirtual()
        .name("ambidex-http-close")
        .start(
            () -> {
              try {
                // Connections first (this aborts open exchanges), then a graceful stop of the
                // I/O reactor: an IMMEDIATE stop races the reactor's own termination and its
                // worker threads die with a ClosedSelectorException printed to stderr.
                connections.close(CloseMode.IMMEDIATE); // fails the requests waiting for a slot
                client.close(CloseMode.GRACEFUL);
                client.awaitShutdown(TimeValue.ofSeconds(10));
                client.close(CloseMode.IMMEDIATE); // no-op once it has stopped
                blockingReads.shutdownNow();
                blockingReads.awaitTermination(10, TimeUnit.SECONDS);
                terminated.complete(null);
              } catch (InterruptedException e) {
                terminated.completeExceptionally(e);
              } catch (RuntimeException e) {
                terminated.completeExceptionally(e);
              }
            });
    return terminated;
  }

  @Override
  public String toString() {
    return "AsyncHttpTransport[" + pool.getTotalStats() + (closed ? ", closed]" : "]");
  }

  /*
   * Apache HttpClient 5.6's async TLS strategy sets the endpoint identification algorithm on its
   * SSLParameters after it has applied them to the engine, so under its default (built-in) host
   * name policy the JSSE never checked the host name: a certificate issued to any other host, by
   * a trusted CA, was accepted. initializeEngine runs after that step, so the check is switched
   * on here, inside the handshake, as the classic strategy of SyncHttpTransport does it; a
   * mismatch fails the handshake (TlsException).
   */
  private static final class HostCheckingTlsStrategy extends DefaultClientTlsStrategy {
    HostCheckingTlsStrategy(
        SSLContext context, String @Nullable [] protocols, String @Nullable [] cipherSuites) {
      super(
          context, protocols, cipherSuites, SSLBufferMode.STATIC,
          HostnameVerificationPolicy.BUILTIN, null);
    }

    @Override
    protected void initializeEngine(SSLEngine engine) {
      SSLParameters parameters = engine.getSSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      engine.setSSLParameters(parameters);
    }
  }

  private RuntimeException translate(Throwable t, HttpRequest request, Duration read) {
    if (closed) {
      return Translate.closedInFlight(request, t); // not a failure of the exchange: close() cut it
    }
    return Translate.failure(t, request, connectTimeout, read);
  }

  /*
   * Apache's async response parser, on the I/O thread, rejects some malformed heads with an
   * unchecked exception ("HTTP/1.-2147483648 204" fails in ProtocolVersion with an
   * IllegalArgumentException), which reaches failed() as it is and would pass through Translate
   * unchanged: an undocumented failure for a server's bad bytes (found by ResponseFuzzTest, seed
   * 1044). Our own failures reach Apache wrapped (WrappedFailure), so an IllegalArgumentException
   * here is Apache's about what it read: a protocol error, as the sync transport reports it.
   */
  private static Exception malformedAsProtocolError(Exception cause) {
    if (cause instanceof IllegalArgumentException) {
      return new IOException(
          new ProtocolException("Malformed response: " + cause.getMessage(), cause));
    }
    return cause;
  }

  /*
   * One exchange: the response consumer, the completion callback, and the body source that the
   * reader pulls from. Apache calls consumeResponse/consume/streamEnd/failed on an I/O thread; the
   * reader calls hasNext/next/close on any thread; `lock` guards the shared state.
   *
   * Chunks are copies: Apache's buffer is its own again once consume() returns, and the reader
   * may run later or on another thread. The copies are recycled instead of being garbage: a chunk
   * is valid only until the reader's next hasNext() (ResponseBody.chunks()'s contract, which the
   * sync transport's one reused array already relies on), so hasNext() takes the chunk that
   * next() last returned back as a spare, and consume() copies into a spare when it has one.
   * Flow control: `granted` mirrors Apache's window exactly (WINDOW at the start, plus every
   * update, minus every byte delivered; one read may take it below zero), `buffered` is what is
   * queued for the reader. Credit goes back when at least half the window is free, and always
   * once the reader has taken every buffered chunk (then WINDOW - granted >= WINDOW), so a
   * suspended connection cannot wait for a reader that waits for it.
   */
  @SuppressWarnings("try") // a context scope is closed, never read
  private final class Exchange
      implements AsyncResponseConsumer<Void>, FutureCallback<Void>, AsyncIterator<ByteBuffer> {
    /*
     * The caller's stage, until the head is delivered. Apache holds this exchange until the body
     * ends, so after that the exchange must not hold the stage, whose value holds the response:
     * a response the caller dropped unread must become unreachable (BodySource, Reclaim).
     */
    private volatile @Nullable CompletableFuture<HttpResponse> result = new CompletableFuture<>();
    /*
     * The sender's context (io.ambidex.context), captured by send() on its thread: the I/O thread
     * completes the response and each body read inside it, so what continues from them (the
     * core's code, its callbacks, the caller's own continuations) sees the sender's MDC or trace.
     */
    private final ContextPropagator.Snapshot senderContext = ContextPropagation.capture();
    private final HttpRequest request;
    private final Duration read;
    private final HttpClientContext context;
    private final Object lock = new Object();
    private final ArrayDeque<ByteBuffer> chunks = new ArrayDeque<>();
    private final ArrayDeque<ByteBuffer> spares = new ArrayDeque<>(SPARES);
    private @Nullable ByteBuffer lent;
    private volatile @Nullable Future<Void> future;
    private @Nullable CapacityChannel capacity;
    private @Nullable CompletableFuture<Boolean> waiting;
    private @Nullable RuntimeException failure;
    private boolean ended;
    private boolean closed;
    private int buffered;
    private int granted = WINDOW;
    private boolean silenceAllowed; // the read timeout is suspended: the reader is behind
    private long length = -1;
    private long received;

    Exchange(HttpRequest request, Duration read, HttpClientContext context) {
      this.request = request;
      this.read = read;
      this.context = context;
    }

    CompletableFuture<HttpResponse> result() {
      return Objects.requireNonNull(result, "result() is read before the exchange starts");
    }

    void started(Future<Void> f, CompletableFuture<HttpResponse> result) {
      future = f;
      result.whenComplete(
          (r, e) -> {
            if (e instanceof CancellationException) {
              abort();
            }
          });
    }

    long delivered() {
      synchronized (lock) {
        return received;
      }
    }

    long credit() {
      synchronized (lock) {
        return granted;
      }
    }

    private void abort() {
      Future<Void> f = future;
      if (f != null) {
        f.cancel(true);
      }
      connections.abort(context.getExchangeId());
    }

    // ---- AsyncResponseConsumer (I/O thread) ----

    /*
     * Apache calls these four on an I/O thread. An Error thrown from them (an allocation failure of
     * a chunk copy; a context propagator's restore that breaks) would reach Apache's reactor: the
     * thread dies with it and the exchange never completes, so its caller waits until its own
     * timeout. Like an Error from a request body (BodyProducer.produce), it fails this exchange
     * instead, through Apache's IOException channel: the connection is dropped, get() reports the
     * Error itself, and the transport serves the next request.
     */
    private static final ContextPropagator.Scope NO_SCOPE = () -> {};

    private static IOException onIoThread(Error e) {
      return new Translate.WrappedFailure(new CompletionException(e));
    }

    @Override
    public void consumeResponse(
        org.apache.hc.core5.http.HttpResponse response,
        @Nullable EntityDetails entity,
        HttpContext context,
        FutureCallback<Void> callback)
        throws IOException, HttpException {
      ApacheTerms.checkHead(response);
      try {
        consumeHead(response, entity, callback);
      } catch (Error e) {
        throw onIoThread(e);
      }
    }

    private void consumeHead(
        org.apache.hc.core5.http.HttpResponse response,
        @Nullable EntityDetails entity,
        FutureCallback<Void> callback) {
      HttpHeaders.Builder headers = new HttpHeaders.Builder();
      for (Header h : response.getHeaders()) {
        headers.addReceived(h.getName(), h.getValue());
      }
      // Apache marks a body framed by the connection's end with its own negative value
      // (-Long.MAX_VALUE); -1 is this module's "unknown".
      long length = entity == null ? 0 : Math.max(-1, entity.getContentLength());
      String contentType = entity == null ? null : entity.getContentType();
      synchronized (lock) {
        this.length = length;
        if (entity == null) {
          ended = true;
        }
      }
      if (entity == null) {
        callback.completed(null);
      }
      HttpResponse r =
          HttpResponse.of(
              request,
              response.getCode(),
              headers.build(),
              new ResponseBody(
                  new BodySource(this),
                  length,
                  contentType,
                  request.method() + " " + request.uri(),
                  null,
                  null));
      CompletableFuture<HttpResponse> out = result;
      boolean delivered;
      try (ContextPropagator.Scope scope = senderContext.restore()) {
        delivered = out != null && out.complete(r);
      }
      // Not before: if the restore breaks, failed() still has the stage to fail (onIoThread).
      result = null;
      if (!delivered) {
        close(); // the caller cancelled: nobody will ever read this response
      }
    }

    @Override
    public void informationResponse(
        org.apache.hc.core5.http.HttpResponse response, HttpContext context) {}

    @Override
    public void updateCapacity(CapacityChannel channel) throws IOException {
      try {
        grantCredit(channel);
      } catch (Error e) {
        throw onIoThread(e);
      }
    }

    private void grantCredit(CapacityChannel channel) throws IOException {
      int grant;
      synchronized (lock) {
        capacity = channel;
        grant = WINDOW - buffered - granted;
        if (grant <= 0) {
          return;
        }
        granted += grant;
        resumeReadTimeout();
      }
      channel.update(grant);
    }

    @Override
    public void consume(ByteBuffer src) throws IOException {
      try {
        consumeChunk(src);
      } catch (Error e) {
        throw onIoThread(e);
      }
    }

    private void consumeChunk(ByteBuffer src) {
      int n = src.remaining();
      CompletableFuture<Boolean> w;
      synchronized (lock) {
        if (closed) {
          return;
        }
        ByteBuffer copy = spares.poll();
        if (copy == null || copy.capacity() < n) {
          copy = ByteBuffer.allocate(chunkCapacity(n));
        }
        copy.clear();
        copy.put(src).flip();
        received += n;
        granted -= n; // Apache's window, which one read may overdraw
        buffered += n;
        chunks.add(copy);
        if (granted <= 0 && !silenceAllowed) {
          /*
           * Apache stops reading until the reader frees window space, but its socket timeout
           * would go on counting: a reader busy for longer than the read timeout failed the
           * exchange with a ReadTimeoutException that blames the server (found by exploratory
           * testing). The read timeout measures the server's silence while we wait for data, as on
           * the blocking path, so it is off until credit is given back. Under the lock, so that a
           * suspension and a resumption are applied in the order they were decided.
           */
          silenceAllowed = true;
          connections.socketTimeout(context.getExchangeId(), Timeout.DISABLED);
        }
        w = waiting;
        waiting = null;
      }
      if (w != null) {
        resume(w, true);
      }
    }

    /*
     * A new chunk buffer's size: the rest of a body of known length up to BUFFER (so a small body
     * costs what it is), BUFFER for the later chunks of a body of unknown length (so that they can
     * be reused), never less than the chunk.
     */
    private int chunkCapacity(int n) {
      long rest = length >= 0 ? length - received : received == 0 ? n : BUFFER;
      return (int) Math.max(n, Math.min(BUFFER, rest));
    }

    /* Credit goes back to Apache: the server's silence counts again, from now. Holds `lock`. */
    private void resumeReadTimeout() {
      if (silenceAllowed) {
        silenceAllowed = false;
        connections.socketTimeout(context.getExchangeId(), ApacheTerms.timeout(read));
      }
    }

    /* Takes back the chunk the reader was lent: its hasNext() or close() ends the loan. */
    private void recycle() {
      ByteBuffer b = lent;
      if (b != null) {
        lent = null;
        if (spares.size() < SPARES) {
          spares.add(b);
        }
      }
    }

    @Override
    public void streamEnd(@Nullable List<? extends Header> trailers) throws IOException {
      try {
        endOfBody();
      } catch (Error e) {
        throw onIoThread(e);
      }
    }

    private void endOfBody() {
      CompletableFuture<Boolean> w;
      synchronized (lock) {
        ended = true;
        resumeReadTimeout(); // the connection may serve another exchange
        w = waiting;
        waiting = null;
      }
      if (w != null) {
        resume(w, false);
      }
    }

    /*
     * Completes a waiting read inside the sender's context. If restoring the context breaks with
     * an Error, the read fails with it (the reader must not wait for a completion that will never
     * come) and the Error goes on up, to fail the exchange (onIoThread).
     */
    private void resume(CompletableFuture<Boolean> w, boolean more) {
      ContextPropagator.Scope scope;
      try {
        scope = senderContext.restore();
      } catch (Error e) {
        w.completeExceptionally(new CompletionException(e));
        throw e;
      }
      try (scope) {
        w.complete(more);
      }
    }

    /*
     * The sender's context, for completions of an exchange that is failing (Apache's failed() and
     * cancelled(), a failed read): if restoring it breaks with an Error, none. The failure goes on
     * without it; thrown from here, the Error would reach Apache's reactor and the completion would
     * never happen.
     */
    private ContextPropagator.Scope failingScope() {
      try {
        return senderContext.restore();
      } catch (Error e) {
        return NO_SCOPE;
      }
    }

    @Override
    public void failed(Exception cause) {
      RuntimeException e = translate(malformedAsProtocolError(cause), request, read);
      try (ContextPropagator.Scope scope = failingScope()) {
        CompletableFuture<HttpResponse> out = result;
        if (out != null && out.completeExceptionally(e)) {
          return;
        }
        fail(e);
      }
    }

    private void fail(RuntimeException e) {
      CompletableFuture<Boolean> w;
      synchronized (lock) {
        if (ended || failure != null) {
          return;
        }
        failure = e;
        w = waiting;
        waiting = null;
      }
      if (w != null) {
        try (ContextPropagator.Scope scope = failingScope()) {
          w.completeExceptionally(e);
        }
      }
    }

    @Override
    public void releaseResources() {}

    // ---- FutureCallback of the whole exchange ----

    @Override
    public void completed(@Nullable Void ignored) {}

    @Override
    public void cancelled() {
      CancellationException c =
          AsyncHttpTransport.this.closed
              ? Translate.closedInFlight(request, null)
              : new CancellationException(
                  request.method() + " " + request.uri() + " was cancelled");
      try (ContextPropagator.Scope scope = failingScope()) {
        CompletableFuture<HttpResponse> out = result;
        if (out == null || !out.completeExceptionally(c)) {
          fail(c);
        }
      }
    }

    // ---- AsyncIterator, the reader's side of the body ----

    @Override
    public CompletionStage<Boolean> hasNext() {
      synchronized (lock) {
        if (closed) {
          return CompletableFuture.failedFuture(
              new IllegalStateException("hasNext() was called on a closed response body"));
        }
        recycle();
        if (!chunks.isEmpty()) {
          return Chunks.TRUE;
        }
        if (failure != null) {
          return CompletableFuture.failedFuture(failure);
        }
        if (ended) {
          return Chunks.FALSE;
        }
        CompletableFuture<Boolean> w = new CompletableFuture<>();
        waiting = w;
        return w;
      }
    }

    @Override
    public ByteBuffer next() {
      ByteBuffer b;
      CapacityChannel c;
      int grant = 0;
      synchronized (lock) {
        b = chunks.poll();
        if (b == null) {
          throw new java.util.NoSuchElementException(
              "next() was called without a successful hasNext()");
        }
        lent = b;
        buffered -= b.remaining();
        c = capacity;
        if (c != null && !ended) {
          grant = WINDOW - buffered - granted;
          if (grant >= WINDOW / 2) {
            granted += grant;
            resumeReadTimeout();
          } else {
            grant = 0;
          }
        }
      }
      if (c != null && grant > 0) {
        try {
          c.update(grant);
        } catch (IOException e) {
          fail(translate(e, request, read));
        }
      }
      return b;
    }

    @Override
    public CompletionStage<Void> close() {
      CompletableFuture<Boolean> w;
      boolean complete;
      synchronized (lock) {
        if (closed) {
          return Chunks.CLOSED;
        }
        closed = true;
        complete = ended && failure == null;
        chunks.clear();
        spares.clear();
        lent = null;
        w = waiting;
        waiting = null;
      }
      if (!complete) {
        abort(); // closes the connection; Apache frees the pool slot
      }
      if (w != null) {
        w.completeExceptionally(new CancellationException("the response body was closed"));
      }
      return Chunks.CLOSED;
    }

    /* Reclaim's action: the caller dropped the response (BodySource). */
    void reclaim() {
      boolean connectionHeld;
      synchronized (lock) {
        connectionHeld = !closed && !ended && failure == null;
      }
      if (connectionHeld) {
        Reclaim.warnDropped(request.method() + " " + request.uri());
      }
      close();
    }
  }

  /*
   * The body source a response holds: the exchange's reader side, behind one more object, because
   * Apache holds the exchange until the body ends and a Cleaner's referent must be reachable only
   * from the caller's side. Every view of the body (the ResponseBody, its progress and verified
   * iterators, its InputStream) holds this; once none is reachable, Reclaim closes the exchange.
   * A closed source is no longer watched.
   */
  private static final class BodySource implements AsyncIterator<ByteBuffer> {
    final Exchange exchange;
    private final Cleaner.Cleanable reclaim;

    BodySource(Exchange exchange) {
      this.exchange = exchange;
      this.reclaim = Reclaim.register(this, exchange::reclaim);
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      try {
        return exchange.hasNext();
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    @Override
    public ByteBuffer next() {
      try {
        return exchange.next();
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    @Override
    public CompletionStage<Void> close() {
      CompletionStage<Void> closed = exchange.close();
      reclaim.clean(); // runs reclaim() on a closed exchange: it only stops watching
      return closed;
    }
  }

  /*
   * Streams a RequestBody into the connection: pulls one chunk, writes as much as the socket
   * takes, and asks for the next only when it is fully written. When the body's stage is not
   * complete (an async source, a virtual-thread read, a progress callback), produce() returns and
   * the completion requests output again.
   */
  private final class BodyProducer implements AsyncEntityProducer {
    private final HttpRequest request;
    private final RequestBody body;
    private @Nullable AsyncIterator<ByteBuffer> it;
    private @Nullable ByteBuffer current;
    private @Nullable CompletableFuture<Boolean> pending;
    private boolean done;

    BodyProducer(HttpRequest request, RequestBody body) {
      this.request = request;
      this.body = body;
    }

    @Override
    public int available() {
      ByteBuffer c = current;
      if (c != null && c.hasRemaining()) {
        return c.remaining();
      }
      CompletableFuture<Boolean> p = pending;
      return done || (p != null && !p.isDone()) ? 0 : 1;
    }

    @Override
    public void produce(DataStreamChannel channel) throws IOException {
      try {
        produceOrThrow(channel);
      } catch (Error e) {
        /*
         * The body's source is the caller's code, run here on an I/O thread: an Error thrown out
         * of produce() reaches Apache's reactor, which shuts down, and every later exchange of the
         * transport fails ("I/O reactor has been shut down"). It fails this exchange instead, as
         * a CompletableFuture stage's Error fails that stage: get() reports the Error itself.
         */
        throw new Translate.WrappedFailure(new CompletionException(e));
      }
    }

    private void produceOrThrow(DataStreamChannel channel) throws IOException {
      if (done) {
        return;
      }
      AsyncIterator<ByteBuffer> source = it;
      if (source == null) {
        try {
          source = it = body.open(blockingReads);
        } catch (RuntimeException e) {
          throw new Translate.WrappedFailure(e);
        }
      }
      while (true) {
        ByteBuffer c = current;
        if (c != null) {
          try {
            channel.write(c);
          } catch (IOException e) {
            if (!cutShort(e, source)) {
              throw e;
            }
            return;
          }
          if (c.hasRemaining()) {
            return; // the socket is full: Apache calls produce() again when writable
          }
          current = null;
        }
        CompletableFuture<Boolean> p = pending;
        if (p == null) {
          p = Futures.asFuture(source.hasNext());
        }
        if (!p.isDone()) {
          pending = p;
          p.whenComplete((v, e) -> channel.requestOutput());
          return;
        }
        pending = null;
        Throwable failure = Futures.failureOf(p);
        if (failure != null) {
          throw new Translate.WrappedFailure(
              failure instanceof RuntimeException r ? r : Chunks.asUnchecked(failure, body));
        }
        if (!p.join()) {
          done = true;
          channel.endStream();
          source.close();
          return;
        }
        current = source.next();
      }
    }

    /*
     * A server may answer before it has read the body, and close (413 for an upload it refuses):
     * the unread body resets the connection, and a write can fail with a broken pipe before the
     * reactor has read the answer that came first. The connection is dead either way, so the body
     * stops here and the failure is left to the reading side: it reads the answer (an early answer
     * ends the exchange, RFC 9112, section 9.5) or meets the reset and fails the exchange with it.
     */
    private boolean cutShort(IOException e, AsyncIterator<ByteBuffer> source) {
      if (!Translate.isWriteReset(e)) {
        return false;
      }
      done = true;
      current = null;
      source.close();
      return true;
    }

    @Override
    public boolean isRepeatable() {
      return body.isReplayable();
    }

    @Override
    public void failed(Exception cause) {
      releaseResources();
    }

    @Override
    public void releaseResources() {
      AsyncIterator<ByteBuffer> source = it;
      if (source != null) {
        source.close();
      }
    }

    @Override
    public long getContentLength() {
      return body.contentLength();
    }

    @Override
    public @Nullable String getContentType() {
      return null;
    }

    @Override
    public @Nullable String getContentEncoding() {
      return null;
    }

    @Override
    public boolean isChunked() {
      return body.contentLength() < 0;
    }

    @Override
    public Set<String> getTrailerNames() {
      return Set.of();
    }

    @Override
    public String toString() {
      return "body of " + request;
    }
  }

  /** Builds an {@link AsyncHttpTransport}. Not thread-safe. */
  public static final class Builder {
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(30);
    private Duration connectionTtl = Duration.ofMinutes(5);
    private int maxConnections = 64;
    private int ioThreads = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    private @Nullable SSLContext sslContext;

    private Builder() {}

    /**
     * Sets the longest wait to open a connection (and to get a pool slot). Default 10 s.
     *
     * @throws IllegalArgumentException if it is below 1 ms
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = SyncHttpTransport.timeout(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the longest silence on a connection while a response is awaited. Default 30 s.
     *
     * @throws IllegalArgumentException if it is below 1 ms
     */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = SyncHttpTransport.timeout(readTimeout, "readTimeout");
      return this;
    }

    /** Sets how long a pooled connection may be reused. Default 5 minutes. */
    public Builder connectionTtl(Duration connectionTtl) {
      this.connectionTtl = SyncHttpTransport.positive(connectionTtl, "connectionTtl");
      return this;
    }

    /** Sets the most connections open at once, in all and per host. Default 64. */
    public Builder maxConnections(int maxConnections) {
      if (maxConnections < 1) {
        throw new IllegalArgumentException(
            "maxConnections must be at least 1, but was " + maxConnections);
      }
      this.maxConnections = maxConnections;
      return this;
    }

    /** Sets the number of I/O threads. Default: the number of processors, at most 4. */
    public Builder ioThreads(int ioThreads) {
      if (ioThreads < 1) {
        throw new IllegalArgumentException("ioThreads must be at least 1, but was " + ioThreads);
      }
      this.ioThreads = ioThreads;
      return this;
    }

    /** Sets the TLS context (trust store, client keys). Default: the JVM's default. */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** Builds and starts the transport (its I/O threads start now). */
    public AsyncHttpTransport build() {
      return new AsyncHttpTransport(this);
    }
  }
}
