package io.ambidex.bench.blob;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Starts {@link S3ServerMain} in a child JVM, so that what a benchmark's fork allocates, and the
 * heap it holds, belong to the client alone. The child runs the same {@code java} executable and
 * class path as the fork, with a fixed heap of its own ({@link #HEAP}); its standard error is the
 * fork's. {@link #close()} closes the child's standard input, which stops it, and waits for it (it
 * is killed if it has not exited within 10 s). A fork that dies closes that stream too, so no
 * server outlives its benchmark.
 *
 * <p>The system property {@value #EXTRA_ARGS} of the fork (set with JMH's {@code -jvmArgsAppend})
 * adds JVM options to the server's command line, separated by spaces: for instance an
 * async-profiler agent, to see where the server's CPU goes.
 */
public final class S3ServerProcess implements AutoCloseable {
  /** The access key the server accepts. */
  public static final String ACCESS_KEY = "bench";

  /** The secret key the server accepts. */
  public static final String SECRET_KEY = "bench-local-secret";

  /** The system property whose value, split at spaces, is added to the server's JVM options. */
  public static final String EXTRA_ARGS = "ambidex.bench.serverJvmArgs";

  /** The server JVM's heap: fixed, so that it is the same for every benchmark. */
  public static final String HEAP = "1g";

  /** The server this JVM started last and has not stopped, for {@link ProcessCpuProfiler}. */
  private static volatile @Nullable S3ServerProcess running;

  private final Process process;
  private final URI endpoint;

  /** The server's CPU time read as {@link #close()} began, or -1 while it runs. */
  private volatile long cpuAtClose = -1;

  private S3ServerProcess(Process process, URI endpoint) {
    this.process = process;
    this.endpoint = endpoint;
  }

  /**
   * Starts a server and waits until it accepts connections.
   *
   * @param dataDirectory the filesystem store's directory, or null for the in-memory store
   * @return the running server
   * @throws IllegalStateException if the child JVM exits before reporting its port (the embedded
   *     server gives up after 30 s)
   */
  public static S3ServerProcess start(@Nullable Path dataDirectory) {
    String java =
        ProcessHandle.current()
            .info()
            .command()
            .orElseThrow(() -> new IllegalStateException("The java executable of this JVM is unknown"));
    List<String> command = new ArrayList<>();
    command.add(java);
    command.add("-Xms" + HEAP);
    command.add("-Xmx" + HEAP);
    command.add("-XX:+AlwaysPreTouch"); // no page of its heap first touched while measured
    command.add("-XX:+UseG1GC");
    for (String arg : System.getProperty(EXTRA_ARGS, "").trim().split("\\s+")) {
      if (!arg.isEmpty()) {
        command.add(arg);
      }
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(S3ServerMain.class.getName());
    if (dataDirectory != null) {
      command.add(dataDirectory.toAbsolutePath().toString());
    }
    Process process;
    try {
      process =
          new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot start the S3 server JVM: " + command, e);
    }
    try {
      BufferedReader out =
          new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
      // The server's first line is "port N"; an agent of EXTRA_ARGS may print before it ("Profiling
      // started"), so up to 20 other lines are skipped. A child that dies first ends the stream.
      String line = out.readLine();
      for (int skipped = 0; line != null && !line.startsWith("port ") && skipped < 20; skipped++) {
        line = out.readLine();
      }
      if (line == null || !line.startsWith("port ")) {
        throw new IllegalStateException(
            "The S3 server JVM did not report its port (it printed " + line + "); see its stderr");
      }
      int port = Integer.parseInt(line.substring("port ".length()).trim());
      S3ServerProcess server = new S3ServerProcess(process, URI.create("http://127.0.0.1:" + port));
      running = server;
      return server;
    } catch (IOException | RuntimeException e) {
      process.destroyForcibly();
      throw e instanceof IOException io
          ? new UncheckedIOException("Cannot read the S3 server JVM's port", io)
          : (RuntimeException) e;
    }
  }

  /** Returns the server's endpoint, {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return endpoint;
  }

  /** Returns the child JVM's process id. */
  public long pid() {
    return process.pid();
  }

  /** Returns the server this JVM has running, or null. */
  static @Nullable S3ServerProcess running() {
    return running;
  }

  /**
   * Returns the CPU time the server's JVM has used so far, or -1 if the system does not say.
   * Once {@link #close()} has begun, the time read then: the system says nothing of a process
   * that has exited, and a trial's teardown, which stops the server, runs within its last
   * iteration. (Before, that iteration had no server figure, and JMH's mean over five
   * iterations counted it as zero: every {@code server.cpu.time.norm} was four fifths of the
   * server's CPU.)
   */
  long cpuNanos() {
    long atClose = cpuAtClose;
    return atClose >= 0 ? atClose : liveCpuNanos();
  }

  private long liveCpuNanos() {
    return process.info().totalCpuDuration().map(java.time.Duration::toNanos).orElse(-1L);
  }

  /** Stops the server: closes its standard input, waits up to 10 s, then kills it. */
  @Override
  public void close() {
    if (running == this) {
      running = null;
    }
    if (cpuAtClose < 0) {
      cpuAtClose = liveCpuNanos();
    }
    try {
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
      }
    } catch (IOException e) {
      process.destroyForcibly();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
