package io.ambidex.http.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hc.client5.http.HttpRoute;
import org.apache.hc.client5.http.impl.ConnectionShutdownException;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManager;
import org.apache.hc.client5.http.impl.nio.PoolingAsyncClientConnectionManagerBuilder;
import org.apache.hc.client5.http.nio.AsyncConnectionEndpoint;
import org.apache.hc.core5.concurrent.FutureCallback;
import org.apache.hc.core5.http.HttpHost;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout.ThreadMode;

/**
 * A pool slot handed to Apache's exchange is never stranded by an exception out of the hand-off.
 *
 * <p>Found by {@code CancelSoakTest} under load (a connection still leased 30 s after the soak):
 * a cancel landed while the I/O thread was handing a freshly leased connection to its exchange.
 * The cancel closed the connection ({@link TrackingConnectionManager#abort}); Apache's chain,
 * between its "connected?" check and the request's execution, then threw {@code
 * ConnectionShutdownException} out of the lease callback, where nothing in Apache catches it
 * (httpclient5 5.6.4, {@code AsyncConnectExec} catches only checked exceptions there). The
 * exchange never ended and the slot stayed leased for good. The hand-off now reports such an
 * exception as the lease's failure, which fails the exchange and so releases the slot.
 */
@org.junit.jupiter.api.Timeout(value = 30, threadMode = ThreadMode.SEPARATE_THREAD)
class LeaseHandOffTest {

  @Test
  void aHandOffThatThrows_failsTheLease_andTheSlotComesBack() {
    PoolingAsyncClientConnectionManager pool =
        PoolingAsyncClientConnectionManagerBuilder.create()
            .setMaxConnTotal(1)
            .setMaxConnPerRoute(1)
            .build();
    TrackingConnectionManager manager = new TrackingConnectionManager(pool);
    try {
      HttpRoute route = new HttpRoute(new HttpHost("http", "127.0.0.1", 9));
      ConnectionShutdownException closedMeanwhile = new ConnectionShutdownException();
      List<AsyncConnectionEndpoint> handed = new ArrayList<>();
      AtomicReference<Exception> failure = new AtomicReference<>();
      // Stands for Apache's exchange: the hand-off throws, and a failure discards the endpoint,
      // as InternalHttpAsyncExecRuntime.discardEndpoint does.
      FutureCallback<AsyncConnectionEndpoint> exchange =
          new FutureCallback<>() {
            @Override
            public void completed(AsyncConnectionEndpoint endpoint) {
              handed.add(endpoint);
              throw closedMeanwhile;
            }

            @Override
            public void failed(Exception ex) {
              failure.set(ex);
              for (AsyncConnectionEndpoint e : handed) {
                e.close(CloseMode.IMMEDIATE);
                manager.release(e, null, TimeValue.ZERO_MILLISECONDS);
              }
            }

            @Override
            public void cancelled() {
              failure.set(new IllegalStateException("cancelled"));
            }
          };

      manager.lease("ex-1", route, null, Timeout.ofSeconds(5), exchange);

      assertThat(handed).hasSize(1);
      assertThat(failure.get()).as("what the exchange heard").isSameAs(closedMeanwhile);
      assertThat(pool.getTotalStats().getLeased()).as("slots still leased").isZero();
      assertThat(pool.getTotalStats().getPending()).isZero();
    } finally {
      manager.close(CloseMode.IMMEDIATE);
    }
  }
}
