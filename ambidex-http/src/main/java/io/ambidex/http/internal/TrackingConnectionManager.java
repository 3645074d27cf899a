package io.ambidex.http.internal;

import java.io.IOException;
import java.net.StandardSocketOptions;
import java.nio.channels.NetworkChannel;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.Set;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.nio.AsyncClientConnectionManager;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.ConnectionClosedException;
import org.apache.hc.core5.http.ConnectionRequestTimeoutException;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.ConnectionInitiator;
import org.apache.hc.core5.reactor.IOSession;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/*
 * Remembers which pooled endpoint each exchange holds, so that a cancelled exchange can close its
 * connection directly. Cancelling Apache's exchange future alone is not enough: depending on the
 * phase the exchange is in when the cancel lands, its dependency may be a non-cancellable
 * placeholder (InternalHttpAsyncExecRuntime.execute on a fresh connection), and the connection then
 * stays leased until the read timeout. Closing the endpoint fails the exchange at once, and Apache
 * releases (discards) it. The close can land while the I/O thread is handing that endpoint to its
 * exchange; Apache's chain then throws out of the hand-off, which is therefore caught and turned
 * into the lease's failure (Lease.completed; ARCHITECTURE.md choice 271).
 *
 * It also ends the wait for a pool slot itself, in the two cases where Apache's async pool does
 * not (found by exploratory testing, ARCHITECTURE.md choice 184): the pool checks a lease's
 * request timeout only when a connection is leased or released, so a waiter behind a connection
 * held for long waited until the holder let go (and then failed with "-44258 MILLISECONDS
 * overdue"); and its close() drops the waiters without completing them, so a request waiting for a
 * slot when the transport was closed never ended. Here a timer fails the lease with
 * ConnectionRequestTimeoutException when the request timeout passes, and close() fails every lease
 * still waiting; whichever outcome comes first wins, and an endpoint leased after that goes back
 * to the pool.
 */
