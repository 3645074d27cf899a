package io.ambidex.blob;

import io.ambidex.test.ParityExtension;
import java.net.URI;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Function;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

/**
 * A scripted S3 endpoint on OkHttp's MockWebServer, for faults no real server produces on demand:
 * every request is recorded and answered by {@link #handler}.
 */
final class MockS3 implements AutoCloseable {
  final MockWebServer server = new MockWebServer();
  final List<RecordedRequest> requests = Collections.synchronizedList(new ArrayList<>());
  volatile Function<RecordedRequest, MockResponse> handler =
      r -> new MockResponse.Builder().code(500).build();

  /** For the parity extension's fixture supplier, which cannot throw checked exceptions. */
  static MockS3 create() {
    try {
      return new MockS3();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start MockWebServer", e);
    }
  }

  /**
   * The parity extension of a test class scripted on this server: each facade gets a fresh
   * MockS3 (the test's {@code MockS3} parameter) and a client of its {@link #config()}.
   */
  static ParityExtension<BlobClient, AsyncBlobClient> clients() {
    return ParityExtension.<BlobClient, AsyncBlobClient>builder()
        .blocking("mockwebserver", MockS3::create, m -> new BlobClient(m.config()))
        .async("mockwebserver", MockS3::create, m -> new AsyncBlobClient(m.config()))
        .build();
  }

  private final String scheme;

  MockS3() throws Exception {
    this(null);
  }

  /** Serves HTTPS with {@code tls} (from a certificate for 127.0.0.1), or HTTP if it is null. */
  MockS3(javax.net.ssl.@org.jspecify.annotations.Nullable SSLSocketFactory tls) throws Exception {
    scheme = tls == null ? "http" : "https";
    if (tls != null) {
      server.useHttps(tls);
    }
    server.setDispatcher(
        new Dispatcher() {
          @Override
          public MockResponse dispatch(RecordedRequest request) {
            requests.add(request);
            MockResponse response = handler.apply(request);
            return "HEAD".equals(request.getMethod()) ? withoutBody(response) : response;
          }
        });
    server.start();
  }

  /**
   * A response to a HEAD carries its headers only: a body there is invalid HTTP, which the client
   * would read as the start of the next response on the connection. So scripts can answer any
   * request with {@link #error} or {@link #object} and a HEAD still gets what a server sends.
   */
  private static MockResponse withoutBody(MockResponse response) {
    var body = response.getBody();
    if (body == null || body.getContentLength() <= 0) {
      return response;
    }
    return response
        .newBuilder()
        .body(new okio.Buffer())
        .setHeader("Content-Length", body.getContentLength())
        .build();
  }

  BlobConfig config() {
    return Fixtures.config(endpoint(), "AKIDEXAMPLE", "secret").build();
  }

  URI endpoint() {
    return URI.create(scheme + "://127.0.0.1:" + server.getPort());
  }

  /** The recorded requests whose method and target start as given. */
  List<RecordedRequest> matching(String method, String targetContains) {
    synchronized (requests) {
      return requests.stream()
          .filter(r -> r.getMethod().equals(method) && r.getTarget().contains(targetContains))
          .toList();
    }
  }

  static String md5Hex(byte[] data) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static MockResponse object(byte[] body, String etag) {
    return new MockResponse.Builder()
        .code(200)
        .addHeader("ETag", "\"" + etag + "\"")
        .body(new okio.Buffer().write(body))
        .build();
  }

  static MockResponse error(int status, String code) {
    return new MockResponse.Builder()
        .code(status)
        .addHeader("Content-Type", "application/xml")
        .body("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code
            + "</Code><Message>scripted " + code + "</Message><RequestId>req-1</RequestId></Error>")
        .build();
  }

  @Override
  public void close() throws java.io.IOException {
    server.close();
  }
}
