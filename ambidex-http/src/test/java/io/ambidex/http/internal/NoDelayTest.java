package io.ambidex.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.reactor.ConnectionInitiator;
import org.apache.hc.core5.reactor.IOSession;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * The async transport's connections get TCP_NODELAY whatever Apache's reactor does: without it an
 * upload whose body leaves in a second write waits for the server's delayed ACK (about 40 ms per
 * request; httpcore5 5.4 never set the option on client connections).
 */
@org.junit.jupiter.api.Timeout(value = 30, threadMode = ThreadMode.SEPARATE_THREAD)
class NoDelayTest {

  @Test
  void anEstablishedConnection_getsNoDelayAndKeepAlive_andTheCallerHearsOfIt() throws Exception {
    try (ServerSocketChannel server = ServerSocketChannel.open();
        SocketChannel client = SocketChannel.open()) {
      server.bind(new InetSocketAddress("127.0.0.1", 0));
      client.connect(server.getLocalAddress());
      client.setOption(StandardSocketOptions.TCP_NODELAY, false); // as httpcore5 5.4 left it
      client.setOption(StandardSocketOptions.SO_KEEPALIVE, false);
      IOSession session = session(client);
      ConnectionInitiator reactor =
          (remote, remoteAddress, localAddress, timeout, attachment, callback) -> {
            callback.completed(session);
            return CompletableFuture.completedFuture(session);
          };

      AtomicReference<IOSession> heard = new AtomicReference<>();
      TrackingConnectionManager.noDelay(reactor)
          .connect(null, server.getLocalAddress(), null, Timeout.ofSeconds(1), null, callback(heard));

      assertThat(client.getOption(StandardSocketOptions.TCP_NODELAY)).isTrue();
      assertThat(client.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
      assertThat(heard.get()).isSameAs(session);
    }
  }

  @Test
  void failuresAndCancellations_reachTheCaller_unchanged() {
    Exception refused = new java.net.ConnectException("refused");
    AtomicReference<Object> heard = new AtomicReference<>();
    FutureCallback<IOSession> caller =
        new FutureCallback<>() {
          @Override
          public void completed(IOSession result) {
            heard.set(result);
          }

          @Override
          public void failed(Exception ex) {
            heard.set(ex);
          }

          @Override
          public void cancelled() {
            heard.set("cancelled");
          }
        };
    TrackingConnectionManager.noDelay(
            (remote, remoteAddress, localAddress, timeout, attachment, callback) -> {
              callback.failed(refused);
              return CompletableFuture.failedFuture(refused);
            })
        .connect(null, null, null, Timeout.ofSeconds(1), null, caller);
    assertThat(heard.get()).isSameAs(refused);
    TrackingConnectionManager.noDelay(
            (remote, remoteAddress, localAddress, timeout, attachment, callback) -> {
              callback.cancelled();
              return new CompletableFuture<>();
            })
        .connect(null, null, null, Timeout.ofSeconds(1), null, caller);
    assertThat(heard.get()).isEqualTo("cancelled");
  }

  private static FutureCallback<IOSession> callback(AtomicReference<IOSession> heard) {
    return new FutureCallback<>() {
      @Override
      public void completed(IOSession result) {
        heard.set(result);
      }

      @Override
      public void failed(Exception ex) {}

      @Override
      public void cancelled() {}
    };
  }

  /* An IOSession that is only its channel: all the wrapper may touch. */
  private static IOSession session(SocketChannel channel) {
    return (IOSession)
        Proxy.newProxyInstance(
            IOSession.class.getClassLoader(),
            new Class<?>[] {IOSession.class},
            (proxy, method, args) -> {
              if (method.getName().equals("channel")) {
                return channel;
              }
              throw new UnsupportedOperationException(method.getName());
            });
  }
}
