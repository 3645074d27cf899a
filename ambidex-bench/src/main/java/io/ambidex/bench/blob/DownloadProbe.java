package io.ambidex.bench.blob;

import io.ambidex.blob.AsyncBlobClient;
import io.ambidex.blob.BlobClient;
import io.ambidex.blob.BlobConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

/**
 * Not a JMH benchmark: a quick A/B probe of the large download, for comparing two builds (two
 * benchmark jars) run one after the other in the same time window. It stores one object (256 MiB
 * by default, CRC32C, 8 MiB parts) in a server of its own ({@link S3ServerProcess}), downloads it
 * {@code warm} times untimed per client (env {@code PROBE_WARM}, default 0), then {@code rounds}
 * times per client in turn, and prints each download's wall time, the client JVM's CPU time and
 * the server's, then the medians (the first two timed rounds left out). With env {@code
 * PROBE_WAIT} set it prints {@code READY pid} and waits 4 s after the warm-up, so that {@code
 * perf stat -p pid} can attach for the timed rounds only. Setup as in {@link
 * BlobLargeTransferBenchmark}: ranged downloads, 4 at once.
 *
 * <pre>
 * J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
 * PROBE_WARM=6 $J -Xmx512m -cp ambidex-bench/target/benchmarks.jar \
 *     io.ambidex.bench.blob.DownloadProbe async,sync 6 [MiB]
 * </pre>
 */
public final class DownloadProbe {
  private DownloadProbe() {}

  /**
   * Runs the probe.
   *
   * @param args clients in turn ({@code async,sync}), timed rounds, and optionally the size in MiB
   */
  public static void main(String[] args) throws Exception {
    String[] clients = args[0].split(",");
    int rounds = Integer.parseInt(args[1]);
    long size = Long.parseLong(args.length > 2 ? args[2] : "256") * Clients.MIB;
    int warm = Integer.parseInt(System.getenv().getOrDefault("PROBE_WARM", "0"));
    Path dir = Files.createTempDirectory("ambidex-download-probe-");
    Path source = dir.resolve("source.bin");
    Path target = dir.resolve("target.bin");
    writeRandom(source, size);
    S3ServerProcess server = S3ServerProcess.start(dir.resolve("store"));
    try {
      BlobConfig config =
          Clients.ambidex(server.endpoint(), Clients.Kind.AMBIDEX, 8)
              .partSize(BlobLargeTransferBenchmark.PART_SIZE)
              .multipartThreshold(BlobLargeTransferBenchmark.THRESHOLD)
              .concurrency(BlobLargeTransferBenchmark.PARTS_IN_FLIGHT)
              .build();
      try (BlobClient setup = new BlobClient(config)) {
        setup.createBucket(Clients.BUCKET);
        setup.put(Clients.BUCKET, "object", source);
      }
      try (BlobClient sync = new BlobClient(config)) {
        AsyncBlobClient async = new AsyncBlobClient(config);
        try {
          for (int i = 0; i < warm; i++) {
            for (String client : clients) {
              download(client, sync, async, target);
            }
          }
          if (System.getenv("PROBE_WAIT") != null) {
            System.out.println("READY " + ProcessHandle.current().pid());
            System.out.flush();
            Thread.sleep(4000);
          }
          com.sun.management.OperatingSystemMXBean os =
              (com.sun.management.OperatingSystemMXBean)
                  ManagementFactory.getOperatingSystemMXBean();
          Map<String, List<Double>> figures = new LinkedHashMap<>();
          for (int i = 0; i < rounds; i++) {
            for (String client : clients) {
              long cpu = os.getProcessCpuTime();
              long serverCpu = server.cpuNanos();
              long start = System.nanoTime();
              download(client, sync, async, target);
              double ms = (System.nanoTime() - start) / 1e6;
              double cpuMs = (os.getProcessCpuTime() - cpu) / 1e6;
              double serverMs = (server.cpuNanos() - serverCpu) / 1e6;
              if (Files.size(target) != size) {
                throw new IllegalStateException("The download wrote " + Files.size(target));
              }
              System.out.printf(
                  "%s %d %.1f ms cpu %.0f server %.0f%n", client, i, ms, cpuMs, serverMs);
              figures.computeIfAbsent(client, k -> new ArrayList<>()).add(ms);
              figures.computeIfAbsent(client + "-cpu", k -> new ArrayList<>()).add(cpuMs);
            }
          }
          for (Map.Entry<String, List<Double>> e : figures.entrySet()) {
            List<Double> v = e.getValue();
            List<Double> kept = new ArrayList<>(v.subList(Math.min(2, v.size() - 1), v.size()));
            Collections.sort(kept);
            System.out.printf(
                "MEDIAN %s %.1f ms (of %d)%n", e.getKey(), kept.get(kept.size() / 2), kept.size());
          }
        } finally {
          async.close().join();
        }
      }
    } finally {
      server.close();
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  private static void download(String client, BlobClient sync, AsyncBlobClient async, Path target)
      throws IOException {
    Files.deleteIfExists(target);
    if (client.equals("async")) {
      async.download(Clients.BUCKET, "object", target, null).join();
    } else if (client.equals("sync")) {
      sync.download(Clients.BUCKET, "object", target, null);
    } else {
      throw new IllegalArgumentException("client must be async or sync, but was " + client);
    }
  }

  private static void writeRandom(Path file, long size) throws IOException {
    Random random = new Random(1);
    byte[] block = new byte[Clients.MIB];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long written = 0; written < size; written += block.length) {
        random.nextBytes(block);
        out.write(block);
      }
    }
  }
}
