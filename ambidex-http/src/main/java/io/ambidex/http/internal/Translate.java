package io.ambidex.http.internal;

import io.ambidex.http.HttpRequest;
import io.ambidex.http.error.ConnectFailedException;
import io.ambidex.http.error.ConnectTimeoutException;
import io.ambidex.http.error.ConnectionResetException;
import io.ambidex.http.error.HttpIOException;
import io.ambidex.http.error.HttpProtocolException;
import io.ambidex.http.error.ReadTimeoutException;
import io.ambidex.http.error.RequestBodyException;
import io.ambidex.http.error.TlsException;
import io.ambidex.http.error.TruncatedBodyException;
import io.ambidex.CallInterruptedException;
import io.ambidex.Deadline;
import io.ambidex.OperationTimeoutException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import javax.net.ssl.SSLException;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.MalformedChunkCodingException;
import org.apache.hc.core5.http.NoHttpResponseException;
import org.apache.hc.core5.http.ProtocolException;
import org.apache.hc.core5.http.TruncatedChunkException;
import org.jspecify.annotations.Nullable;

/*
 * The one translation table from lower-layer exceptions to this package's family (drawn in
 * package-info). Both transports use it, so the blocking and the async path fail with the same
 * types. The original exception is always the cause; messages name the exchange, the peer and the
 * likely cause.
 */
public final class Translate {
  private Translate() {}

  public static RuntimeException failure(
      Throwable raw,
      HttpRequest request,
      Duration connectTimeout,
      Duration readTimeout) {
    Throwable t = Futures.unwrap(raw);
    if (t instanceof WrappedFailure w && w.getCause() instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof RuntimeException r) {
      return r; // ours, the core's (timeouts, cancellation), or a bug: unchanged
    }
    if (t instanceof Error e) {
      throw e;
    }
    IOException io = t instanceof IOException x ? x : new IOException(t.toString(), t);
    String exchange = request.method() + " " + request.uri();
    String peer = peer(request.uri());
    String detail = describe(io);

    if (io instanceof org.apache.hc.core5.http.ConnectionRequestTimeoutException
        || t instanceof org.apache.hc.core5.util.DeadlineTimeoutException) {
      return new ConnectTimeoutException(
          "No pooled connection to " + peer + " became free within the connect timeout of "
              + human(connectTimeout) + " for " + exchange + ": every connection of the"
              + " transport's pool (maxConnections) was in use. Raise maxConnections, make fewer"
              + " calls at once, or close responses sooner. Nothing was sent.",
          io);
    }
    if (io instanceof org.apache.hc.client5.http.ConnectTimeoutException
        || (io instanceof SocketTimeoutException && mentions(io, "connect"))) {
      return new ConnectTimeoutException(
          "Could not connect to " + peer + " within the connect timeout of " + human(connectTimeout)
              + " for " + exchange + ": the server is unreachable or too slow to accept"
              + " connections (a firewall that drops packets looks like this). Nothing was sent.",
          io);
    }
    if (io instanceof UnknownHostException) {
      return new ConnectFailedException(
          "Could not connect for " + exchange + ": the host name '" + request.uri().getHost()
              + "' is unknown; check it and the DNS configuration. Nothing was sent.",
          io);
    }
    if (io instanceof ConnectException || io instanceof NoRouteToHostException) {
      return new ConnectFailedException(
          "Could not connect to " + peer + " for " + exchange + " (" + detail + "): is the server"
              + " running and listening on that port, and reachable from here? Nothing was sent.",
          io);
    }
    if (io instanceof SSLException) {
      return new TlsException(
          "The TLS handshake with " + peer + " failed for " + exchange + " (" + detail + "):"
              + " check the server's certificate, the trust store and the host name.",
          io);
    }
    if (io instanceof SocketTimeoutException) {
      return new ReadTimeoutException(
          "No data arrived from " + peer + " within the read timeout of " + human(readTimeout)
              + " during " + exchange + ": the server stalled, is overloaded, or the read timeout"
              + " is too short for this request.",
          io);
    }
    if (io instanceof TruncatedChunkException
        || (io instanceof ConnectionClosedException && mentions(io, "premature end"))) {
      return new TruncatedBodyException(
          "The response body of " + exchange + " from " + peer + " ended early (" + detail
              + "): the connection closed before the whole body arrived. The data is incomplete"
              + " and was not returned as a success.",
          io,
          -1,
          -1);
    }
    if (io instanceof MalformedChunkCodingException
        // A status line or header longer than the parser's limit, or endless empty lines before
        // the status line (httpcore5 5.4.3 limits both): a response the client cannot read as HTTP.
        || io instanceof org.apache.hc.core5.http.MessageConstraintException
        || io instanceof org.apache.hc.client5.http.ClientProtocolException
        || io.getCause() instanceof ProtocolException
        || t instanceof org.apache.hc.core5.http.HttpException) {
      return new HttpProtocolException(
          "The response of " + peer + " to " + exchange + " is not valid HTTP (" + detail + ").",
          io);
    }
    if (io instanceof org.apache.hc.core5.http.RequestNotExecutedException) {
      // Apache's word that the request never went out: a pooled connection closed under it.
      return new ConnectFailedException(
          "The connection to " + peer + " was closed before " + exchange + " was sent (" + detail
              + "): a pooled connection the server or a proxy had closed. Nothing was sent.",
          io);
    }
    if (io instanceof NoHttpResponseException) {
      return new ConnectionResetException(
          peer + " closed the connection without answering " + exchange + " (" + detail
              + "): a pooled connection the server had already closed, or the server crashed or"
              + " dropped the request.",
          io);
    }
    if (io instanceof ConnectionClosedException
        || (io instanceof SocketException && !(io instanceof ConnectException))
        || io instanceof java.io.EOFException
        || io instanceof java.nio.channels.ClosedChannelException
        || isChannelReset(io)) {
      return new ConnectionResetException(
          "The connection to " + peer + " was closed or reset during " + exchange + " (" + detail
              + "): the server, a proxy or the network dropped it. The server may have processed"
              + " the request.",
          io);
    }
    return new HttpIOException(
        "I/O failure during " + exchange + " with " + peer + ": " + detail, io);
  }

