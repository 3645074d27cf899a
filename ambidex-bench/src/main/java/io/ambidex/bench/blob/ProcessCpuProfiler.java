package io.ambidex.bench.blob;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * CPU time per operation, client and server apart: a JMH profiler (run it with {@code -prof
 * io.ambidex.bench.blob.ProcessCpuProfiler}) that reports, per iteration, in µs/op:
 *
 * <ul>
 *   <li>{@code cpu.time.norm}: the forked JVM's process CPU time (all its threads: the caller, I/O
 *       threads, GC, JIT) divided by the iteration's operations. The S3 server runs in another
 *       process, so none of its work is counted: this is the client's own cost.
 *   <li>{@code server.cpu.time.norm}: the same for the S3 server's JVM ({@link S3ServerProcess}),
 *       when the benchmark started one. On a machine whose cores both share, throughput is the
 *       pair's; this figure tells how much of it the server takes.
 * </ul>
 *
 * <p>Operations are counted as {@code -prof gc} counts them for {@code gc.alloc.rate.norm} (all
 * operations of the iteration, {@code OperationsPerInvocation} included). Linux reports CPU time
 * in 10 ms ticks, so an iteration needs some seconds of work for a precise figure.
 *
 * <p>A benchmark's check of its own result runs outside the timed part but, for JMH, inside an
 * iteration (a trial's teardown runs within its last one): such code runs through {@link
 * #excluded}, and the process's CPU time while it runs is left out of {@code cpu.time.norm}.
 * Comparing two 256 MiB files at a trial's end had added about 170 ms to the last iteration's
 * figure, 35 ms to the mean of five (docs/benchmarks.md, 2026-12-06 13:30).
 */
public final class ProcessCpuProfiler implements InternalProfiler {
  /** The CPU time of code run through {@link #excluded}, in nanoseconds, since the JVM started. */
  private static final AtomicLong EXCLUDED = new AtomicLong();

  private static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long before;
  private long excludedBefore;
  private @Nullable S3ServerProcess server;
  private long serverBefore;

  /** Creates the profiler (JMH does, from {@code -prof}). */
  public ProcessCpuProfiler() {}

  @Override
  public String getDescription() {
    return "process CPU time per operation of the benchmark's JVM";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    before = OS.getProcessCpuTime();
    excludedBefore = EXCLUDED.get();
    server = S3ServerProcess.running();
    serverBefore = server == null ? -1 : server.cpuNanos();
  }

  @Override
  public List<Result<?>> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = OS.getProcessCpuTime() - before - (EXCLUDED.get() - excludedBefore);
    long ops = result.getMetadata().getAllOps();
    double perOp = ops > 0 ? cpu / 1000.0 / ops : Double.NaN;
    ScalarResult client = new ScalarResult("cpu.time.norm", perOp, "µs/op", AggregationPolicy.AVG);
    long serverAfter = server == null ? -1 : server.cpuNanos();
    if (serverBefore < 0 || serverAfter < 0 || ops <= 0) {
      return List.of(client);
    }
    double serverPerOp = (serverAfter - serverBefore) / 1000.0 / ops;
    return List.of(
        client,
        new ScalarResult("server.cpu.time.norm", serverPerOp, "µs/op", AggregationPolicy.AVG));
  }

  /** Code that may throw {@link IOException}. */
  @FunctionalInterface
  interface IoAction {
    /** Runs it. */
    void run() throws IOException;
  }

  /**
   * Runs {@code action} and leaves the process's CPU time while it runs out of the iteration's
   * {@code cpu.time.norm}: the action's own, and what it makes other threads do (GC, the JIT,
   * a client's I/O threads as it closes). For code that runs when the measured work is over (a
   * teardown); work of the benchmark still running on other threads meanwhile would be left out
   * too. (The calling thread's CPU alone left about 60 ms of a closing client in the figure.)
   */
  static void excluded(IoAction action) throws IOException {
    long start = OS.getProcessCpuTime();
    try {
      action.run();
    } finally {
      EXCLUDED.addAndGet(OS.getProcessCpuTime() - start);
    }
  }
}
