package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.http.error.ConnectFailedException;
import io.ambidex.http.error.ConnectionResetException;
import io.ambidex.http.error.ReadTimeoutException;
import io.ambidex.http.error.TruncatedBodyException;
import io.ambidex.control.AsyncCallback;
import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.control.CoreRuntime;
import io.ambidex.OperationTimeoutException;
import io.ambidex.control.RetryPolicy;
import io.ambidex.http.Fixture.Kind;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.zip.CRC32;
import mockwebserver3.MockResponse;
import mockwebserver3.MockResponseBody;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import okio.BufferedSink;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The request client and both transports against mockwebserver3: every test body runs on the
 * blocking path (SyncHttpTransport + SyncRuntime + Immediate) and on the async path
 * (AsyncHttpTransport + AsyncRuntime + CallFuture/BlockingWait).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestClientTest {
  private MockWebServer server;
  private @Nullable Fixture fixture;

  @BeforeEach
  void startServer() throws IOException {
    server = new MockWebServer();
    server.start();
  }

  @AfterEach
  void stop() {
    if (fixture != null) {
      // No test may leave a connection leased.
      Fixture f = fixture;
      await().atMost(Duration.ofSeconds(10)).until(() -> f.leased() == 0);
      f.close();
    }
    server.close();
  }

  private Fixture fixture(Kind kind) {
    return fixture = Fixture.create(kind);
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(server.url(path).uri());
  }

  private static Function<HttpResponse, CompletionStage<String>> text() {
    return r -> r.body().readString(1 << 20);
  }

  private static MockResponse ok(String body) {
    return new MockResponse.Builder().code(200).body(body).build();
  }

  private static MockResponse status(int code, String body) {
    return new MockResponse.Builder().code(code).body(body).build();
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(r).as("request received by the server").isNotNull();
    return r;
  }

  // ---- success and basics ----

  @ParameterizedTest
  @EnumSource(Kind.class)
  void send_ok_returnsStatusHeadersAndBody(Kind kind) throws Exception {
    Fixture f = fixture(kind);
    server.enqueue(new MockResponse.Builder().code(200).addHeader("X-Answer", "42").body("hello").build());

    HttpResponse response = f.await(f.client.send(request("/a").query("q", "a b/c").build()));
    String body = f.await(response.body().readString(100));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers().firstValue("x-answer")).hasValue("42");
    assertThat(body).isEqualTo("hello");
    RecordedRequest recorded = take();
    assertThat(recorded.getTarget()).isEqualTo("/a?q=a%20b%2Fc");
    assertThat(recorded.getHeaders().get("User-Agent")).isEqualTo("ambidex-http");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void head_hasNoBody_andReleasesTheConnection(Kind kind) throws Exception {
    Fixture f = fixture(kind);
    server.enqueue(new MockResponse.Builder().code(200).setHeader("Content-Length", 1234).build());

    HttpResponse response = f.await(f.client.send(request("/h").HEAD().build()));

    assertThat(response.headers().firstValueAsLong("content-length")).hasValue(1234);
    assertThat(f.await(response.body().readAllBytes(10))).isEmpty();
    assertThat(take().getMethod()).isEqualTo("HEAD");
  }

  // ---- retries ----

  @ParameterizedTest
  @EnumSource(Kind.class)
  void serverError_thenSuccess_isRetried(Kind kind) throws Exception {
    Fixture f = fixture(kind);
    server.enqueue(status(500, "boom"));
    server.enqueue(status(502, "bad gateway"));
    server.enqueue(ok("third time"));

    String body = f.await(f.client.send(request("/r").build(), text()));

    assertThat(body).isEqualTo("third time");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void serverError_everyAttempt_failsTyped_withSnippetAndEarlierAttempts(Kind kind) {
    Fixture f = fixture(kind);
    for (int i = 0; i < 3; i++) {
      server.enqueue(new MockResponse.Builder().code(503).addHeader("X-Req", i).body("overloaded " + i).build());
    }

    assertThatThrownBy(() -> f.await(f.client.send(request("/r").build(), text())))
        .isInstanceOfSatisfying(
            HttpServerErrorException.class,
            e -> {
              assertThat(e.status()).isEqualTo(503);
              assertThat(e.isThrottling()).isTrue();
              assertThat(e.bodySnippet()).isEqualTo("overloaded 2");
              assertThat(e.headers().firstValue("x-req")).hasValue("2");
              assertThat(e.getMessage()).contains("GET", "503", "throttling", "overloaded 2");
              assertThat(e.getSuppressed()).hasAtLeastOneElementOfType(HttpServerErrorException.class);
            });
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  /* The timeout ends the retries, and says why the attempts before it failed (both paths). */
  @ParameterizedTest
  @EnumSource(Kind.class)
  void totalTimeout_whileWaitingToRetry_reportsTheFailedAttemptWithTheTimeout(Kind kind) {
    RetryPolicy patient =
        RetryPolicy.builder()
            .maxAttempts(3)
            .initialDelay(Duration.ofSeconds(30))
            .jitter(RetryPolicy.Jitter.NONE)
            .build();
    fixture = Fixture.create(kind, b -> b.retryPolicy(patient));
    Fixture f = fixture;
    server.enqueue(status(503, "overloaded"));

    assertThatThrownBy(
            () ->
                f.await(
                    f.client.send(request("/busy").timeout(Duration.ofSeconds(2)).build(), text())))
        .isInstanceOf(OperationTimeoutException.class)
        .satisfies(
            timedOut ->
                assertThat(timedOut.getSuppressed())
                    .filteredOn(e -> !(e instanceof io.ambidex.CallerStackTrace))
                    .singleElement()
                    .isInstanceOfSatisfying(
                        HttpServerErrorException.class,
                        e -> assertThat(e.status()).isEqualTo(503)));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void tooManyRequests_honoursRetryAfter(Kind kind) {
    List<Duration> sleeps = new CopyOnWriteArrayList<>();
    fixture =
        Fixture.create(
            kind, Duration.ofSeconds(10), 4, b -> {}, runtime -> new RecordingSleeps(runtime, sleeps));
    Fixture f = fixture;
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "1").build());
    server.enqueue(ok("finally"));

    assertThat(f.await(f.client.send(request("/t").build(), text()))).isEqualTo("finally");
    // The policy's backoff is 1 ms; the server asked for 1 s, and that is what the client waited.
    assertThat(sleeps).containsExactly(Duration.ofSeconds(1));
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void retryPolicy_listenerAndDelayAdjuster_seeEveryRetry(Kind kind) {
    List<Duration> sleeps = new CopyOnWriteArrayList<>();
    List<String> heard = new CopyOnWriteArrayList<>();
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(3)
            .initialDelay(Duration.ofMillis(1))
            .jitter(RetryPolicy.Jitter.NONE)
            .adjustDelay((failure, backoff) -> backoff.plusMillis(7))
            .listener(
                (attempt, failure, delay) ->
                    heard.add(attempt + " " + ((HttpStatusException) failure).status() + " " + delay))
            .build();
    fixture =
        Fixture.create(
            kind,
            Duration.ofSeconds(10),
            4,
            b -> b.retryPolicy(policy),
            runtime -> new RecordingSleeps(runtime, sleeps));
    Fixture f = fixture;
    server.enqueue(status(500, "one"));
    server.enqueue(status(503, "two"));
    server.enqueue(ok("three"));

    assertThat(f.await(f.client.send(request("/l").build(), text()))).isEqualTo("three");
    assertThat(heard).containsExactly("1 500 PT0.008S", "2 503 PT0.009S");
    assertThat(sleeps).containsExactly(Duration.ofMillis(8), Duration.ofMillis(9));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void retryAfterBeyondTheMaximum_isNotWaitedFor(Kind kind) {
    Fixture f = fixture(kind);
    server.enqueue(new MockResponse.Builder().code(429).addHeader("Retry-After", "3600").body("slow down").build());

    assertThatThrownBy(() -> f.await(f.client.send(request("/t").build(), text())))
        .isInstanceOfSatisfying(
            HttpClientErrorException.class, e -> assertThat(e.status()).isEqualTo(429));
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void post_isNotRetried_unlessMarkedIdempotent(Kind kind) {
    Fixture f = fixture(kind);
    server.enqueue(status(500, "once"));

    assertThatThrownBy(
            () -> f.await(f.client.send(request("/p").POST(RequestBody.of("x")).build(), text())))
        .isInstanceOf(HttpServerErrorException.class);
    assertThat(server.getRequestCount()).isEqualTo(1);

    server.enqueue(status(500, "once more"));
    server.enqueue(ok("done"));
    String body =
        f.await(
            f.client.send(
                request("/p").POST(RequestBody.of("x")).idempotent(true).build(), text()));
    assertThat(body).isEqualTo("done");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void oneShotBody_isNeverSentTwice(Kind kind) throws Exception {
    Fixture f = fixture(kind);
    server.enqueue(status(500, "no"));
    InputStream in = new java.io.ByteArrayInputStream("payload".getBytes(StandardCharsets.UTF_8));

    assertThatThrownBy(
            () ->
                f.await(
                    f.client.send(
                        request("/put").PUT(RequestBody.ofInputStream(in, 7)).build(), text())))
        .isInstanceOf(HttpServerErrorException.class);
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(take().getBody().utf8()).isEqualTo("payload");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void connectionResetDuringBody_idempotentGet_isRetried(Kind kind) {
    Fixture f = fixture(kind);
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body(new String(new char[200_000]).replace('\0', 'x'))
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());
    server.enqueue(ok("second"));

    assertThat(f.await(f.client.send(request("/reset").build(), text()))).isEqualTo("second");
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void refusedConnection_failsWithConnectFailed_afterRetryingEvenAPost(Kind kind) throws Exception {
    Fixture f = fixture(kind);
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // closed at once: nothing listens there
    }
    AtomicInteger attempts = new AtomicInteger();
    fixture.close();
    fixture =
        Fixture.create(
            kind,
            b -> b.interceptor(RequestInterceptor.of(r -> {
              attempts.incrementAndGet();
              return r;
            })));
    Fixture g = fixture;
    HttpRequest post =
        HttpRequest.newBuilder("http://127.0.0.1:" + port + "/x")
            .POST(RequestBody.ofInputStream(Data.stream(10), 10))
            .build();

    assertThatThrownBy(() -> g.await(g.client.send(post, text())))
        .isInstanceOf(ConnectFailedException.class)
        .hasMessageContaining("Could not connect to 127.0.0.1:" + port)
        .hasMessageContaining("Nothing was sent")
        .cause()
        .isInstanceOf(java.net.ConnectException.class);
    // Nothing was sent, so even a POST with a one-shot body was retried.
    assertThat(attempts).hasValue(3);
  }

  // ---- faults that are not retried: typed errors, never a success ----

  @ParameterizedTest
  @EnumSource(Kind.class)
  void truncatedBody_failsWithTruncatedBody_neverSuccess(Kind kind) {
    fixture = Fixture.create(kind, b -> b.retryPolicy(RetryPolicy.none()));
    Fixture f = fixture;
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .body(new String(new char[100_000]).replace('\0', 'y'))
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());

    HttpResponse response = f.await(f.client.send(request("/trunc").build()));
    assertThat(response.body().contentLength()).isEqualTo(100_000);
    assertThatThrownBy(() -> f.await(response.body().readAllBytes(1 << 20)))
        .isInstanceOf(TruncatedBodyException.class)
        .hasMessageContaining("GET")
        .hasMessageContaining("ended");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void truncatedChunkedBody_failsTyped_throughTheInputStreamToo(Kind kind) {
    fixture = Fixture.create(kind, b -> b.retryPolicy(RetryPolicy.none()));
    Fixture f = fixture;
    server.enqueue(
        new MockResponse.Builder()
            .code(200)
            .chunkedBody(new String(new char[100_000]).replace('\0', 'z'), 1000)
            .onResponseBody(new SocketEffect.CloseSocket())
            .build());

    HttpResponse response = f.await(f.client.send(request("/trunc").build()));
    assertThat(response.body().contentLength()).isEqualTo(-1);
    assertThatThrownBy(
            () -> {
              try (InputStream in = response.body().asInputStream()) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
              }
            })
        .isInstanceOf(IOException.class)
        .cause()
        .isInstanceOfAny(TruncatedBodyException.class, ConnectionResetException.class);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void stalledHead_failsWithReadTimeout(Kind kind) {
    fixture =
        Fixture.create(kind, Duration.ofMillis(300), 1, b -> b.retryPolicy(RetryPolicy.none()));
    Fixture f = fixture;
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    server.enqueue(ok("after"));

    assertThatThrownBy(() -> f.await(f.client.send(request("/stall").build(), text())))
        .isInstanceOf(ReadTimeoutException.class)
        .hasMessageContaining("read timeout of 300 ms");
    // The pool's only connection slot was released: the next request gets through.
    assertThat(f.await(f.client.send(request("/next").build(), text()))).isEqualTo("after");
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void stalledBody_failsWithReadTimeout(Kind kind) {
    fixture =
        Fixture.create(kind, Duration.ofMillis(300), 1, b -> b.retryPolicy(RetryPolicy.none()));
    Fixture f = fixture;
    server.enqueue(
        new MockResponse.Builder()
            .body(new String(new char[200_000]).replace('\0', 's'))
            .onResponseBody(SocketEffect.Stall.INSTANCE)
            .build());

    HttpResponse response = f.await(f.client.send(request("/stall").build()));
    assertThatThrownBy(() -> f.await(response.body().readAllBytes(1 << 20)))
        .isInstanceOf(ReadTimeoutException.class);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void totalTimeout_abortsTheExchange_andFreesTheConnection(Kind kind) {
    fixture = Fixture.create(kind, Duration.ofSeconds(30), 1, b -> {});
    Fixture f = fixture;
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    server.enqueue(ok("next"));

    assertThatThrownBy(
            () ->
                f.await(
                    f.client.send(request("/slow").timeout(Duration.ofMillis(300)).build(), text())))
        .isInstanceOf(OperationTimeoutException.class)
        .hasMessageContaining("GET");
    await().atMost(Duration.ofSeconds(10)).until(() -> f.leased() == 0);
    assertThat(f.await(f.client.send(request("/next").build(), text()))).isEqualTo("next");
  }

  // ---- cancellation and interrupt release the connection ----

  @ParameterizedTest
  @EnumSource(Kind.class)
  void interruptOrCancel_midExchange_abortsAndReleasesTheOnlyConnection(Kind kind)
      throws Exception {
    fixture = Fixture.create(kind, Duration.ofSeconds(30), 1, b -> {});
    Fixture f = fixture;
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
    server.enqueue(ok("next"));
    AtomicReference<Throwable> thrown = new AtomicReference<>();

    if (kind == Kind.SYNC) {
      // A platform thread: its socket read ignores interrupts unless the socket is a channel.
      Thread caller =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      f.await(f.client.send(request("/hang").build(), text()));
                    } catch (Throwable t) {
                      thrown.set(t);
                    }
                  });
      take();
      caller.interrupt();
      caller.join(10_000);
      assertThat(caller.isAlive()).isFalse();
      // The transport failed the stage with CallInterruptedException. On JDK 23+ the core's
      // Immediate rethrows it wrapped in a plain CancellationException("join") (reported), so
      // look for it in the chain.
      assertThat(thrown.get()).isInstanceOf(CancellationException.class);
      assertThat(causes(thrown.get())).hasAtLeastOneElementOfType(CallInterruptedException.class);
    } else {
      CallFuture<String> call = CallFuture.of("get", f.client.send(request("/hang").build(), text()));
      take();
      call.cancel(true);
      assertThatThrownBy(call::join).isInstanceOf(CancellationException.class);
    }
    await().alias("leased connections of " + f.transport).atMost(Duration.ofSeconds(10)).until(() -> f.leased() == 0);
    assertThat(f.await(f.client.send(request("/next").build(), text()))).isEqualTo("next");
  }

  static List<Throwable> causes(Throwable t) {
    List<Throwable> chain = new java.util.ArrayList<>();
    for (Throwable c = t; c != null && !chain.contains(c); c = c.getCause()) {
      chain.add(c);
    }
    return chain;
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void closingABodyEarly_closesTheConnection_insteadOfDrainingIt(Kind kind) {
    fixture = Fixture.create(kind, Duration.ofSeconds(30), 1, b -> {});
    Fixture f = fixture;
    server.enqueue(new MockResponse.Builder().body(generated(64L << 20)).build());
    server.enqueue(ok("next"));

    HttpResponse response = f.await(f.client.send(request("/big").build()));
    var chunks = response.body().chunks();
    assertThat(f.await(chunks.hasNext())).isTrue();
    assertThat(chunks.next().remaining()).isPositive();
    f.await(response.close());

    await().atMost(Duration.ofSeconds(10)).until(() -> f.leased() == 0);
    assertThat(f.await(f.client.send(request("/next").build(), text()))).isEqualTo("next");
  }

  // ---- large streams with bounded memory ----

  @ParameterizedTest
  @EnumSource(Kind.class)
  void largeDownload_streamed_checksumMatches(Kind kind) {
    long size = 64L << 20;
    Fixture f = fixture(kind);
    server.enqueue(new MockResponse.Builder().body(generated(size)).build());

    long[] count = new long[1];
    CRC32 crc = new CRC32();
    Long done =
        f.await(
            f.client.send(
                request("/big").build(),
                r -> {
                  var it = r.body().chunks();
                  return io.ambidex.control.Async.loop(
                          Boolean.TRUE,
                          more -> more,
                          x ->
                              it.hasNext()
                                  .thenApply(
                                      has -> {
                                        if (has) {
                                          ByteBuffer b = it.next();
                                          count[0] += b.remaining();
                                          crc.update(b);
                                        }
                                        return has;
                                      }))
                      .thenApply(x -> count[0]);
                }));

    assertThat(done).isEqualTo(size);
    assertThat(crc.getValue()).isEqualTo(Data.crc(size));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void largeUpload_ofUnknownLength_streamed_checksumMatches(Kind kind) throws Exception {
    long size = 64L << 20;
    Fixture f = fixture(kind);
    try (ChecksumServer upload = new ChecksumServer()) {
      HttpRequest put =
          HttpRequest.newBuilder(upload.uri())
              .PUT(RequestBody.ofInputStream(Data.stream(size), -1))
              .build();

      String answer = f.await(f.client.send(put, text()));

      assertThat(answer).isEqualTo(size + " " + Data.crc(size) + " chunked");
    }
  }

  // ---- progress ----

  @ParameterizedTest
  @EnumSource(Kind.class)
  void progress_uploadAndDownload_endAtTheFullSize(Kind kind) throws Exception {
    int size = 1 << 20;
    Fixture f = fixture(kind);
    List<TransferProgress> events = new CopyOnWriteArrayList<>();
    // On the async path the listener answers with a stage, which the client waits for.
    AsyncCallback<TransferProgress> listener =
        kind == Kind.SYNC
            ? AsyncCallback.of(events::add)
            : e -> CompletableFuture.runAsync(() -> events.add(e));
    server.enqueue(new MockResponse.Builder().body(generated(size)).build());

    byte[] body =
        f.await(
            f.client.send(
                request("/p").PUT(RequestBody.of(Data.bytes(size))).onProgress(listener).build(),
                r -> r.body().readAllBytes(size)));

    assertThat(body).hasSize(size);
    List<TransferProgress> up =
        events.stream().filter(e -> e.direction() == TransferProgress.Direction.UPLOAD).toList();
    List<TransferProgress> down =
        events.stream().filter(e -> e.direction() == TransferProgress.Direction.DOWNLOAD).toList();
    for (List<TransferProgress> list : List.of(up, down)) {
      assertThat(list).hasSizeGreaterThan(1);
      assertThat(list).isSortedAccordingTo(java.util.Comparator.comparingLong(TransferProgress::loaded));
      assertThat(list.get(list.size() - 1)).isEqualTo(new TransferProgress(list.get(0).direction(), size, size));
      assertThat(list).filteredOn(TransferProgress::isComplete).hasSize(1);
    }
    assertThat(take().getBody().size()).isEqualTo(size);
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void progress_ofUnknownLength_endsWithTotalSetToLoaded(Kind kind) throws Exception {
    Fixture f = fixture(kind);
    List<TransferProgress> events = new CopyOnWriteArrayList<>();
    server.enqueue(ok("fine"));

    f.await(
        f.client.send(
            request("/u")
                .POST(RequestBody.ofInputStream(Data.stream(300_000), -1))
                .onProgress(AsyncCallback.of(events::add))
                .build(),
            text()));

    List<TransferProgress> up =
        events.stream().filter(e -> e.direction() == TransferProgress.Direction.UPLOAD).toList();
    assertThat(up.get(up.size() - 1)).isEqualTo(new TransferProgress(TransferProgress.Direction.UPLOAD, 300_000, 300_000));
    assertThat(up.subList(0, up.size() - 1)).allSatisfy(e -> assertThat(e.total()).isEqualTo(-1));
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void progressListenerThatThrows_abortsTheCall(Kind kind) {
    fixture = Fixture.create(kind, b -> b.retryPolicy(RetryPolicy.none()));
    Fixture f = fixture;
    server.enqueue(new MockResponse.Builder().body(generated(1 << 20)).build());
    IllegalStateException stop = new IllegalStateException("user pressed stop");

    assertThatThrownBy(
            () ->
                f.await(
                    f.client.send(
                        request("/d")
                            .onProgress(
                                AsyncCallback.of(
                                    e -> {
                                      if (e.loaded() > 100_000) {
                                        throw stop;
                                      }
                                    }))
                            .build(),
                        r -> r.body().readAllBytes(1 << 20))))
        .isSameAs(stop);
  }

  // ---- interceptors (signing) ----

  @ParameterizedTest
  @EnumSource(Kind.class)
  void interceptor_signsEveryAttempt_withFinalHeadersAndPayloadHash(Kind kind) throws Exception {
    AtomicInteger signed = new AtomicInteger();
    fixture =
        Fixture.create(
            kind,
            b ->
                b.userAgent("test-agent/1")
                    .interceptor(
                        RequestInterceptor.of(
                            r -> {
                              signed.incrementAndGet();
                              String hash =
                                  HexFormat.of().formatHex(r.body().digest("SHA-256"));
                              String ua = r.headers().firstValue("user-agent").orElse("none");
                              return r.toBuilder()
                                  .setHeader("X-Content-Sha256", hash)
                                  .setHeader("X-Signed-Agent", ua)
                                  .build();
                            })));
    Fixture f = fixture;
    server.enqueue(status(500, "retry me"));
    server.enqueue(ok("signed"));
    byte[] payload = "the payload".getBytes(StandardCharsets.UTF_8);

    f.await(f.client.send(request("/s").PUT(RequestBody.of(payload)).build(), text()));

    assertThat(signed).hasValue(2);
    String expected =
        HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(payload));
    for (int i = 0; i < 2; i++) {
      RecordedRequest r = take();
      assertThat(r.getHeaders().get("X-Content-Sha256")).isEqualTo(expected);
      assertThat(r.getHeaders().get("X-Signed-Agent")).isEqualTo("test-agent/1");
      assertThat(r.getBody().utf8()).isEqualTo("the payload");
    }
  }

  @ParameterizedTest
  @EnumSource(Kind.class)
  void errorMapper_turnsStatusErrorsIntoTheCoresTypes(Kind kind) {
    class NotFound extends RuntimeException {
      private static final long serialVersionUID = 1L;

      NotFound(HttpStatusException cause) {
        super("no such key", cause);
      }
    }
    fixture =
        Fixture.create(
            kind, b -> b.errorSnippetLimit(10).errorMapper(e -> e.status() == 404 ? new NotFound(e) : e));
    Fixture f = fixture;
    server.enqueue(status(404, "<Error><Code>NoSuchKey</Code></Error>"));

    assertThatThrownBy(() -> f.await(f.client.send(request("/k").build(), text())))
        .isInstanceOf(NotFound.class)
        .cause()
        .isInstanceOfSatisfying(
            HttpClientErrorException.class,
            e -> assertThat(e.bodySnippet()).isEqualTo("<Error><Co"));
  }

  // ---- helpers ----

  static MockResponseBody generated(long size) {
    return new MockResponseBody() {
      @Override
      public long getContentLength() {
        return size;
      }

      @Override
      public void writeTo(BufferedSink sink) throws IOException {
        byte[] buf = new byte[64 * 1024];
        for (long pos = 0; pos < size; ) {
          int n = (int) Math.min(buf.length, size - pos);
          Data.fill(buf, pos, n);
          sink.write(buf, 0, n);
          pos += n;
        }
      }
    };
  }

  /** Records the sleeps a core asks for (durations, not wall-clock time). */
  private record RecordingSleeps(CoreRuntime delegate, List<Duration> sleeps)
      implements CoreRuntime {
    @Override
    public CompletionStage<@Nullable Void> sleep(Duration duration) {
      sleeps.add(duration);
      return delegate.sleep(duration);
    }

    @Override
    public <T extends @Nullable Object, R extends @Nullable Object>
        CompletionStage<List<R>> mapConcurrently(
            List<? extends T> inputs,
            int limit,
            Function<? super T, ? extends CompletionStage<R>> task) {
      return delegate.mapConcurrently(inputs, limit, task);
    }

    @Override
    public <T extends @Nullable Object> CompletionStage<T> withTimeout(
        Duration timeout,
        String name,
        java.util.function.Supplier<? extends CompletionStage<T>> operation) {
      return delegate.withTimeout(timeout, name, operation);
    }

    @Override
    public <E> CompletionStage<@Nullable Void> emit(
        @Nullable AsyncCallback<? super E> callback, E event) {
      return delegate.emit(callback, event);
    }

    @Override
    public boolean isBlocking() {
      return delegate.isBlocking();
    }

    @Override
    public CompletionStage<Void> close() {
      return delegate.close();
    }
  }
}
