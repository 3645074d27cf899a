package io.ambidex.blob;

import io.ambidex.s3embedded.EmbeddedS3;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The embedded S3 server ({@link ServerJvmMain}) in a child JVM, on a data directory and a port of
 * its own that outlive the process: so a test can kill it ({@code SIGKILL}), stall it ({@code
 * SIGSTOP}, then {@code SIGCONT}) and start it again where its clients expect it, on the same
 * objects (the port is below the ephemeral range, so no outgoing connection takes it while the
 * server is down). The child runs this JVM's {@code java} with the test class path; its output goes to a
 * log file, shown when it fails to start. {@link #close()} stops it and deletes the directory.
 */
final class ServerJvm implements AutoCloseable {
  final Path data;
  final int port;
  final URI endpoint;
  private final Path log;
  private @Nullable Process process;
  /* Set by kill(): start() then waits for the killed process to be gone. */
  private volatile boolean killed;
  private @Nullable S3Client sdk;

  private ServerJvm(Path data, int port) {
    this.data = data;
    this.port = port;
    this.endpoint = URI.create("http://127.0.0.1:" + port);
    this.log = data.resolveSibling(data.getFileName() + ".log");
  }

  /** Starts a server on a fresh data directory and a free port. */
  static ServerJvm create() {
    try {
      Path dir = Files.createTempDirectory("ambidex-server-jvm");
      ServerJvm server = new ServerJvm(dir.resolve("store"), freePortBelowEphemeralRange());
      server.start();
      return server;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /*
   * A port below Linux's ephemeral range (32768 and up by default), free now: while the server is
   * dead, an outgoing connection of any process could be given a port of that range, and the
   * restart would find it taken.
   */
  private static int freePortBelowEphemeralRange() throws IOException {
    java.util.Random random = new java.util.Random();
    for (int i = 0; i < 100; i++) {
      int port = 20_000 + random.nextInt(8_000); // below .ci/swift's 28080-28084
      try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return probe.getLocalPort();
      } catch (IOException taken) {
        // try another
      }
    }
    throw new IOException("no free port in 20000-27999 after 100 tries");
  }

  /** Starts the child JVM (again) on the same directory and port; returns once it serves. */
  void start() throws IOException {
    Process previous = process;
    if (previous != null && previous.isAlive() && killed) {
      // Killed, but perhaps not reaped yet: a kill on another thread (killAsync) may still be
      // waiting for it when a transfer that gave up on the server has already returned (its
      // sockets are closed before the process is reaped; seen once in CI, async download).
      try {
        previous.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for the killed server JVM", e);
      }
    }
    if (previous != null && previous.isAlive()) {
      throw new IllegalStateException("the server JVM is already running: pid " + previous.pid());
    }
    killed = false;
    String java = ProcessHandle.current().info().command().orElse("java");
    String classPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process p =
        new ProcessBuilder(
                List.of(java, "-Xmx256m", "-cp", classPath, ServerJvmMain.class.getName(),
                    data.toString(), Integer.toString(port)))
            .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    process = p;
    BufferedReader out =
        new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine(); // "port N", or null if the child died first
    if (line == null || !line.equals("port " + port)) {
      p.destroyForcibly();
      throw new IllegalStateException(
          "the server JVM did not start on port " + port + " (it printed " + line + "): "
              + Files.readString(log));
    }
  }

  /** The child's process id. */
  long pid() {
    return running().pid();
  }

  /** Kills the child with {@code SIGKILL} and waits until it is gone. */
  void kill() {
    Process p = running();
    killed = true;
    p.destroyForcibly(); // SIGKILL on Linux
    try {
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("the server JVM survived SIGKILL: pid " + p.pid());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while killing the server JVM", e);
    }
  }

  /** {@link #kill()} on another thread: a stage that completes once the child is gone. */
  CompletableFuture<Void> killAsync() {
    return CompletableFuture.runAsync(this::kill, r -> Thread.ofVirtual().start(r));
  }

  /** Stops the child with {@code SIGSTOP}: it keeps its sockets but runs no code. */
  void pause() {
    signal("STOP");
  }

  /** Resumes a stopped child with {@code SIGCONT}. */
  void resume() {
    signal("CONT");
  }

  private void signal(String name) {
    long pid = pid();
    try {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid)).inheritIO().start();
      if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
        throw new IllegalStateException("kill -" + name + " " + pid + " failed");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + name, e);
    }
  }

  /** The AWS SDK over the server, for checks the client under test does not make. */
  S3Client sdk() {
    if (sdk == null) {
      sdk = Fixtures.sdk(endpoint, EmbeddedS3.DEFAULT_ACCESS_KEY, EmbeddedS3.DEFAULT_SECRET_KEY);
    }
    return sdk;
  }

  /** The blob tests' configuration ({@link Fixtures#config}) for this server. */
  BlobConfig.Builder config() {
    return Fixtures.config(endpoint, EmbeddedS3.DEFAULT_ACCESS_KEY, EmbeddedS3.DEFAULT_SECRET_KEY);
  }

  private Process running() {
    Process p = process;
    if (p == null || !p.isAlive()) {
      throw new IllegalStateException("the server JVM is not running");
    }
    return p;
  }

  /** Stops the child (resumed first if stopped, then its input closed; killed after 10 s). */
  @Override
  public void close() throws IOException {
    if (sdk != null) {
      sdk.close();
    }
    Process p = process;
    if (p != null && p.isAlive()) {
      try {
        signal("CONT");
        p.getOutputStream().close();
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    try (Stream<Path> files = Files.walk(data.getParent())) {
      for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }
}
