package io.ambidex.bench.blob;

import java.lang.management.ManagementFactory;
import java.util.List;
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
 */
public final class ProcessCpuProfiler implements InternalProfiler {
  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private long before;
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
    before = os.getProcessCpuTime();
    server = S3ServerProcess.running();
    serverBefore = server == null ? -1 : server.cpuNanos();
  }

  @Override
  public List<Result<?>> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    long cpu = os.getProcessCpuTime() - before;
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
}
