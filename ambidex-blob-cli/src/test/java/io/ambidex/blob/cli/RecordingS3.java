package io.ambidex.blob.cli;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A server that records what the tool sends: every request's method, path and headers. A {@code
 * PUT} is answered 200 with the MD5 of its body as the ETag (what the client checks), whatever
 * checksum it carries (so the tool's checksum probe finds a service that does not check), a
 * listing with an empty one (so {@code sync} finds nothing there), a {@code DELETE} with {@link
 * #deleteStatus}, anything else 404. The JDK's own HTTP server, so no server second-guesses a missing header (S3Proxy guesses a
 * content type from the key when none is sent).
 */
final class RecordingS3 implements AutoCloseable {
  record Request(String method, String path, Headers headers) {}

  final List<Request> requests = new CopyOnWriteArrayList<>();
  /** The status every DELETE gets: 204, as S3 answers, unless a test sets another. */
  volatile int deleteStatus = 204;
  private final HttpServer server;

  RecordingS3() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      try (exchange) {
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
          body = in.readAllBytes();
        }
        requests.add(new Request(
            exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), exchange.getRequestHeaders()));
        if (exchange.getRequestMethod().equals("PUT")) {
          exchange.getResponseHeaders().set("ETag", "\"" + md5(body) + "\"");
          exchange.sendResponseHeaders(200, -1);
        } else if (exchange.getRequestMethod().equals("GET")
            && exchange.getRequestURI().getRawQuery() != null
            && exchange.getRequestURI().getRawQuery().contains("list-type=2")) {
          byte[] empty = "<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"
              .getBytes(java.nio.charset.StandardCharsets.UTF_8);
          exchange.getResponseHeaders().set("Content-Type", "application/xml");
          exchange.sendResponseHeaders(200, empty.length);
          exchange.getResponseBody().write(empty);
        } else if (exchange.getRequestMethod().equals("DELETE")) {
          exchange.sendResponseHeaders(deleteStatus, -1);
        } else {
          exchange.sendResponseHeaders(404, -1);
        }
      }
    });
    server.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The headers of the one PUT to {@code path}. */
  Headers put(String path) {
    List<Request> found =
        requests.stream().filter(r -> r.method().equals("PUT") && r.path().equals(path)).toList();
    if (found.size() != 1) {
      throw new AssertionError("expected one PUT of " + path + ", got " + requests);
    }
    return found.get(0).headers();
  }

  private static String md5(byte[] body) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
