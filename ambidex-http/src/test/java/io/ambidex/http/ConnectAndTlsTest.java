package io.ambidex.http;

import io.ambidex.http.error.ConnectTimeoutException;
import io.ambidex.http.error.TlsException;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.control.AsyncRuntime;
import io.ambidex.BlockingWait;
import io.ambidex.CallFuture;
import io.ambidex.control.CoreRuntime;
import io.ambidex.Immediate;
import io.ambidex.control.RetryPolicy;
import io.ambidex.control.SyncRuntime;
import io.ambidex.http.Fixture.Kind;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.net.ServerSocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Protocol;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Connect timeouts and TLS on both transports, alone and under the request client: a connect that
 * really times out (a listening socket whose accept queue is full, so the kernel drops the SYNs)
 * fails with {@link ConnectTimeoutException} and is retried; a certificate the client does not
 * trust fails with {@link TlsException} and is not; a trusted one, passed with the builders'
 * {@code sslContext}, works.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ConnectAndTlsTest {
  /** A CA, and a server certificate it signed for localhost and 127.0.0.1. */
  static final HeldCertificate ROOT =
      new HeldCertificate.Builder().certificateAuthority(0).commonName("ambidex test CA").build();

  static final HeldCertificate SERVER =
      new HeldCertificate.Builder()
          .signedBy(ROOT)
          .commonName("localhost")
          .addSubjectAlternativeName("localhost")
          .addSubjectAlternativeName("127.0.0.1")
          .build();

  private final List<AutoCloseable> resources = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable r : resources.reversed()) {
      r.close();
    }
  }

  // ---- connect timeout ----

  @ParameterizedTest
  @EnumSource(Kind.class)
  void connectTimeout_transportAlone_failsWithConnectTimeoutException(Kind kind) throws Exception {
    FullAcceptQueue full = track(new FullAcceptQueue());
    Stack stack = stack(kind, RetryPolicy.none(), null, b -> {}, SHORT_CONNECT);

    HttpRequest get = HttpRequest.newBuilder(full.uri()).build();
    assertThatThrownBy(() -> stack.await(stack.transport.send(get)))
        .isInstanceOf(ConnectTimeoutException.class)
        .hasMessageContaining("within the connect timeout of 300 ms")
        .hasMessageContaining("Nothing was sent")
        .satisfies(e -> assertIsAConnectTimeout(e));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void connectTimeout_requestClient_isRetriedPerPolicy_thenTyped(Kind kind) throws Exception {
    FullAcceptQueue full = track(new FullAcceptQueue());
    AtomicInteger attempts = new AtomicInteger();
    Stack stack =
        stack(
            kind,
            RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ofMillis(1)).build(),
            null,
            b -> b.interceptor(RequestInterceptor.of(r -> {
              attempts.incrementAndGet();
              return r;
            })),
            SHORT_CONNECT);

    // A POST: nothing was sent, so even a request that is not idempotent is retried.
    HttpRequest post = HttpRequest.newBuilder(full.uri()).POST(RequestBody.of("x")).build();
    assertThatThrownBy(() -> stack.await(stack.client.send(post, text())))
        .isInstanceOf(ConnectTimeoutException.class)
        .satisfies(e -> assertIsAConnectTimeout(e))
        .satisfies(e -> assertThat(earlierAttempts(e))
            .hasSize(2)
            .allSatisfy(s -> assertThat(s).isInstanceOf(ConnectTimeoutException.class)));
    assertThat(attempts).hasValue(3);
  }

  /** The failures of earlier attempts, which the request client attaches as suppressed. */
  static List<Throwable> earlierAttempts(Throwable e) {
    return java.util.Arrays.stream(e.getSuppressed())
        .filter(s -> !(s instanceof io.ambidex.CallerStackTrace))
        .toList();
  }

  /** The failure is a timeout of the connect itself, not a refusal dressed up as one. */
  private static void assertIsAConnectTimeout(Throwable e) {
    List<Throwable> chain = new ArrayList<>();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      chain.add(t);
    }
    assertThat(chain)
        .as("cause chain of %s", e)
        .isNotEmpty()
        .noneMatch(t -> t instanceof ConnectException)
        .anyMatch(
            t -> t instanceof SocketTimeoutException
                || t instanceof org.apache.hc.client5.http.ConnectTimeoutException);
  }

  // ---- TLS ----

  @ParameterizedTest
  @EnumSource(Kind.class)
  void untrustedCertificate_failsWithTlsException_causeKept_notRetried(Kind kind)
      throws Exception {
    CountingServer https = track(new CountingServer(SERVER));
    Stack stack =
        stack(kind, RetryPolicy.builder().maxAttempts(3).initialDelay(Duration.ofMillis(1)).build(),
            null);

    HttpRequest get = HttpRequest.newBuilder(https.uri("/secret")).build();
    assertThatThrownBy(() -> stack.await(stack.client.send(get, text())))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("TLS handshake with")
        .hasMessageContaining("trust store")
        .satisfies(e -> assertThat(earlierAttempts(e)).isEmpty())
        .cause()
        .isInstanceOf(SSLException.class);
    assertThat(https.accepted).as("connections accepted: one attempt only").hasValue(1);
    assertThat(https.server.getRequestCount()).as("HTTP requests that got through").isZero();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void trustedCertificate_viaSslContext_works(Kind kind) throws Exception {
    CountingServer https = track(new CountingServer(SERVER));
    https.server.enqueue(new MockResponse.Builder().code(200).body("over tls").build());
    Stack stack = stack(kind, RetryPolicy.none(), trusting(ROOT));

    HttpRequest get = HttpRequest.newBuilder(https.uri("/hello")).build();
    assertThat(stack.await(stack.client.send(get, text()))).isEqualTo("over tls");
    assertThat(https.server.takeRequest(5, TimeUnit.SECONDS)).isNotNull();
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void trustedCertificate_forAnotherHost_failsWithTlsException(Kind kind) throws Exception {
    HeldCertificate elsewhere =
        new HeldCertificate.Builder()
            .signedBy(ROOT)
            .commonName("elsewhere.invalid")
            .addSubjectAlternativeName("elsewhere.invalid")
            .build();
    CountingServer https = track(new CountingServer(elsewhere));
    // Were the host name not checked, this answer would be read as a success.
    https.server.enqueue(new MockResponse.Builder().code(200).body("from an impostor").build());
    Stack stack = stack(kind, RetryPolicy.none(), trusting(ROOT));

    HttpRequest get = HttpRequest.newBuilder(https.uri("/x")).build();
    assertThatThrownBy(() -> stack.await(stack.client.send(get, text())))
        .isInstanceOf(TlsException.class)
        .hasMessageContaining("host name")
        .cause()
        .isInstanceOf(SSLException.class);
  }

  // ---- fixtures ----

  static SSLContext trusting(HeldCertificate root) {
    return new HandshakeCertificates.Builder()
        .addTrustedCertificate(root.certificate())
        .build()
        .sslContext();
  }

  private static Function<HttpResponse, CompletionStage<String>> text() {
    return r -> r.body().readString(1 << 20);
  }

  private <T extends AutoCloseable> T track(T resource) {
    resources.add(resource);
    return resource;
  }

  /*
   * The connect-timeout tests connect to a full accept queue, so a short timeout fires for sure;
   * every other test gets a long one: 300 ms for a TLS handshake failed once on a loaded machine
   * (ConnectTimeoutException instead of TlsException, load average above 13 beside two busy loops).
   */
  private static final Duration SHORT_CONNECT = Duration.ofMillis(300);
  private static final Duration CONNECT = Duration.ofSeconds(10);

  private Stack stack(Kind kind, RetryPolicy retries, @Nullable SSLContext ssl) {
    return stack(kind, retries, ssl, b -> {}, CONNECT);
  }

  private Stack stack(
      Kind kind,
      RetryPolicy retries,
      @Nullable SSLContext ssl,
      java.util.function.Consumer<RequestClient.Builder> config,
      Duration connect) {
    HttpTransport transport;
    if (kind == Kind.SYNC) {
      SyncHttpTransport.Builder b =
          SyncHttpTransport.builder().connectTimeout(connect).readTimeout(Duration.ofSeconds(10));
      if (ssl != null) {
        b.sslContext(ssl);
      }
      transport = b.build();
    } else {
      AsyncHttpTransport.Builder b =
          AsyncHttpTransport.builder()
              .connectTimeout(connect)
              .readTimeout(Duration.ofSeconds(10))
              .ioThreads(1);
      if (ssl != null) {
        b.sslContext(ssl);
      }
      transport = b.build();
    }
    CoreRuntime runtime = kind == Kind.SYNC ? SyncRuntime.create() : AsyncRuntime.create();
    RequestClient.Builder b = RequestClient.builder(transport, runtime).retryPolicy(retries);
    config.accept(b);
    return track(new Stack(kind, transport, runtime, b.build()));
  }

  /** A transport, its runtime and a request client over them, read as the facade would. */
  record Stack(Kind kind, HttpTransport transport, CoreRuntime runtime, RequestClient client)
      implements AutoCloseable {
    <T> T await(CompletionStage<T> stage) {
      if (kind == Kind.SYNC) {
        return Immediate.get(stage, "test call");
      }
      return BlockingWait.get(CallFuture.of("test call", stage), "test call", Duration.ofSeconds(30));
    }

    @Override
    public void close() {
      BlockingWait.get(client.close(), "close transport", Duration.ofSeconds(30));
      BlockingWait.get(runtime.close(), "close runtime", Duration.ofSeconds(30));
    }
  }

  /**
   * A socket that listens on 127.0.0.1 with a backlog of 1 and never accepts, its accept queue
   * filled with connections of ours. Linux then drops further SYNs (it neither completes nor
   * refuses them), so a connect to it times out. The constructor checks that it does.
   */
  static final class FullAcceptQueue implements AutoCloseable {
    final ServerSocket listener;
    final List<Socket> queued = new ArrayList<>();

    FullAcceptQueue() throws IOException {
      listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
      InetSocketAddress address = (InetSocketAddress) listener.getLocalSocketAddress();
      for (int i = 0; i < 16; i++) {
        Socket s = new Socket();
        try {
          s.connect(address, 200);
          queued.add(s);
        } catch (SocketTimeoutException full) {
          s.close();
          return; // the queue is full: connects now time out
        } catch (ConnectException refused) {
          s.close();
          close();
          throw new IllegalStateException(
              "a full accept queue refused the connection instead of dropping it"
                  + " (net.ipv4.tcp_abort_on_overflow=1?)", refused);
        }
      }
      close();
      throw new IllegalStateException("16 connections did not fill an accept queue of 1");
    }

    URI uri() {
      return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/slow");
    }

    @Override
    public void close() throws IOException {
      for (Socket s : queued) {
        s.close();
      }
      listener.close();
    }
  }

  /** MockWebServer over TLS with the given certificate, counting the connections it accepts. */
  static final class CountingServer implements AutoCloseable {
    final MockWebServer server = new MockWebServer();
    final AtomicInteger accepted = new AtomicInteger();

    CountingServer(HeldCertificate certificate) throws IOException {
      server.setServerSocketFactory(
          new ServerSocketFactory() {
            @Override
            public ServerSocket createServerSocket() throws IOException {
              return new ServerSocket() {
                @Override
                public Socket accept() throws IOException {
                  Socket s = super.accept();
                  accepted.incrementAndGet();
                  return s;
                }
              };
            }

            @Override
            public ServerSocket createServerSocket(int port) throws IOException {
              return createServerSocket(port, 50, null);
            }

            @Override
            public ServerSocket createServerSocket(int port, int backlog) throws IOException {
              return createServerSocket(port, backlog, null);
            }

            @Override
            public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
                throws IOException {
              ServerSocket s = createServerSocket();
              s.bind(new java.net.InetSocketAddress(address, port), backlog);
              return s;
            }
          });
      server.useHttps(
          new HandshakeCertificates.Builder().heldCertificate(certificate).build().sslSocketFactory());
      server.setProtocols(List.of(Protocol.HTTP_1_1));
      server.start(InetAddress.getLoopbackAddress(), 0);
    }

    URI uri(String path) {
      return URI.create("https://localhost:" + server.getPort() + path);
    }

    @Override
    public void close() {
      server.close();
    }
  }
}
