package io.ambidex.http.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.hc.client5.http.ssl.TlsSocketStrategy;
import org.apache.hc.core5.http.nio.ssl.TlsStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class LazyTlsTest {
  private static final org.apache.hc.core5.http.HttpHost HOST =
      new org.apache.hc.core5.http.HttpHost("https", "example.com", 443);

  @Test
  void socket_buildsNothingUntilTheFirstUpgrade_thenOnce_acrossThreads() throws Exception {
    AtomicInteger built = new AtomicInteger();
    AtomicInteger upgrades = new AtomicInteger();
    TlsSocketStrategy lazy =
        LazyTls.socket(
            () -> {
              built.incrementAndGet();
              return (socket, target, port, attachment, context) -> {
                upgrades.incrementAndGet();
                return null;
              };
            });
    assertThat(built).as("built by the transport's construction").hasValue(0);

    int threads = 8;
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> started = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      started.add(
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      go.await();
                      lazy.upgrade(null, "example.com", 443, null, null);
                    } catch (InterruptedException | IOException e) {
                      throw new AssertionError(e);
                    }
                  }));
    }
    go.countDown();
    for (Thread t : started) {
      assertThat(t.join(java.time.Duration.ofSeconds(10))).isTrue();
    }
    assertThat(built).as("one build for all first connections").hasValue(1);
    assertThat(upgrades).hasValue(threads);
  }

  @Test
  void async_buildsOnFirstUpgrade_andAFailedBuildIsRetriedNextTime() {
    AtomicInteger attempts = new AtomicInteger();
    AtomicInteger upgrades = new AtomicInteger();
    TlsStrategy lazy =
        LazyTls.async(
            () -> {
              if (attempts.incrementAndGet() == 1) {
                throw new IllegalStateException("no trust store");
              }
              return new TlsStrategy() {
                @Override
                @SuppressWarnings("deprecation")
                public boolean upgrade(
                    org.apache.hc.core5.reactor.ssl.TransportSecurityLayer session,
                    org.apache.hc.core5.http.HttpHost host,
                    java.net.SocketAddress local,
                    java.net.SocketAddress remote,
                    Object attachment,
                    org.apache.hc.core5.util.Timeout timeout) {
                  upgrades.incrementAndGet();
                  return true;
                }
              };
            });
    assertThat(attempts).hasValue(0);
    assertThatThrownBy(
            () -> lazy.upgrade(null, HOST, null, org.apache.hc.core5.util.Timeout.ofSeconds(1), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("no trust store");
    lazy.upgrade(null, HOST, null, org.apache.hc.core5.util.Timeout.ofSeconds(1), null);
    assertThat(attempts).hasValue(2);
    assertThat(upgrades).as("the default upgrade delegates to the deprecated one").hasValue(1);
  }
}