  /**
   * Translation for the blocking transport, which also knows why an exchange may have been
   * aborted: the thread was interrupted, or the current deadline passed.
   */
  public static RuntimeException blockingFailure(
      Throwable raw,
      HttpRequest request,
      @Nullable DeadlineAbort deadline,
      Duration connectTimeout,
      Duration readTimeout) {
    Throwable t = Futures.unwrap(raw);
    // Apache cancels the request's pool lease (and the request) when the waiting thread is
    // interrupted or our deadline abort cancels it; what comes back then is a bare
    // CancellationException from its pool, which must not reach the caller as such.
    boolean abortedInApache = t instanceof CancellationException && fromApache(t);
    if (deadline != null
        && (deadline.fired() || deadline.deadline().isExpired())
        && (!(t instanceof RuntimeException)
            || abortedInApache
            // the abort ended a read of the request body's source (Chunks.Blocking.abort)
            || (deadline.fired() && t instanceof RequestBodyException))) {
      OperationTimeoutException e = deadline.deadline().exceeded();
      e.initCause(t);
      return e;
    }
    if (t instanceof ClosedByInterruptException
        || abortedInApache
        || sourceInterrupted(t)
        || (!(t instanceof RuntimeException) && Thread.currentThread().isInterrupted())
        || (t instanceof InterruptedIOException
            && !(t instanceof SocketTimeoutException)
            && !(t instanceof org.apache.hc.client5.http.ConnectTimeoutException)
            // no pool slot within the connect timeout: a timeout, not an interrupt
            && !(t instanceof org.apache.hc.core5.http.ConnectionRequestTimeoutException))) {
      Thread.currentThread().interrupt();
      CallInterruptedException e = new CallInterruptedException(request.method() + " " + request.uri());
      e.initCause(t);
      return e;
    }
    if (t instanceof CancellationException c) {
      return c;
    }
    return failure(t, request, connectTimeout, readTimeout);
  }

