package io.ambidex.http;

import io.ambidex.control.AsyncRuntime;
import io.ambidex.BlockingWait;
import io.ambidex.CallFuture;
import io.ambidex.control.CoreRuntime;
import io.ambidex.Immediate;
import io.ambidex.control.RetryPolicy;
import io.ambidex.control.SyncRuntime;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;

/**
 * One configuration of the stack under test: the blocking path (SyncHttpTransport + SyncRuntime,
 * results read with Immediate) or the async path (AsyncHttpTransport + AsyncRuntime, results
 * handed out as a CallFuture and waited for with BlockingWait). Test bodies are written once
 * against it.
 */
final class Fixture implements AutoCloseable {
  enum Kind {
    SYNC,
    ASYNC
  }

  static final RetryPolicy FAST_RETRIES =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(Duration.ofMillis(1))
          .jitter(RetryPolicy.Jitter.NONE)
          .build();

  final Kind kind;
  final HttpTransport transport;
  final CoreRuntime runtime;
  final RequestClient client;

  private Fixture(Kind kind, HttpTransport transport, CoreRuntime runtime, RequestClient client) {
    this.kind = kind;
    this.transport = transport;
    this.runtime = runtime;
    this.client = client;
  }

  static Fixture create(Kind kind) {
    return create(kind, Duration.ofSeconds(10), 4, b -> {});
  }

  static Fixture create(Kind kind, Consumer<RequestClient.Builder> config) {
    return create(kind, Duration.ofSeconds(10), 4, config);
  }

  static Fixture create(
      Kind kind, Duration readTimeout, int maxConnections, Consumer<RequestClient.Builder> config) {
    return create(kind, readTimeout, maxConnections, config, r -> r);
  }

  static Fixture create(
      Kind kind,
      Duration readTimeout,
      int maxConnections,
      Consumer<RequestClient.Builder> config,
      UnaryOperator<CoreRuntime> wrapRuntime) {
    return create(kind, Duration.ofSeconds(5), readTimeout, maxConnections, config, wrapRuntime);
  }

  static Fixture create(
      Kind kind,
      Duration connectTimeout,
      Duration readTimeout,
      int maxConnections,
      Consumer<RequestClient.Builder> config,
      UnaryOperator<CoreRuntime> wrapRuntime) {
    return create(kind, connectTimeout, readTimeout, maxConnections, config, wrapRuntime, null);
  }

  /** With {@code tls} the transport trusts what it trusts (a test CA), else the JDK's default. */
  static Fixture create(
      Kind kind,
      Duration connectTimeout,
      Duration readTimeout,
      int maxConnections,
      Consumer<RequestClient.Builder> config,
      UnaryOperator<CoreRuntime> wrapRuntime,
      javax.net.ssl.@org.jspecify.annotations.Nullable SSLContext tls) {
    HttpTransport transport;
    if (kind == Kind.SYNC) {
      SyncHttpTransport.Builder b =
          SyncHttpTransport.builder()
              .readTimeout(readTimeout)
              .connectTimeout(connectTimeout)
              .maxConnections(maxConnections);
      if (tls != null) {
        b.sslContext(tls);
      }
      transport = b.build();
    } else {
      AsyncHttpTransport.Builder b =
          AsyncHttpTransport.builder()
              .readTimeout(readTimeout)
              .connectTimeout(connectTimeout)
              .maxConnections(maxConnections)
              .ioThreads(1);
      if (tls != null) {
        b.sslContext(tls);
      }
      transport = b.build();
    }
    CoreRuntime runtime =
        wrapRuntime.apply(kind == Kind.SYNC ? SyncRuntime.create() : AsyncRuntime.create());
    RequestClient.Builder b = RequestClient.builder(transport, runtime).retryPolicy(FAST_RETRIES);
    config.accept(b);
    return new Fixture(kind, transport, runtime, b.build());
  }

  /** Reads a stage the way the facade of this path would. */
  <T> T await(CompletionStage<T> stage) {
    if (kind == Kind.SYNC) {
      return Immediate.get(stage, "test call");
    }
    return BlockingWait.get(CallFuture.of("test call", stage), "test call", Duration.ofSeconds(60));
  }

  int leased() {
    return transport instanceof SyncHttpTransport s
        ? s.leasedConnections()
        : ((AsyncHttpTransport) transport).leasedConnections();
  }

  /** The requests waiting for a pool slot. */
  int pending() {
    return transport instanceof SyncHttpTransport s
        ? s.pendingLeases()
        : ((AsyncHttpTransport) transport).pendingLeases();
  }

  @Override
  public void close() {
    BlockingWait.get(client.close(), "close transport", Duration.ofSeconds(30));
    BlockingWait.get(runtime.close(), "close runtime", Duration.ofSeconds(30));
  }

  @Override
  public String toString() {
    return kind.toString();
  }
}
