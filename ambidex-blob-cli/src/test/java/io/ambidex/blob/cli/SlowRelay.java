package io.ambidex.blob.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP relay on 127.0.0.1 that forwards to a server at a limited rate shared by all connections
 * (both directions), so that a transfer through it lasts long enough to be interrupted midway.
 * Closing it closes every connection.
 */
final class SlowRelay implements AutoCloseable {
  private final ServerSocket server;
  private final int targetPort;
  private final long nanosPerByte;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private long nextFree = System.nanoTime();

  SlowRelay(int targetPort, long bytesPerSecond) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.targetPort = targetPort;
    this.nanosPerByte = 1_000_000_000L / bytesPerSecond;
    Thread.ofPlatform().daemon().name("slow-relay-accept").start(this::accept);
  }

  int port() {
    return server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort));
        sockets.add(client);
        sockets.add(upstream);
        Thread.ofPlatform().daemon().start(() -> pump(client, upstream));
        Thread.ofPlatform().daemon().start(() -> pump(upstream, client));
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(Socket from, Socket to) {
    byte[] buffer = new byte[16 * 1024];
    try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        throttle(n);
        out.write(buffer, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // one side closed: close both below
    } finally {
      closeQuietly(from);
      closeQuietly(to);
    }
  }

  /* Reserves the time n bytes take at the shared rate, then waits until it has come. */
  private void throttle(int n) {
    long until;
    synchronized (this) {
      long now = System.nanoTime();
      nextFree = Math.max(nextFree, now) + n * nanosPerByte;
      until = nextFree;
    }
    long wait;
    while ((wait = until - System.nanoTime()) > 0) {
      LockSupport.parkNanos(wait);
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // closing
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    sockets.forEach(SlowRelay::closeQuietly);
  }
}