  /**
   * The failure of an exchange cut short because its transport was closed under it: a
   * cancellation, since nothing went wrong with the exchange itself (so no retry policy retries
   * it, and no error names a server that did nothing).
   */
  public static CancellationException closedInFlight(
      HttpRequest request, @Nullable Throwable cause) {
    CancellationException e =
        new CancellationException(
            request.method() + " " + request.uri() + " was in flight when its transport was"
                + " closed. Close a transport (or the client that owns it) after its calls have"
                + " ended, or cancel them first.");
    if (cause instanceof CancellationException) {
      // Not the cause: a CancellationException caused by another is what join() wraps around a
      // cancellation since JDK 23, and the core unwraps it, which would hand out Apache's bare one.
      e.addSuppressed(cause);
    } else if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  /*
   * A request body's source that stopped because the reading thread (the caller, on the blocking
   * path) was interrupted: a PipedInputStream says so with an InterruptedIOException and does not
   * set the flag again.
   */
  private static boolean sourceInterrupted(Throwable t) {
    Throwable cause = t.getCause();
    return t instanceof RequestBodyException
        && (cause instanceof ClosedByInterruptException
            || (cause instanceof InterruptedIOException
                && !(cause instanceof SocketTimeoutException)));
  }

  /* Thrown by Apache HttpClient itself (its pool's lease future), not passed through it. */
  private static boolean fromApache(Throwable t) {
    StackTraceElement[] trace = t.getStackTrace();
    return trace.length > 0 && trace[0].getClassName().startsWith("org.apache.hc.");
  }

  public static OperationTimeoutException exceeded(Deadline deadline) {
    return deadline.exceeded();
  }

  /*
   * A socket channel (the sync transport's sockets are channels, so that an interrupt releases
   * them) reports ECONNRESET and EPIPE as a plain IOException, not a SocketException as a
   * classic socket does: without this, a server that reset the connection (or died) while the
   * request body was being written failed with the catch-all HttpIOException instead of
   * ConnectionResetException (PeerResetMidUploadTest; seen first in ServerProcessFaultTest).
   */
  /**
   * Whether a write failed because the peer reset or closed the connection: a {@link
   * SocketException} other than a failure to connect, or a reset or broken pipe as a socket
   * channel reports it. Both transports ask it before reading an answer that may have come
   * before the reset (an early {@code 413}).
   */
  public static boolean isWriteReset(IOException io) {
    return (io instanceof SocketException && !(io instanceof java.net.ConnectException))
        || isChannelReset(io);
  }

  /*
   * Whether {@code io} is a connection reset or a broken pipe as a socket channel reports it (a
   * plain IOException, where a socket stream throws a SocketException).
   */
  private static boolean isChannelReset(IOException io) {
    String message = io.getMessage();
    return io.getClass() == IOException.class
        && ("Connection reset by peer".equals(message) || "Broken pipe".equals(message)
            || "Connection reset".equals(message));
  }

  private static boolean mentions(Throwable t, String word) {
    String m = t.getMessage();
    return m != null && m.toLowerCase(Locale.ROOT).contains(word);
  }

  private static String describe(IOException io) {
    String m = io.getMessage();
    return m == null || m.isBlank() ? io.getClass().getSimpleName()
        : io.getClass().getSimpleName() + ": " + m;
  }

  public static String peer(URI uri) {
    int port = uri.getPort();
    if (port < 0) {
      port = "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }
    return uri.getHost() + ":" + port;
  }

  public static String human(Duration d) {
    if (d.getSeconds() >= 1_000_000_000L) {
      return d.getSeconds() + " s"; // toMillis() would overflow for the longest
    }
    if (d.toMillis() % 1000 == 0) {
      return d.toSeconds() + " s";
    }
    return d.toMillis() + " ms";
  }

  /** Carries a failure of our own (a body source's) through Apache's IOException channel. */
  public static final class WrappedFailure extends IOException {
    private static final long serialVersionUID = 1L;

    public WrappedFailure(RuntimeException failure) {
      super(failure.getMessage(), failure);
    }
  }
}
