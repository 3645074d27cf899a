package io.ambidex.http.internal;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.nio.AsyncClientConnectionManager;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.protocol.HttpContext;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.reactor.ConnectionInitiator;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/*
 * Remembers which pooled endpoint each exchange holds, so that a cancelled exchange can close its
 * connection directly. Cancelling Apache's exchange future alone is not enough: depending on the
 * phase the exchange is in when the cancel lands, its dependency may be a non-cancellable
 * placeholder (InternalHttpAsyncExecRuntime.execute on a fresh connection), and the connection then
 * stays leased until the read timeout. Closing the endpoint fails the exchange at once, and Apache
 * releases (discards) it.
 */
public final class TrackingConnectionManager implements AsyncClientConnectionManager {
  private final PoolingAsyncClientConnectionManager pool;
  private final ConcurrentHashMap<String, AsyncConnectionEndpoint> byExchange =
      new ConcurrentHashMap<>();

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

  @Override
  public Future<AsyncConnectionEndpoint> lease(
      String id,
      HttpRoute route,
      Object state,
      Timeout requestTimeout,
      FutureCallback<AsyncConnectionEndpoint> callback) {
    return pool.lease(
        id,
        route,
        state,
        requestTimeout,
        new FutureCallback<>() {
          @Override
          public void completed(AsyncConnectionEndpoint endpoint) {
            byExchange.put(id, endpoint);
            if (callback != null) {
              callback.completed(endpoint);
            }
          }

          @Override
          public void failed(Exception ex) {
            if (callback != null) {
              callback.failed(ex);
            }
          }

          @Override
          public void cancelled() {
            if (callback != null) {
              callback.cancelled();
            }
          }
        });
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
    return pool.connect(endpoint, connectionInitiator, connectTimeout, attachment, context, callback);
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

  @Override
  public void close(CloseMode closeMode) {
    pool.close(closeMode);
  }

  @Override
  public void close() {
    pool.close();
  }
}
