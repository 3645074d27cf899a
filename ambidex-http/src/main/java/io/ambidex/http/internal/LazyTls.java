package io.ambidex.http.internal;

import java.net.SocketAddress;
import java.util.Objects;
import java.util.function.Supplier;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.apache.hc.core5.net.NamedEndpoint;
import org.apache.hc.core5.reactor.ssl.TransportSecurityLayer;
import org.apache.hc.core5.util.Timeout;
import org.jspecify.annotations.Nullable;

/**
 * TLS strategies that build the JDK's default TLS context on the first {@code https} connection
 * instead of when the transport is built. Building it reads the JDK's trust store: about 80 ms of
 * a process's start (a third of a short command's own work in the {@code blob} tool), spent for
 * nothing by a client that only ever speaks plain HTTP to a local endpoint. Thread-safe: the first
 * connections race to one build. Not API.
 */
public final class LazyTls {
  private LazyTls() {}

  /**
   * Returns a blocking-socket strategy that builds its delegate on the first upgrade.
   *
   * @param make builds the real strategy; called at most once
   * @return the lazy strategy
   */
  public static TlsSocketStrategy socket(Supplier<? extends TlsSocketStrategy> make) {
    Once<TlsSocketStrategy> once = new Once<>(make);
    return (socket, target, port, attachment, context) ->
        once.get().upgrade(socket, target, port, attachment, context);
  }

  /**
   * Returns a non-blocking strategy that builds its delegate on the first upgrade.
   *
   * @param make builds the real strategy; called at most once
   * @return the lazy strategy
   */
  public static TlsStrategy async(Supplier<? extends TlsStrategy> make) {
    return new AsyncStrategy(new Once<>(make));
  }

  private static final class AsyncStrategy implements TlsStrategy {
    private final Once<TlsStrategy> once;

    AsyncStrategy(Once<TlsStrategy> once) {
      this.once = once;
    }

    @Override
    @SuppressWarnings("deprecation") // Apache's interface still declares it; it delegates
    public boolean upgrade(
        TransportSecurityLayer session,
        HttpHost host,
        SocketAddress localAddress,
        SocketAddress remoteAddress,
        Object attachment,
        Timeout handshakeTimeout) {
      return once.get()
          .upgrade(session, host, localAddress, remoteAddress, attachment, handshakeTimeout);
    }

    @Override
    public void upgrade(
        TransportSecurityLayer session,
        NamedEndpoint endpoint,
        Object attachment,
        Timeout handshakeTimeout,
        FutureCallback<TransportSecurityLayer> callback) {
      once.get().upgrade(session, endpoint, attachment, handshakeTimeout, callback);
    }
  }

  /** A value built on first use; a failed build is retried by the next use. */
  private static final class Once<T> {
    private final Supplier<? extends T> make;
    private volatile @Nullable T value;

    Once(Supplier<? extends T> make) {
      this.make = Objects.requireNonNull(make, "make");
    }

    T get() {
      T v = value;
      if (v == null) {
        synchronized (this) {
          v = value;
          if (v == null) {
            v = Objects.requireNonNull(make.get(), "the TLS strategy built");
            value = v;
          }
        }
      }
      return v;
    }
  }
}
