package io.ambidex.blob;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Assumptions;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * moto's server, an independent S3 implementation (Python), started on a free port of 127.0.0.1
 * for one test class. {@link #start()} skips the class, saying why, when {@code moto_server} is
 * not installed, except under {@code CI=true}, where it fails instead. moto does not check
 * signatures.
 */
final class MotoServer implements AutoCloseable {
  final Process process;
  final int port;
  /** {@code http://127.0.0.1:PORT}. */
  final URI endpoint;
  /** The AWS SDK over the endpoint, path style, region us-east-1. */
  final S3Client sdk;

  private MotoServer(Process process, int port) {
    this.process = process;
    this.port = port;
    this.endpoint = URI.create("http://127.0.0.1:" + port);
    this.sdk = Fixtures.sdk(endpoint, "testing", "testing");
  }

  static MotoServer start() throws Exception {
    Path executable = findMoto();
    if (executable == null && "true".equals(System.getenv("CI"))) {
      // In CI the server must be there (.ci/run installs it if missing): never skip silently.
      throw new IllegalStateException(
          "moto_server is not installed, and CI=true: .ci/run should have installed it");
    }
    Assumptions.assumeTrue(
        executable != null,
        "moto_server is not installed (looked on PATH and under ~/.pyenv/versions/*/bin):"
            + " pip install 'moto[server]' to run these tests");
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ProcessBuilder builder =
        new ProcessBuilder(executable.toString(), "-H", "127.0.0.1", "-p", Integer.toString(port));
    // moto computes CRC32C and CRC64NVME with optional packages (crc32c, awscrt) and silently
    // falls back to CRC32 without them; test-classes/moto-shim stands in for them when missing.
    java.net.URL shim = MotoServer.class.getResource("/moto-shim/crc32c.py");
    if (shim != null) {
      String dir = Path.of(shim.toURI()).getParent().toString();
      String old = System.getenv("PYTHONPATH");
      builder.environment().put("PYTHONPATH", old == null ? dir : old + java.io.File.pathSeparator + dir);
    }
    Process moto =
        builder
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!accepts(port)) {
      if (!moto.isAlive() || System.nanoTime() > deadline) {
        moto.destroyForcibly();
        throw new IllegalStateException("moto_server did not start on port " + port);
      }
      Thread.sleep(50);
    }
    return new MotoServer(moto, port);
  }

  /** The endpoint under another host name that resolves to 127.0.0.1 (such as localhost). */
  URI endpoint(String host) {
    return URI.create("http://" + host + ":" + port);
  }

  @Override
  public void close() {
    sdk.close();
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** Closes {@code moto} if it was started (for {@code @AfterAll} after a skipped start). */
  static void stop(@Nullable MotoServer moto) {
    if (moto != null) {
      moto.close();
    }
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static @Nullable Path findMoto() throws IOException {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir, "moto_server");
      if (!dir.isEmpty() && Files.isExecutable(p)) {
        return p;
      }
    }
    Path versions = Path.of(System.getProperty("user.home"), ".pyenv", "versions");
    if (Files.isDirectory(versions)) {
      try (Stream<Path> all = Files.list(versions)) {
        List<Path> found = new ArrayList<>();
        all.map(v -> v.resolve("bin/moto_server")).filter(Files::isExecutable).forEach(found::add);
        return found.isEmpty() ? null : found.get(0);
      }
    }
    return null;
  }
}
