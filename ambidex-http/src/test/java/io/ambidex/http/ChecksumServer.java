package io.ambidex.http;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * A local server that streams each request body through a CRC32 without storing it and answers
 * "{@code <bytes> <crc> <chunked|length>}": the other end of the large-upload test.
 */
final class ChecksumServer implements AutoCloseable {
  private final HttpServer server;

  ChecksumServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    server.createContext(
        "/",
        exchange -> {
          CRC32 crc = new CRC32();
          long count = 0;
          byte[] buf = new byte[64 * 1024];
          try (InputStream in = exchange.getRequestBody()) {
            for (int n; (n = in.read(buf)) >= 0; ) {
              crc.update(buf, 0, n);
              count += n;
            }
          }
          String framing =
              "chunked".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Transfer-Encoding"))
                  ? "chunked"
                  : "length";
          byte[] answer = (count + " " + crc.getValue() + " " + framing).getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, answer.length);
          try (OutputStream out = exchange.getResponseBody()) {
            out.write(answer);
          }
        });
    server.start();
  }

  URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/upload");
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
