package io.ambidex.bench;

import io.ambidex.Immediate;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What a generated blocking facade adds: the facade {@code BenchClient} generated from {@link
 * BenchCore}, the same core read through {@link Immediate} by hand, and hand-written blocking
 * code. The goal is that the generated layer adds nothing measurable.
 *
 * <p>Run (after {@code mvn -B -pl ambidex-bench -am package -DskipTests}, from the repository
 * root):
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -jar ambidex-bench/target/benchmarks.jar \
 *     FacadeBenchmark -f 1 -wi 3 -w 1s -i 5 -r 1s -prof gc
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FacadeBenchmark {
  /** The key; a field, so nothing is folded into a constant. */
  public String key;

  private Work.SyncTransport transport;
  private BenchCore core;
  private BenchClient client;

  /** Builds the core and the generated facade. */
  @Setup
  public void setUp() {
    key = "user:" + 4242;
    transport = new Work.SyncTransport();
    core = BenchCore.blocking();
    client = new BenchClient();
  }

  /** The limit: plain blocking code. */
  @Benchmark
  public int handWritten() {
    return Work.parse(transport.call(Work.validate(key)));
  }

  /** The core's stage read with the immediate bridge, written by hand. */
  @Benchmark
  public int bridgeByHand() {
    return Immediate.get(core.op(key), "BenchCore.op");
  }

  /** The generated blocking facade. */
  @Benchmark
  public int generatedFacade() {
    return client.op(key);
  }
}
