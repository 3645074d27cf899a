package io.ambidex.blob;

import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Run by {@link BoundedMemoryTest} in a separate JVM with a small heap ({@code -Xmx64m}): uploads
 * a generated stream of unknown length, much larger than the heap, through {@link BlobClient} and
 * then {@link AsyncBlobClient}, and reads each object back as a stream, comparing MD5s. Exits 0
 * and prints {@code OK} if everything fit and matched.
 *
 * <p>Arguments: endpoint, access key, secret key, bucket, MiB per object.
 */
public final class BoundedMemoryMain {
  private BoundedMemoryMain() {}

  public static void main(String[] args) throws Exception {
    try {
      run(args);
    } catch (Throwable t) {
      // The evidence a CI log keeps (a heap dump stays on a machine that is gone by then): what
      // failed, then what the heap holds now, while the other threads still hold what they hold.
      // Then out at once, whatever threads are left: a child that has failed must not make the
      // test wait its full time (a try that read jcmd's output through a pipe once kept the
      // child alive past its main).
      t.printStackTrace();
      System.out.println(classHistogram());
      System.out.flush();
      Runtime.getRuntime().halt(1);
    }
  }

  /*
   * The JVM's class histogram, its first 30 lines, or why there is none: from the JDK's jcmd
   * beside this JVM's java, run against this process (the test's module does not read
   * java.management, whose DiagnosticCommand MBean would give the same in process).
   */
  static String classHistogram() {
    try {
      Path self = Path.of(ProcessHandle.current().info().command().orElseThrow());
      Path out = Files.createTempFile("bounded-memory-histogram", ".txt");
      Process jcmd = new ProcessBuilder(
              self.resolveSibling("jcmd").toString(),
              Long.toString(ProcessHandle.current().pid()),
              "GC.class_histogram")
          .redirectErrorStream(true)
          .redirectOutput(out.toFile())
          .start();
      if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
        jcmd.destroyForcibly();
      }
      String text = Files.readString(out, StandardCharsets.UTF_8);
      Files.deleteIfExists(out);
      return "Class histogram of the child's heap:\n"
          + String.join("\n", text.lines().limit(30).toList());
    } catch (Exception | Error e) {
      return "No class histogram: " + e;
    }
  }

  private static void run(String[] args) throws Exception {
    URI endpoint = URI.create(args[0]);
    long size = Long.parseLong(args[4]) * 1024 * 1024;
    BlobConfig config =
        BlobConfig.builder()
            .endpoint(endpoint)
            .credentials(Credentials.of(args[1], args[2]))
            .partSize(8 * 1024 * 1024)
            .concurrency(4)
            .build();
    String bucket = args[3];

    Generated blocking = new Generated(size, 1);
    try (BlobClient client = new BlobClient(config)) {
      PutResult put = client.put(bucket, "blocking", blocking);
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      try (Stream<ByteBuffer> body = client.open(bucket, "blocking")) {
        body.forEach(md5::update);
      }
      check("blocking", put, blocking, md5, size);
    }

    Generated async = new Generated(size, 2);
    AsyncBlobClient client = new AsyncBlobClient(config);
    try {
      PutResult put = client.put(bucket, "async", async).get(120, TimeUnit.SECONDS);
      MessageDigest md5 = MessageDigest.getInstance("MD5");
      Flow.Publisher<ByteBuffer> body = client.open(bucket, "async");
      java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
      body.subscribe(new Flow.Subscriber<>() {
        Flow.Subscription s;

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
          s = subscription;
          s.request(1);
        }

        @Override
        public void onNext(ByteBuffer item) {
          md5.update(item);
          s.request(1);
        }

        @Override
        public void onError(Throwable t) {
          done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
          done.complete(null);
        }
      });
      done.get(120, TimeUnit.SECONDS);
      check("async", put, async, md5, size);
    } finally {
      client.close().get(30, TimeUnit.SECONDS);
    }
    Runtime rt = Runtime.getRuntime();
    System.out.println("OK maxHeap=" + rt.maxMemory() / (1024 * 1024) + "MiB");
  }

  private static void check(String what, PutResult put, Generated source, MessageDigest read, long size) {
    String sent = HexFormat.of().formatHex(source.md5.digest());
    String got = HexFormat.of().formatHex(read.digest());
    if (put.size() != size || !sent.equals(got) || put.parts() != (int) ((size + (8 << 20) - 1) / (8 << 20))) {
      throw new AssertionError(what + ": size " + put.size() + ", parts " + put.parts() + ", sent " + sent + ", read " + got);
    }
  }

  /** A deterministic stream of pseudo-random bytes of a given length, hashed as it is read. */
  static final class Generated extends InputStream {
    final MessageDigest md5;
    final long size;
    final AtomicLong position = new AtomicLong();
    long state;

    Generated(long size, long seed) throws Exception {
      this.size = size;
      this.state = seed;
      this.md5 = MessageDigest.getInstance("MD5");
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      long left = size - position.get();
      if (left <= 0) {
        return -1;
      }
      int n = (int) Math.min(len, left);
      for (int i = 0; i < n; i++) {
        state = state * 6364136223846793005L + 1442695040888963407L;
        b[off + i] = (byte) (state >>> 56);
      }
      md5.update(b, off, n);
      position.addAndGet(n);
      return n;
    }
  }
}
