package io.ambidex.http;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.CallInterruptedException;
import io.ambidex.Deadline;
import io.ambidex.http.internal.ApacheTerms;
import io.ambidex.http.internal.Chunks;
import io.ambidex.http.internal.DeadlineAbort;
import io.ambidex.http.internal.LazyTls;
import io.ambidex.http.internal.Reclaim;
import io.ambidex.http.internal.Translate;
import java.io.FilterInputStream;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Proxy;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Iterator;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.DnsResolver;
import org.apache.hc.client5.http.SchemePortResolver;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.DefaultHttpClientConnectionOperator;
import org.apache.hc.client5.http.impl.io.DefaultManagedHttpClientConnection;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.io.HttpClientConnectionOperator;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.impl.io.DefaultHttpResponseParser;
import org.apache.hc.core5.http.impl.io.SocketHolder;
import org.apache.hc.core5.http.io.HttpMessageParser;
import org.apache.hc.core5.http.io.SessionInputBuffer;
import org.apache.hc.core5.http.URIScheme;
import org.apache.hc.core5.http.config.RegistryBuilder;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * The blocking transport: {@link #send} performs the whole exchange, up to the response head, on
 * the calling thread and returns an already completed stage, so a core on it runs with no thread
 * hop and its blocking facade reads results with {@link io.ambidex.Immediate}. Built on Apache
 * HttpClient 5's classic (blocking I/O) client, chosen over the JDK's {@code HttpClient.send},
 * which is {@code sendAsync(..).get()} internally, a hop on every call (figures in {@code
 * docs/http.md}).
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Thread</b>: connect, request body and response head on the caller's thread; the body is
 *       read on the thread that reads it. No thread of its own (a shared daemon timer only when a
 *       {@link Deadline} is set, and a shared daemon thread that closes responses dropped
 *       unclosed).
 *   <li><b>Pool</b>: connections are pooled and reused per host (at most {@link
 *       Builder#maxConnections} in all); a caller that finds the pool exhausted waits for a slot,
 *       within the connect timeout.
 *   <li><b>Timeouts</b>: connect timeout; read timeout (the longest silence while waiting for the
 *       head or any body read); and {@link Deadline#current()}: socket waits are clamped to the
 *       time left, and a timer aborts the exchange when it passes (a stalled upload included). A
 *       passed deadline fails with {@link io.ambidex.OperationTimeoutException}.
 *   <li><b>Interrupt</b>: sockets are interruptible channels, so interrupting the calling thread
 *       (platform or virtual) closes the connection and the call fails with {@link
 *       CallInterruptedException}, flag kept set; the pool slot is freed.
 *   <li><b>Dropped responses</b>: a response the caller drops without reading its body to the
 *       end or closing it holds its connection until the garbage collector finds it unreachable;
 *       then the connection is closed, its pool slot freed, and a warning logged to {@code
 *       io.ambidex.http}. Close what you take.
 *   <li><b>Nothing hidden</b>: no automatic retries, redirects, cookies or content decoding;
 *       those belong to the {@link RequestClient}, or are not wanted (decoding would break
 *       length and checksum verification).
 * </ul>
 */
public final class SyncHttpTransport implements HttpTransport {
  private final CloseableHttpClient client;
  private final PoolingHttpClientConnectionManager pool;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  /*
   * The exchanges between the start of executeOpen and its return: close() cancels them, which
   * also ends a wait for a pool slot (Apache's pool, closed, drops its waiters, and a caller
   * waiting in one then waited out its connect timeout).
   */
  private final Set<HttpUriRequestBase> opening = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private SyncHttpTransport(Builder b) {
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    TlsSocketStrategy tls =
        b.sslContext != null
            ? new DefaultClientTlsStrategy(b.sslContext)
            : LazyTls.socket(DefaultClientTlsStrategy::createDefault);
    this.pool =
        new InterruptibleSocketsPoolBuilder(tls)
            .setMaxConnTotal(b.maxConnections)
            .setMaxConnPerRoute(b.maxConnections)
            .setTlsSocketStrategy(tls)
            .setConnectionFactory(CheckedConnection::create)
            .setDefaultConnectionConfig(
                ConnectionConfig.custom()
                    .setConnectTimeout(ApacheTerms.timeout(b.connectTimeout))
                    .setSocketTimeout(ApacheTerms.timeout(b.readTimeout))
                    .setValidateAfterInactivity(TimeValue.ZERO_MILLISECONDS) // CheckedConnection
                    .setTimeToLive(TimeValue.ofMilliseconds(ApacheTerms.millis(b.connectionTtl)))
                    .build())
            .build();
    this.client =
        HttpClients.custom()
            .setConnectionManager(pool)
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
            .disableContentCompression()
            .disableAuthCaching()
            .disableConnectionState()
            .disableDefaultUserAgent()
            .evictIdleConnections(TimeValue.ofSeconds(30))
            .build();
  }

  /** Returns a transport with the defaults of {@link Builder}. */
  public static SyncHttpTransport create() {
    return builder().build();
  }

  /** Returns a builder. */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Performs the exchange on the calling thread and returns a completed stage of the response
   * (head received, body unread), or a stage failed as {@link HttpTransport} describes.
   *
   * @throws IllegalStateException if the transport is closed
   */
  @Override
  public CompletionStage<HttpResponse> send(HttpRequest request) {
    Objects.requireNonNull(request, "request");
    if (closed) {
      throw new IllegalStateException(
          "SyncHttpTransport.send(" + request + ") was called after the transport was closed.");
    }
    try {
      return CompletableFuture.completedFuture(exchange(request));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private HttpResponse exchange(HttpRequest request) {
    String name = request.method() + " " + request.uri();
    if (Thread.currentThread().isInterrupted()) {
      throw new CallInterruptedException(name);
    }
    Deadline deadline = Deadline.current();
    if (deadline != null && deadline.isExpired()) {
      throw deadline.exceeded();
    }
    HttpUriRequestBase req = new HttpUriRequestBase(request.method(), request.uri());
    for (var field : request.headers().map().entrySet()) {
      for (String value : field.getValue()) {
        req.addHeader(field.getKey(), value);
      }
    }
    BodyEntity upload = hasEntity(request) ? new BodyEntity(request.body()) : null;
    if (upload != null) {
      req.setEntity(upload);
    }
    Duration read = request.readTimeout() != null ? request.readTimeout() : readTimeout;
    HttpClientContext context = HttpClientContext.create();
    if (request.readTimeout() != null || deadline != null) {
      long nanos = TimeUnit.MILLISECONDS.toNanos(ApacheTerms.millis(read));
      if (deadline != null) {
        // A little past the deadline, so that the abort timer, not the socket, reports it.
        long remaining = deadline.remainingNanos(); // for a huge deadline, near Long.MAX_VALUE
        nanos =
            Math.max(1_000_000, remaining >= nanos - 50_000_000 ? nanos : remaining + 50_000_000);
      }
      context.setRequestConfig(
          RequestConfig.custom()
              .setResponseTimeout(Timeout.of(nanos, TimeUnit.NANOSECONDS))
              .setConnectionRequestTimeout(ApacheTerms.timeout(connectTimeout))
              .setRedirectsEnabled(false)
              .setContentCompressionEnabled(false)
              .setAuthenticationEnabled(false)
              .build());
    }
    DeadlineAbort abort = deadline == null ? null : DeadlineAbort.arm(deadline, req);
    if (upload != null) {
      upload.abort = abort;
    }
    ClassicHttpResponse response;
    opening.add(req);
    try {
      if (closed) {
        req.cancel(); // close() ran before the exchange was registered
      }
      response = client.executeOpen(null, req, context);
    } catch (IOException | RuntimeException e) {
      if (abort != null) {
        abort.disarm();
      }
      throw failure(e, request, abort, read);
    } finally {
      opening.remove(req);
    }
    try {
      HttpHeaders.Builder headers = new HttpHeaders.Builder();
      for (Iterator<Header> it = response.headerIterator(); it.hasNext(); ) {
        Header h = it.next();
        headers.addReceived(h.getName(), h.getValue());
      }
      HttpEntity entity = response.getEntity();
      InputStream content = entity == null ? null : entity.getContent();
      long length = entity == null ? 0 : Math.max(-1, entity.getContentLength());
      String contentType = entity == null ? null : entity.getContentType();
      AsyncIterator<ByteBuffer> source =
          new ClassicBody(request, req, response, content, length, abort, read, name);
      return HttpResponse.of(
          request,
          response.getCode(),
          headers.build(),
          new ResponseBody(source, length, contentType, name, null, null));
    } catch (IOException | RuntimeException e) {
      req.cancel();
      closeQuietly(response);
      if (abort != null) {
        abort.disarm();
      }
      throw failure(e, request, abort, read);
    }
  }

  /*
   * An exchange's failure, typed: one cut short by close() is a cancellation (not retried, and
   * not blamed on the server), unless the calling thread was interrupted.
   */
  private RuntimeException failure(
      Exception e, HttpRequest request, @Nullable DeadlineAbort abort, Duration read) {
    if (closed && !Thread.currentThread().isInterrupted()) {
      return Translate.closedInFlight(request, e);
    }
    return Translate.blockingFailure(e, request, abort, connectTimeout, read);
  }

  static boolean hasEntity(HttpRequest request) {
    RequestBody body = request.body();
    if (body.contentLength() != 0) {
      return true;
    }
    return switch (request.method()) {
      case "GET", "HEAD", "DELETE", "OPTIONS", "TRACE", "CONNECT" -> false;
      default -> true; // PUT, POST, PATCH... send "Content-Length: 0"
    };
  }

  private static void closeQuietly(ClassicHttpResponse response) {
    try {
      response.close();
    } catch (IOException | RuntimeException ignored) {
      // aborting anyway
    }
  }

  /** Returns the number of pooled connections currently leased (in use). For tests. */
  int leasedConnections() {
    return pool.getTotalStats().getLeased();
  }

  /** Returns the number of requests waiting for a pool slot. For tests. */
  int pendingLeases() {
    return pool.getTotalStats().getPending();
  }

  /** Returns the number of idle pooled connections. For tests. */
  int availableConnections() {
    return pool.getTotalStats().getAvailable();
  }

  /**
   * Closes every pooled connection; later sends throw {@link IllegalStateException}. Responses
   * still open are aborted: an exchange in flight fails with a {@link
   * java.util.concurrent.CancellationException} saying its transport was closed (so a {@link
   * RequestClient} does not retry it). Idempotent; the returned stage is complete.
   */
  @Override
  public CompletionStage<Void> close() {
    closed = true;
    // The pool first: closed, it serves no waiter and closes the connections it leased. Cancelling
    // the exchanges first freed the slot of the one holding a connection, and a waiter could
    // lease it and send its request before its own cancel came (PoolWaitTest, under load).
    pool.close(CloseMode.IMMEDIATE);
    for (HttpUriRequestBase exchange : opening) {
      exchange.cancel(); // ends a wait for a slot: the closed pool dropped its waiters silently
    }
    client.close(CloseMode.IMMEDIATE);
    return Chunks.CLOSED;
  }

  @Override
  public String toString() {
    return "SyncHttpTransport[" + pool.getTotalStats() + (closed ? ", closed]" : "]");
  }

  /*
   * The response body source: reads the entity stream on the reading thread. At the end of the
   * stream Apache has already returned the connection to the pool; a close before the end aborts
   * the exchange (closing the connection) instead of letting close() drain the rest. A body the
   * caller drops unclosed is released the same way once it is unreachable (Reclaim).
   */
  private final class ClassicBody extends Chunks.Immediate {
    private final HttpRequest request;
    private final @Nullable InputStream content;
    private final @Nullable DeadlineAbort abort;
    private final Duration read;
    private final byte[] buffer;
    private final Release release;
    private final Cleaner.Cleanable reclaim;

    ClassicBody(
        HttpRequest request,
        HttpUriRequestBase exchange,
        ClassicHttpResponse response,
        @Nullable InputStream content,
        long length,
        @Nullable DeadlineAbort abort,
        Duration read,
        String name) {
      this.request = request;
      this.content = content;
      this.abort = abort;
      this.read = read;
      this.buffer =
          new byte[length >= 0 ? (int) Math.max(1, Math.min(length, RequestBody.CHUNK_SIZE)) : 16 * 1024];
      this.release = new Release(name, exchange, response, abort, content == null);
      this.reclaim = Reclaim.register(this, release);
    }

    @Override
    protected @Nullable ByteBuffer read() {
      try {
        InputStream in = content;
        if (release.eof || in == null) {
          return null;
        }
        if (abort != null) {
          abort.beforeRead();
        }
        int n;
        try {
          n = in.read(buffer);
        } catch (IOException | RuntimeException e) {
          throw failure(e, request, abort, read);
        }
        if (n < 0) {
          release.eof = true;
          return null;
        }
        return ByteBuffer.wrap(buffer, 0, n);
      } finally {
        Reference.reachabilityFence(this); // not reclaimed while a read runs
      }
    }

    @Override
    protected void release() {
      release.closing = true;
      reclaim.clean();
    }
  }

  /*
   * What releasing a ClassicBody does, in an object of its own: Reclaim runs it once the body is
   * unreachable, so it must not hold the body.
   */
  private static final class Release implements Runnable {
    private final String name;
    private final HttpUriRequestBase exchange;
    private final ClassicHttpResponse response;
    private final @Nullable DeadlineAbort abort;
    volatile boolean eof;
    volatile boolean closing; // released by the body itself, not found dropped

    Release(
        String name,
        HttpUriRequestBase exchange,
        ClassicHttpResponse response,
        @Nullable DeadlineAbort abort,
        boolean eof) {
      this.name = name;
      this.exchange = exchange;
      this.response = response;
      this.abort = abort;
      this.eof = eof;
    }

    @Override
    public void run() {
      if (!eof && !closing) {
        Reclaim.warnDropped(name);
      }
      if (abort != null) {
        abort.disarm();
      }
      if (!eof) {
        exchange.cancel(); // close the connection rather than drain it
      }
      closeQuietly(response);
    }
  }

  /** Streams a {@link RequestBody} into the connection, one chunk at a time. */
  private static final class BodyEntity implements HttpEntity {
    private final RequestBody body;
    /* The deadline's abort, which must also end a read of the body's source (a stalled stream). */
    @Nullable DeadlineAbort abort;

    BodyEntity(RequestBody body) {
      this.body = body;
    }

    @Override
    public boolean isRepeatable() {
      return body.isReplayable();
    }

    @Override
    public InputStream getContent() {
      throw new UnsupportedOperationException("request bodies are written, not read");
    }

    @Override
    public void writeTo(OutputStream out) throws IOException {
      AsyncIterator<ByteBuffer> it = body.open(null);
      DeadlineAbort a = abort;
      if (a != null && it instanceof Chunks.Immediate source) {
        a.alsoStop(source::abort);
      }
      byte[] copy = null;
      try {
        while (Chunks.awaitHasNext(it)) {
          ByteBuffer b = it.next();
          if (b.hasArray()) {
            out.write(b.array(), b.arrayOffset() + b.position(), b.remaining());
            b.position(b.limit());
          } else {
            if (copy == null) {
              copy = new byte[RequestBody.CHUNK_SIZE];
            }
            while (b.hasRemaining()) {
              int n = Math.min(copy.length, b.remaining());
              b.get(copy, 0, n);
              out.write(copy, 0, n);
            }
          }
        }
      } finally {
        it.close();
      }
    }

    @Override
    public boolean isStreaming() {
      return !body.isReplayable();
    }

    @Override
    public void close() {}

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
    public java.util.Set<String> getTrailerNames() {
      return java.util.Set.of();
    }

    @Override
    public org.apache.hc.core5.function.@Nullable Supplier<java.util.List<? extends Header>> getTrailers() {
      return null;
    }
  }

  /*
   * A connection of the classic transport, as ManagedHttpClientConnectionFactory would make it,
   * with two differences that make it read responses as the async transport does
   * (ResponseFuzzTest, ResponseFramingTest):
   *
   * - Its response parser is httpcore's strict one. The classic client's default
   *   (LenientHttpResponseParser) skips every line it cannot read as a status line: a malformed
   *   head became "no response" (ConnectionResetException, and retried) or a read timeout instead
   *   of the HttpProtocolException the async transport reports, and a status line found after
   *   such garbage was taken as the response. Some malformed heads also escape that parser as
   *   unchecked exceptions ("HTTP/-2147483648.1 200": an IllegalArgumentException from
   *   ProtocolVersion, seed 321); they are protocol errors too.
   * - It is not reused while bytes are left unread after a response, which is what a server
   *   that sends more than its framing says leaves (a body on a HEAD or 204 answer, a
   *   Content-Length too small), nor when bytes arrived while it was idle or the server closed it
   *   meanwhile (isStale, before every lease). Reused, the next request read those bytes as the
   *   start of its response: a protocol error for a request the server never saw, or, if they
   *   looked like a response, the wrong answer (RFC 9112, section 6.3: a client must not take
   *   such bytes as a response). The pool asks isConsistent() when the connection is released;
   *   the bytes are those the parser's buffer holds and those the socket has already received,
   *   both counted without blocking.
   */
  private static final class CheckedConnection extends DefaultManagedHttpClientConnection {
    private static final AtomicLong IDS = new AtomicLong();
    private static final long STALE_CHECK_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    private final StrictParser parser;
    /* The body's write failed on a connection the server reset after it had answered. */
    private volatile boolean bodyCutShort;
    /* When it was last released to the pool (System.nanoTime()). */
    private volatile long idleSince = System.nanoTime();

    private CheckedConnection(StrictParser parser) {
      super(
          "ambidex-http-" + IDS.getAndIncrement(),
          null, // the default charset coding, as the factory's default configuration gives
          null,
          Http1Config.DEFAULT,
          null,
          null,
          null,
          null,
          config -> parser);
      this.parser = parser;
    }

    static ManagedHttpClientConnection create(@Nullable Socket socket) throws IOException {
      CheckedConnection connection = new CheckedConnection(new StrictParser());
      if (socket != null) {
        connection.bind(socket);
      }
      return connection;
    }

    @Override
    public boolean isConsistent() {
      return !bodyCutShort && super.isConsistent() && !bytesLeft();
    }

    /*
     * A server may answer before it has read the request body, and close (413 for an upload it
     * refuses, 401 for a bad signature): the body it left unread resets the connection, and the
     * next write fails with a broken pipe. The answer came first and can still be read (Linux
     * keeps the bytes that arrived before the reset), so when a write of the body fails that way
     * and bytes are waiting, the body is cut short and the exchange goes on to read the answer,
     * as RFC 9112 (section 9.5) asks of a client, and as the async transport does when it sees
     * the answer first. The connection is not reused. Nothing else is swallowed: a failure with
     * nothing to read, a closed channel (an interrupt, a deadline's abort), the body's own source.
     */
    @Override
    public void sendRequestEntity(ClassicHttpRequest request) throws IOException, HttpException {
      try {
        super.sendRequestEntity(request);
      } catch (IOException e) {
        if (!Translate.isWriteReset(e) || !bytesLeft()) {
          throw e;
        }
        bodyCutShort = true;
      }
    }

    @Override
    public void flush() throws IOException {
      if (!bodyCutShort) { // what is left of a cut body cannot be written: the answer is read
        super.flush();
      }
    }

    @Override
    public void close() throws IOException {
      if (bodyCutShort) {
        close(CloseMode.IMMEDIATE); // a graceful close would flush the rest of the body
      } else {
        super.close();
      }
    }

    @Override
    public void passivate() {
      idleSince = System.nanoTime();
      super.passivate();
    }

    /*
     * Asked by the pool before every lease of a pooled connection (validate-after-inactivity 0).
     *
     * Bytes that arrived while it was idle answer no request (a server's "408 Request Timeout"
     * before it closes an idle connection): Apache's own check reads them into the buffer and
     * calls the connection fresh, and the next request took them as its response.
     *
     * A server may also have closed it (its idle timeout, a restart). Apache's check is a read that
     * waits 1 ms, so it ran only after a second idle, and a request on a connection closed less
     * than a second earlier was written into the closed socket and failed with "no response"
     * (ConnectionResetException), not retried for a POST although the server never saw it. Our
     * sockets are channels (under TLS too: the TLS socket is layered over one), so the check is a
     * read of the raw channel that does not wait: its end (FIN), a reset, or any byte means the
     * connection cannot carry a request. The raw read can consume a TLS record (a close_notify,
     * mostly); such a connection is then closed, never reused. An end still on its way when the
     * request goes out is a race no check removes; the request then fails as before.
     */
    @Override
    public boolean isStale() throws IOException {
      if (!isOpen() || bytesLeft()) {
        return true;
      }
      SocketHolder holder = getSocketHolder();
      SocketChannel channel = holder == null ? null : holder.getBaseSocket().getChannel();
      if (channel == null) {
        // A proxy's socket (Proxy.Type.SOCKS): Apache's waiting check, after a second idle only.
        return System.nanoTime() - idleSince >= STALE_CHECK_AFTER_NANOS && super.isStale();
      }
      return ended(channel);
    }

    private static boolean ended(SocketChannel channel) {
      try {
        synchronized (channel.blockingLock()) {
          channel.configureBlocking(false);
          try {
            return channel.read(ByteBuffer.allocate(1)) != 0;
          } finally {
            channel.configureBlocking(true);
          }
        }
      } catch (IOException | RuntimeException e) {
        return true; // a reset, a closed channel: not worth reusing
      }
    }

    private boolean bytesLeft() {
      if (parser.buffered() > 0) {
        return true;
      }
      Socket socket = getSocket();
      if (socket == null) {
        return false;
      }
      try {
        return socket.getInputStream().available() > 0;
      } catch (IOException e) {
        return true; // a socket that cannot say is not worth reusing
      }
    }
  }

  /*
   * httpcore's strict response parser, remembering its connection's input buffer, and refusing a
   * head that the connection's end cut short. httpcore's classic parser takes the end of the
   * stream for the blank line that ends a head, so a server that closed after "HTTP/1.1 204 No
   * Content\r\nETag: \"ab" gave a 204 with a cut ETag; the async parser reports the connection
   * closed, and so does this one now. A head is complete only if its blank line arrived, so the
   * end of the stream met while reading it means the head was cut (a head read in full never
   * asks the stream for more once its blank line is buffered).
   */
  private static final class StrictParser implements HttpMessageParser<ClassicHttpResponse> {
    private final DefaultHttpResponseParser parser =
        new DefaultHttpResponseParser(Http1Config.DEFAULT);
    private volatile @Nullable SessionInputBuffer buffer;
    private @Nullable EndWatch watch;

    @Override
    public @Nullable ClassicHttpResponse parse(SessionInputBuffer buffer, InputStream in)
        throws IOException, HttpException {
      this.buffer = buffer;
      EndWatch w = watch;
      if (w == null || !w.watches(in)) {
        w = new EndWatch(in);
        watch = w;
      }
      w.ended = false;
      ClassicHttpResponse response;
      try {
        response = parser.parse(buffer, w);
      } catch (RuntimeException e) {
        throw new ProtocolException("Malformed response head: " + e.getMessage(), e);
      }
      if (response != null && w.ended) {
        // null (no byte at all) is the connection's "no response", a pooled connection's end
        throw new ConnectionClosedException(
            "Connection closed before the end of the response head");
      }
      if (response != null) {
        ApacheTerms.checkHead(response);
      }
      return response;
    }

    /** The bytes read from the socket and not yet parsed. */
    int buffered() {
      SessionInputBuffer b = buffer;
      return b == null ? 0 : b.length();
    }
  }

  /** The connection's input stream, noting when it reports its end. */
  private static final class EndWatch extends FilterInputStream {
    boolean ended;

    EndWatch(InputStream source) {
      super(source);
    }

    boolean watches(InputStream source) {
      return in == source;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      ended |= b < 0;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      ended |= n < 0;
      return n;
    }
  }

  /*
   * Pool whose plain sockets are SocketChannel adaptors: a thread blocked in a read or write on
   * one is released by Thread.interrupt() (the channel is closed, ClosedByInterruptException),
   * on platform threads as on virtual ones. TLS sockets are layered over them.
   */
  private static final class InterruptibleSocketsPoolBuilder
      extends PoolingHttpClientConnectionManagerBuilder {
    private final TlsSocketStrategy tls;

    InterruptibleSocketsPoolBuilder(TlsSocketStrategy tls) {
      this.tls = tls;
    }

    @Override
    protected HttpClientConnectionOperator createConnectionOperator(
        SchemePortResolver schemePortResolver,
        DnsResolver dnsResolver,
        TlsSocketStrategy tlsSocketStrategy) {
      return new DefaultHttpClientConnectionOperator(
          SyncHttpTransport::interruptibleSocket,
          schemePortResolver,
          dnsResolver,
          RegistryBuilder.<TlsSocketStrategy>create()
              .register(URIScheme.HTTPS.id, tlsSocketStrategy != null ? tlsSocketStrategy : tls)
              .build());
    }
  }

  private static Socket interruptibleSocket(@Nullable Proxy proxy) throws IOException {
    if (proxy != null && proxy.type() != Proxy.Type.DIRECT) {
      return new Socket(proxy);
    }
    return SocketChannel.open().socket();
  }

  /** Builds a {@link SyncHttpTransport}. Not thread-safe. */
  public static final class Builder {
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(30);
    private Duration connectionTtl = Duration.ofMinutes(5);
    private int maxConnections = 64;
    private @Nullable SSLContext sslContext;

    private Builder() {}

    /**
     * Sets the longest wait to open a connection (and to get a pool slot). Default 10 s.
     *
     * @throws IllegalArgumentException if it is below 1 ms
     */
    public Builder connectTimeout(Duration connectTimeout) {
      this.connectTimeout = timeout(connectTimeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the longest wait for any byte of a response, head or body. Default 30 s.
     *
     * @throws IllegalArgumentException if it is below 1 ms
     */
    public Builder readTimeout(Duration readTimeout) {
      this.readTimeout = timeout(readTimeout, "readTimeout");
      return this;
    }

    /** Sets how long a pooled connection may be reused. Default 5 minutes. */
    public Builder connectionTtl(Duration connectionTtl) {
      this.connectionTtl = positive(connectionTtl, "connectionTtl");
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

    /** Sets the TLS context (trust store, client keys). Default: the JVM's default. */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** Builds the transport. */
    public SyncHttpTransport build() {
      return new SyncHttpTransport(this);
    }
  }

  static Duration positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, but was " + d);
    }
    return d;
  }

  /*
   * The one check of a timeout (connect, read, total; on the transports, the request client and
   * each request). The sockets and Apache HttpClient count whole milliseconds, and 0 ms there
   * means "wait forever": a positive timeout below 1 ms would turn into no timeout at all on the
   * blocking transport (while the async one timed out), so it is refused.
   */
  static Duration timeout(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.compareTo(ONE_MILLISECOND) < 0) {
      throw new IllegalArgumentException(
          name + " must be at least 1 ms (timeouts count whole milliseconds, and 0 ms would mean"
              + " no timeout), but was " + d);
    }
    return d;
  }

  private static final Duration ONE_MILLISECOND = Duration.ofMillis(1);


}