public final class TrackingConnectionManager implements AsyncClientConnectionManager {
  private static final class Timer {
    static final ScheduledThreadPoolExecutor INSTANCE = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor t =
          new ScheduledThreadPoolExecutor(
              1, r -> Thread.ofPlatform().name("ambidex-http-pool-wait").daemon(true).unstarted(r));
      t.setRemoveOnCancelPolicy(true);
      return t;
    }
  }

  private final PoolingAsyncClientConnectionManager pool;
  private final ConcurrentHashMap<String, AsyncConnectionEndpoint> byExchange =
      new ConcurrentHashMap<>();
  private final Set<Lease> waiting = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  public TrackingConnectionManager(PoolingAsyncClientConnectionManager pool) {
    this.pool = pool;
  }

  /** Closes the connection held by exchange {@code id}, if any. */
  public void abort(@Nullable String id) {
    if (id == null) {
      return;
    }
    AsyncConnectionEndpoint endpoint = byExchange.remove(id);
    if (endpoint != null) {
      endpoint.close(CloseMode.IMMEDIATE);
    }
  }

  /**
   * Sets the socket timeout of the connection held by exchange {@code id}, if any: the longest
   * silence before the exchange fails with a read timeout, {@link Timeout#DISABLED} for none.
   */
  public void socketTimeout(@Nullable String id, Timeout timeout) {
    AsyncConnectionEndpoint endpoint = id == null ? null : byExchange.get(id);
    if (endpoint != null) {
      endpoint.setSocketTimeout(timeout);
    }
  }

  @Override
  public Future<AsyncConnectionEndpoint> lease(
      String id,
      HttpRoute route,
      Object state,
      Timeout requestTimeout,
      FutureCallback<AsyncConnectionEndpoint> callback) {
    Lease lease = new Lease(id, requestTimeout, callback);
    waiting.add(lease);
    Future<AsyncConnectionEndpoint> future = pool.lease(id, route, state, requestTimeout, lease);
    lease.started(future);
    if (closed) {
      lease.fail(new ConnectionClosedException("The connection pool was closed"));
    }
    return future;
  }

  /*
   * One wait for a pool slot: passes the pool's outcome on to Apache's callback once, unless the
   * timer or close() has failed it first; an endpoint that arrives after that is released.
   */
  private final class Lease implements FutureCallback<AsyncConnectionEndpoint> {
    private final String id;
    private final Timeout requestTimeout;
    private final @Nullable FutureCallback<AsyncConnectionEndpoint> next;
    private final AtomicBoolean settled = new AtomicBoolean();
    private volatile @Nullable Future<AsyncConnectionEndpoint> future;
    private volatile @Nullable ScheduledFuture<?> timer;

    Lease(
        String id, Timeout requestTimeout, @Nullable FutureCallback<AsyncConnectionEndpoint> next) {
      this.id = id;
      this.requestTimeout = requestTimeout;
      this.next = next;
    }

    void started(Future<AsyncConnectionEndpoint> f) {
      future = f;
      if (settled.get() || requestTimeout == null || !requestTimeout.isEnabled()) {
        return;
      }
      timer =
          Timer.INSTANCE.schedule(
              () ->
                  fail(
                      new ConnectionRequestTimeoutException(
                          "No connection became free in the pool within " + requestTimeout)),
              requestTimeout.toMilliseconds(),
              TimeUnit.MILLISECONDS);
      if (settled.get()) {
        stopTimer();
      }
    }

    /* Fails the wait, if it has not ended yet, and gives up the pool's lease. */
    void fail(Exception e) {
      if (!settle()) {
        return;
      }
      Future<AsyncConnectionEndpoint> f = future;
      if (f != null) {
        f.cancel(false);
      }
      if (next != null) {
        next.failed(e);
      }
    }

    private boolean settle() {
      if (!settled.compareAndSet(false, true)) {
        return false;
      }
      waiting.remove(this);
      stopTimer();
      return true;
    }

    private void stopTimer() {
      ScheduledFuture<?> t = timer;
      if (t != null) {
        t.cancel(false);
      }
    }

    @Override
    public void completed(AsyncConnectionEndpoint endpoint) {
      if (!settle()) {
        pool.release(endpoint, null, TimeValue.ZERO_MILLISECONDS); // nobody waits for it now
        return;
      }
      byExchange.put(id, endpoint);
      if (next != null) {
        try {
          next.completed(endpoint);
        } catch (RuntimeException e) {
          // Apache's chain runs on from here up to the request's execution, and lets an
          // unchecked exception out (AsyncConnectExec catches only checked ones): a cancel whose
          // abort closed this endpoint in the meantime makes it throw ConnectionShutdownException.
          // Uncaught, the exchange would never end and the slot stay leased for good; as the
          // lease's failure, it fails the exchange, which discards the endpoint.
          next.failed(e);
        }
      }
    }

    @Override
    public void failed(Exception ex) {
      if (settle() && next != null) {
        next.failed(ex);
      }
    }

    @Override
    public void cancelled() {
      if (settle() && next != null) {
        next.cancelled();
      }
    }
  }

  @Override
  public void release(AsyncConnectionEndpoint endpoint, Object newState, TimeValue validDuration) {
    byExchange.values().remove(endpoint);
    pool.release(endpoint, newState, validDuration);
  }

  @Override
  public Future<AsyncConnectionEndpoint> connect(
      AsyncConnectionEndpoint endpoint,
      ConnectionInitiator connectionInitiator,
      Timeout connectTimeout,
      Object attachment,
      HttpContext context,
      FutureCallback<AsyncConnectionEndpoint> callback) {
    return pool.connect(
        endpoint, noDelay(connectionInitiator), connectTimeout, attachment, context, callback);
  }

  @Override
  public void upgrade(AsyncConnectionEndpoint endpoint, Object attachment, HttpContext context) {
    pool.upgrade(endpoint, attachment, context);
  }

  @Override
  public void upgrade(
      AsyncConnectionEndpoint endpoint,
      Object attachment,
      HttpContext context,
      FutureCallback<AsyncConnectionEndpoint> callback) {
    pool.upgrade(endpoint, attachment, context, callback);
  }

  /**
   * Closes the pool, and fails every request still waiting for a slot (Apache's pool drops them
   * without a word).
   */
  @Override
  public void close(CloseMode closeMode) {
    closed = true;
    pool.close(closeMode);
    for (Lease lease : waiting) {
      lease.fail(new ConnectionClosedException("The connection pool was closed"));
    }
  }

  @Override
  public void close() {
    close(CloseMode.GRACEFUL);
  }

  /**
   * Returns an initiator whose connections send small writes at once ({@code TCP_NODELAY}) and
   * keep alive ({@code SO_KEEPALIVE}), set when the connection is established. Apache's reactor
   * is meant to set both from its configuration, but httpcore5 5.4 checked for a remote address
   * before connecting and so set neither on client connections: every request whose body went out
   * in a second write (an upload from a file) then waited for the server's delayed ACK, about
   * 40 ms each (10,000 small uploads through the async client took three times as long as
   * through the blocking one). httpcore5 5.4.3 fixed it; this keeps it fixed whatever version
   * the class path brings.
   */
  static ConnectionInitiator noDelay(ConnectionInitiator initiator) {
    return (remote, remoteAddress, localAddress, timeout, attachment, callback) ->
        initiator.connect(
            remote,
            remoteAddress,
            localAddress,
            timeout,
            attachment,
            first(TrackingConnectionManager::noDelayOn, callback));
  }

  private static void noDelayOn(IOSession session) {
    if (session.channel() instanceof NetworkChannel channel) {
      try {
        if (channel.supportedOptions().contains(StandardSocketOptions.TCP_NODELAY)) {
          channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
          channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
        }
      } catch (IOException | RuntimeException e) {
        // A channel closed in the meantime: the exchange on it fails on its own.
      }
    }
  }

  /** A callback that runs {@code action} on success, then tells {@code next} (which may be null). */
  private static <T> FutureCallback<T> first(
      java.util.function.Consumer<T> action, @Nullable FutureCallback<T> next) {
    return new FutureCallback<>() {
      @Override
      public void completed(T result) {
        action.accept(result);
        if (next != null) {
          next.completed(result);
        }
      }

      @Override
      public void failed(Exception ex) {
        if (next != null) {
          next.failed(ex);
        }
      }

      @Override
      public void cancelled() {
        if (next != null) {
          next.cancelled();
        }
      }
    };
  }
}
