package io.ambidex.bench.blob;

import io.ambidex.blob.AsyncBlobClient;
import io.ambidex.blob.BlobClient;
import io.ambidex.blob.BlobConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Not a JMH benchmark: what a large download costs the other requests of the same async client.
 * Its transport's I/O threads serve every exchange; work a download does on them (a digest of
 * each chunk) delays the small requests whose connections they also serve. The probe stores a
 * 1 KiB object and a large one (256 MiB by default, 8 MiB parts, MD5 checked: the default for an
 * endpoint that is not AWS's) in a server of its own ({@link S3ServerProcess}), then, while the
 * async client downloads the large object into memory again and again, GETs the small one on the
 * same client, one at a time, and prints the small GETs' latency percentiles; then the same
 * without the download, as the baseline. Wall-clock figures of one machine, for comparing two
 * builds run one after the other.
 *
 * <pre>
 * J=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
 * $J -Xmx1g -cp ambidex-bench/target/benchmarks.jar io.ambidex.bench.blob.IoStallProbe md5 20 [MiB]
 * </pre>
 */
public final class IoStallProbe {
  private IoStallProbe() {}

  /**
   * Runs the probe.
   *
   * @param args the large object's checksum ({@code md5} or {@code crc32c}), the number of large
   *     downloads, and optionally the large object's size in MiB
   */
  public static void main(String[] args) throws Exception {
    Clients.Kind kind =
        switch (args[0]) {
          case "md5" -> Clients.Kind.AMBIDEX_MD5;
          case "crc32c" -> Clients.Kind.AMBIDEX;
          default -> throw new IllegalArgumentException("md5 or crc32c, not " + args[0]);
        };
    int downloads = Integer.parseInt(args[1]);
    int mib = Integer.parseInt(args.length > 2 ? args[2] : "256");
    Path dir = Files.createTempDirectory("ambidex-io-stall-probe-");
    S3ServerProcess server = S3ServerProcess.start(dir.resolve("store"));
    try {
      BlobConfig config =
          Clients.ambidex(server.endpoint(), kind, 8)
              .partSize(BlobLargeTransferBenchmark.PART_SIZE)
              .multipartThreshold(BlobLargeTransferBenchmark.THRESHOLD)
              .concurrency(BlobLargeTransferBenchmark.PARTS_IN_FLIGHT)
              .build();
      byte[] large = new byte[mib * Clients.MIB];
      new Random(1).nextBytes(large);
      try (BlobClient setup = new BlobClient(config)) {
        setup.createBucket(Clients.BUCKET);
        setup.put(Clients.BUCKET, "large", large);
        setup.put(Clients.BUCKET, "small", Arrays.copyOf(large, 1024));
      }
      large = null;
      AsyncBlobClient client = new AsyncBlobClient(config);
      try {
        // Warm both paths, so that the JIT is not what is measured.
        for (int i = 0; i < 3; i++) {
          client.get(Clients.BUCKET, "large").get(60, TimeUnit.SECONDS);
        }
        smallGets(client, 2_000, null);
        long[] alone = smallGets(client, 4_000, null);
        CompletableFuture<Void> busy = downloadsInTurn(client, downloads);
        long[] beside = smallGets(client, Integer.MAX_VALUE, busy);
        busy.get(600, TimeUnit.SECONDS);
        print("alone", alone);
        print("beside a download", beside);
      } finally {
        client.close().get(30, TimeUnit.SECONDS);
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

  /* The large object downloaded `n` times, one after the other. */
  private static CompletableFuture<Void> downloadsInTurn(AsyncBlobClient client, int n) {
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int i = 0; i < n; i++) {
      chain = chain.thenCompose(ignored -> client.get(Clients.BUCKET, "large").thenAccept(b -> {}));
    }
    return chain;
  }

  /* Latencies in microseconds of small GETs, one at a time, `count` of them or until `until`. */
  private static long[] smallGets(
      AsyncBlobClient client, int count, CompletableFuture<Void> until) throws Exception {
    long[] latencies = new long[1 << 20];
    int n = 0;
    while (n < count && n < latencies.length && (until == null || !until.isDone())) {
      long start = System.nanoTime();
      byte[] got = client.get(Clients.BUCKET, "small").get(30, TimeUnit.SECONDS);
      latencies[n++] = (System.nanoTime() - start) / 1_000;
      if (got.length != 1024) {
        throw new IllegalStateException("small object of " + got.length + " bytes");
      }
    }
    return Arrays.copyOf(latencies, n);
  }

  private static void print(String what, long[] micros) {
    long[] sorted = micros.clone();
    Arrays.sort(sorted);
    System.out.printf(
        "%s: %d GETs, p50 %d us, p90 %d us, p99 %d us, p99.9 %d us, max %d us%n",
        what,
        sorted.length,
        at(sorted, 0.50),
        at(sorted, 0.90),
        at(sorted, 0.99),
        at(sorted, 0.999),
        sorted[sorted.length - 1]);
  }

  private static long at(long[] sorted, double q) {
    return sorted[Math.min(sorted.length - 1, (int) Math.floor(q * sorted.length))];
  }
}
