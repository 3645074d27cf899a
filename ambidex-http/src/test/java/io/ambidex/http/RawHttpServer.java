package io.ambidex.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server on a raw socket that answers every request with the bytes of its current {@link
 * Script}, whatever they are: so a test can send responses no HTTP library would produce. One
 * virtual thread per connection; a request's head is read up to its blank line (its body, if it
 * announces a {@code Content-Length}, is read and dropped). Close it to close every connection.
 */
final class RawHttpServer implements AutoCloseable {
  /** What the server does with a connection after writing a response. */
  enum Mode {
    /** Close the connection (output first, so the client sees the end of the bytes). */
    CLOSE,
    /** Keep it open and answer the next request on it with the same script. */
    KEEP_ALIVE,
    /** Keep it open and send nothing more, until the client closes it or the server closes. */
    HOLD,
    /**
     * Reset the connection (RST: {@code SO_LINGER} 0) as soon as a request head has arrived,
     * before reading its body or answering; the response bytes are not sent.
     */
    RESET,
    /**
     * Answer as soon as a request head has arrived, without reading its body, and close: a server
     * refusing an upload early ({@code 413}). Closed with the body unread, the connection is reset.
     */
    ANSWER_EARLY
  }

  /** The bytes to answer with, and what to do afterwards. */
  record Script(byte[] response, Mode mode) {}

  private static final int MAX_HEAD = 64 * 1024;

  private final ServerSocket listener;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger accepted = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private volatile Script script = new Script(new byte[0], Mode.CLOSE);

  private final javax.net.ssl.@org.jspecify.annotations.Nullable SSLSocketFactory tls;

  RawHttpServer() throws IOException {
    this(null);
  }

  /** A server speaking TLS with {@code tls}'s certificate when it is not null. */
  RawHttpServer(javax.net.ssl.@org.jspecify.annotations.Nullable SSLSocketFactory tls)
      throws IOException {
    this.tls = tls;
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofPlatform().daemon().name("raw-http-accept").start(this::accept);
  }

  /**
   * A server speaking TLS with the test CA's server certificate ({@link ConnectAndTlsTest#SERVER})
   * when {@code tls} is true, plain HTTP otherwise.
   */
  static RawHttpServer start(boolean tls) throws IOException {
    return new RawHttpServer(
        tls
            ? new okhttp3.tls.HandshakeCertificates.Builder()
                .heldCertificate(ConnectAndTlsTest.SERVER)
                .build()
                .sslSocketFactory()
            : null);
  }

  URI uri(String path) {
    return URI.create(
        (tls == null ? "http://127.0.0.1:" : "https://localhost:") + listener.getLocalPort() + path);
  }

  /** Sets what the following requests are answered with (connections already open included). */
  void script(Script next) {
    this.script = next;
  }

  /** The number of request heads read so far. */
  int requests() {
    return requests.get();
  }

  /** The number of connections accepted so far. */
  int connectionsAccepted() {
    return accepted.get();
  }

  /** The number of connections the server has closed (or seen closed) so far. */
  int connectionsClosed() {
    return closed.get();
  }

  /** Closes every connection still open (a held one, say), keeping the listener. */
  void closeConnections() {
    for (Socket s : open) {
      closeQuietly(s);
    }
  }

  @Override
  public void close() {
    closeQuietly(listener);
    closeConnections();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket raw = listener.accept();
        Socket s = raw;
        if (tls != null) {
          var secure = (javax.net.ssl.SSLSocket) tls.createSocket(raw, null, raw.getPort(), true);
          secure.setUseClientMode(false);
          s = secure;
        }
        open.add(s);
        accepted.incrementAndGet();
        Socket accepted = s;
        Thread.ofVirtual().name("raw-http-conn").start(() -> serve(accepted));
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  private void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (true) {
        String head = readHead(in);
        if (head == null) {
          return;
        }
        requests.incrementAndGet();
        Script sc = script;
        if (sc.mode() == Mode.RESET) {
          s.setSoLinger(true, 0);
          return; // closed by try-with-resources: RST
        }
        if (sc.mode() == Mode.ANSWER_EARLY) {
          out.write(sc.response());
          out.flush();
          return; // closed by try-with-resources, the body unread: RST
        }
        skipBody(in, head);
        out.write(sc.response());
        out.flush();
        switch (sc.mode()) {
          case CLOSE -> {
            s.shutdownOutput();
            return;
          }
          case KEEP_ALIVE -> {}
          case RESET, ANSWER_EARLY -> throw new IllegalStateException("handled above");
          case HOLD -> {
            while (in.read() >= 0) {
              // wait for the client to give up
            }
            return;
          }
        }
      }
    } catch (IOException e) {
      // the client closed or reset the connection: its business
    } finally {
      open.remove(s);
      closed.incrementAndGet(); // after try-with-resources closed it
    }
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        return null;
      }
      head.write(b);
      if (head.size() > MAX_HEAD) {
        throw new IOException("request head longer than " + MAX_HEAD);
      }
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  private static void skipBody(InputStream in, String head) throws IOException {
    for (String line : head.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        long n = Long.parseLong(line.substring(colon + 1).trim());
        while (n > 0) {
          long skipped = in.skip(n);
          if (skipped <= 0) {
            if (in.read() < 0) {
              return;
            }
            skipped = 1;
          }
          n -= skipped;
        }
      }
    }
  }

  private static void closeQuietly(java.io.Closeable c) {
    try {
      c.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
