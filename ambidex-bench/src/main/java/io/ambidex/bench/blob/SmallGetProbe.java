package io.ambidex.bench.blob;

import io.ambidex.blob.BlobClient;
import java.lang.management.CompilationMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;

/**
 * Not a JMH benchmark: the blocking 1 KiB GET of {@link BlobBlockingBenchmark} in one-second
 * windows, ours and the SDK's {@code S3Client} in turn in one JVM against one server, each window
 * printed with what might explain a slow one: collections (count, time), JIT compilation time,
 * new TCP connections to the server (any state, {@code TIME_WAIT} included, from {@code
 * /proc/self/net/tcp}: a connection closed and reopened shows), voluntary and involuntary context
 * switches of all the JVM's threads, and the CPU time of both JVMs. Issue 14, item 4.
 *
 * <pre>
 * /usr/lib/jvm/temurin-25-jdk-amd64/bin/java -Xms512m -Xmx512m \
 *     -cp ambidex-bench/target/benchmarks.jar io.ambidex.bench.blob.SmallGetProbe ambidex,sdk 10 3
 * </pre>
 */
public final class SmallGetProbe {
  private SmallGetProbe() {}

  /**
   * Runs the probe.
   *
   * @param args clients in turn ({@code ambidex,sdk}), windows per turn, turns
   */
  public static void main(String[] args) throws Exception {
    String[] order = args[0].split(",");
    int windows = Integer.parseInt(args[1]);
    int cycles = Integer.parseInt(args[2]);
    S3ServerProcess server = S3ServerProcess.start(null);
    int port = server.endpoint().getPort();
    byte[] data = new byte[BlobBlockingBenchmark.SIZE];
    new Random(42).nextBytes(data);
    com.sun.management.OperatingSystemMXBean os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
    Set<String> seen = new HashSet<>();
    Map<String, List<Double>> all = new LinkedHashMap<>();
    try (BlobClient blobs =
            new BlobClient(Clients.ambidex(server.endpoint(), Clients.Kind.AMBIDEX, 8).build());
        S3Client s3 = Clients.sdkBlocking(server.endpoint(), 8)) {
      blobs.createBucket(Clients.BUCKET);
      blobs.put(Clients.BUCKET, "get", data);
      GetObjectRequest sdkGet = GetObjectRequest.builder().bucket(Clients.BUCKET).key("get").build();
      for (int c = 0; c < cycles; c++) {
        for (String who : order) {
          boolean sdk = who.equals("sdk");
          for (int w = 0; w < windows; w++) {
            long gcs = gcCount();
            long gcMs = gcTime();
            long jitMs = jit.getTotalCompilationTime();
            long[] switches = contextSwitches();
            long cpu = os.getProcessCpuTime();
            long serverCpu = server.cpuNanos();
            newConnections(port, seen);
            long end = System.nanoTime() + 1_000_000_000L;
            long ops = 0;
            while (System.nanoTime() < end) {
              if (sdk) {
                s3.getObjectAsBytes(sdkGet).asByteArrayUnsafe();
              } else {
                blobs.get(Clients.BUCKET, "get");
              }
              ops++;
            }
            int connections = newConnections(port, seen);
            long[] after = contextSwitches();
            System.out.printf(
                "%s c%d w%02d ops %6d gc %d (%d ms) jit %4d ms newconn %d vcs %6d ivcs %5d"
                    + " cpu %4d ms srv %4d ms load %s%n",
                who, c, w, ops, gcCount() - gcs, gcTime() - gcMs,
                jit.getTotalCompilationTime() - jitMs, connections, after[0] - switches[0],
                after[1] - switches[1], (os.getProcessCpuTime() - cpu) / 1_000_000,
                (server.cpuNanos() - serverCpu) / 1_000_000,
                Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
            if (c > 0 || w >= windows / 2) {
              all.computeIfAbsent(who, k -> new ArrayList<>()).add((double) ops);
            }
          }
        }
      }
    } finally {
      server.close();
    }
    for (Map.Entry<String, List<Double>> e : all.entrySet()) {
      List<Double> v = new ArrayList<>(e.getValue());
      Collections.sort(v);
      System.out.printf(
          "SUMMARY %s median %.0f min %.0f max %.0f n %d%n",
          e.getKey(), v.get(v.size() / 2), v.get(0), v.get(v.size() - 1), v.size());
    }
  }

  private static long gcCount() {
    long n = 0;
    for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += g.getCollectionCount();
    }
    return n;
  }

  private static long gcTime() {
    long n = 0;
    for (GarbageCollectorMXBean g : ManagementFactory.getGarbageCollectorMXBeans()) {
      n += g.getCollectionTime();
    }
    return n;
  }

  /* Voluntary and involuntary context switches summed over the JVM's threads. */
  private static long[] contextSwitches() throws Exception {
    long voluntary = 0;
    long involuntary = 0;
    try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/self/task"))) {
      for (Path t : tasks) {
        List<String> lines;
        try {
          lines = Files.readAllLines(t.resolve("status"));
        } catch (java.io.IOException e) {
          continue; // the thread ended meanwhile
        }
        for (String l : lines) {
          if (l.startsWith("voluntary_ctxt_switches")) {
            voluntary += Long.parseLong(l.split("\\s+")[1]);
          } else if (l.startsWith("nonvoluntary_ctxt_switches")) {
            involuntary += Long.parseLong(l.split("\\s+")[1]);
          }
        }
      }
    }
    return new long[] {voluntary, involuntary};
  }

  /* Counts TCP connections between this host and the server's port not seen before. */
  private static int newConnections(int port, Set<String> seen) throws Exception {
    int n = 0;
    String hexPort = String.format(":%04X", port);
    for (String l : Files.readAllLines(Path.of("/proc/self/net/tcp"))) {
      String[] f = l.trim().split("\\s+");
      if (f.length < 4 || f[0].equals("sl")) {
        continue;
      }
      String key;
      if (f[2].endsWith(hexPort)) {
        key = f[1] + ">" + f[2];
      } else if (f[1].endsWith(hexPort) && !f[2].endsWith(":0000")) {
        key = f[2] + ">" + f[1];
      } else {
        continue;
      }
      if (seen.add(key)) {
        n++;
      }
    }
    return n;
  }
}
