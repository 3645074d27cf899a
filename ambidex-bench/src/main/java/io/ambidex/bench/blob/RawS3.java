package io.ambidex.bench.blob;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Checksum;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The server-bound limit: a client that does nothing but move bytes between the socket and the
 * file. Each request is signed (SigV4, {@code UNSIGNED-PAYLOAD}, by the AWS SDK's signer: a few
 * microseconds) and written by hand on a fresh {@link SocketChannel}. No retries, no checksums,
 * no pooling, no parsing beyond the status line. A download is {@code parallel} ranged GETs of
 * {@code rangeSize} bytes, each read into a 1 MiB direct buffer and written at its offset (two
 * copies, both by the kernel; {@link FileChannel#transferFrom} from a socket would loop over 8 KiB
 * reads and writes, which cost more CPU than the clients measured); a stream is one GET read into
 * a 256 KiB array, every byte touched (a CRC32C) as the benchmark's readers do; an upload is {@code
 * parallel} plain PUTs of equal slices of the file to keys {@code <key>-0..n} with {@link
 * FileChannel#transferTo} ({@code sendfile}; no multipart: the same bytes through the server's
 * write path, without the create and complete requests).
 */
final class RawS3 {
  private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();
  /* One 1 MiB direct buffer per download thread, reused across ranges. */
  private static final ThreadLocal<ByteBuffer> BUFFERS =
      ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1024 * 1024));

  private final URI endpoint;
  private final int parallel;
  private final ExecutorService threads;

  RawS3(URI endpoint, int parallel) {
    this.endpoint = endpoint;
    this.parallel = parallel;
    this.threads = Executors.newFixedThreadPool(parallel);
  }

  /** Downloads {@code size} bytes of the object into {@code target}, in ranges. */
  void download(String bucket, String key, Path target, long size, long rangeSize)
      throws Exception {
    try (FileChannel file =
        FileChannel.open(target, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      List<Future<?>> ranges = new ArrayList<>();
      for (long start = 0; start < size; start += rangeSize) {
        long s = start;
        long len = Math.min(rangeSize, size - start);
        ranges.add(threads.submit(() -> {
          get(bucket, key, file, s, len);
          return null;
        }));
      }
      for (Future<?> f : ranges) {
        f.get();
      }
    }
  }

  /** The keys {@link #upload} stores {@code key}'s slices under, in the order of the bytes. */
  List<String> sliceKeys(String key) {
    List<String> keys = new ArrayList<>();
    for (int i = 0; i < parallel; i++) {
      keys.add(key + "-" + i);
    }
    return keys;
  }

  /** Uploads {@code source} as {@code parallel} objects {@code key-i} of equal slices. */
  void upload(String bucket, String key, Path source, long size) throws Exception {
    try (FileChannel file = FileChannel.open(source, StandardOpenOption.READ)) {
      long slice = (size + parallel - 1) / parallel;
      List<Future<?>> puts = new ArrayList<>();
      for (int i = 0; i < parallel; i++) {
        long s = i * slice;
        long len = Math.min(slice, size - s);
        String k = key + "-" + i;
        puts.add(threads.submit(() -> {
          put(bucket, k, file, s, len);
          return null;
        }));
      }
      for (Future<?> f : puts) {
        f.get();
      }
    }
  }

  void close() {
    threads.shutdownNow();
  }

  /**
   * Reads the whole object with one GET, touching every byte in order (into {@code crc}, as the
   * benchmark's readers do); returns the byte count.
   */
  long stream(String bucket, String key, long size, Checksum crc) throws IOException {
    Map<String, List<String>> headers = sign(SdkHttpMethod.GET, bucket, key, Map.of());
    try (SocketChannel ch = connect()) {
      send(ch, "GET", bucket, key, headers, -1);
      ByteBuffer buf = ByteBuffer.allocate(256 * 1024);
      byte[] a = buf.array();
      int bodyAt = readHead(ch, buf, 200);
      buf.position(bodyAt);
      long read = 0;
      while (true) {
        crc.update(a, buf.position(), buf.remaining());
        read += buf.remaining();
        if (read >= size || ch.read(buf.clear()) < 0) {
          break;
        }
        buf.flip();
      }
      return read;
    }
  }

  private void get(String bucket, String key, FileChannel file, long start, long length)
      throws IOException {
    Map<String, List<String>> headers =
        sign(SdkHttpMethod.GET, bucket, key, Map.of("Range", "bytes=" + start + "-" + (start + length - 1)));
    try (SocketChannel ch = connect()) {
      send(ch, "GET", bucket, key, headers, -1);
      ByteBuffer buf = BUFFERS.get();
      int bodyAt = readHead(ch, buf.clear(), 206);
      buf.position(bodyAt);
      long at = start;
      long end = start + length;
      while (true) {
        while (buf.hasRemaining()) {
          at += file.write(buf, at);
        }
        if (at >= end) {
          return;
        }
        if (ch.read(buf.clear().limit((int) Math.min(buf.capacity(), end - at))) < 0) {
          throw new IOException("connection closed at " + at + " of range ending " + end);
        }
        buf.flip();
      }
    }
  }

  private void put(String bucket, String key, FileChannel file, long start, long length)
      throws IOException {
    Map<String, List<String>> headers =
        sign(SdkHttpMethod.PUT, bucket, key, Map.of("Content-Length", Long.toString(length)));
    try (SocketChannel ch = connect()) {
      send(ch, "PUT", bucket, key, headers, length);
      long at = start;
      long end = start + length;
      while (at < end) {
        at += file.transferTo(at, end - at, ch);
      }
      readHead(ch, ByteBuffer.allocate(16 * 1024), 200);
    }
  }

  private SocketChannel connect() throws IOException {
    return SocketChannel.open(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()));
  }

  private Map<String, List<String>> sign(
      SdkHttpMethod method, String bucket, String key, Map<String, String> extra) {
    SdkHttpRequest.Builder b =
        SdkHttpRequest.builder().method(method).uri(URI.create(endpoint + "/" + bucket + "/" + key));
    extra.forEach(b::putHeader);
    SdkHttpRequest signed =
        SIGNER
            .sign(r -> r
                .identity(AwsCredentialsIdentity.create(S3ServerProcess.ACCESS_KEY, S3ServerProcess.SECRET_KEY))
                .request(b.build())
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false))
            .request();
    return signed.headers();
  }

  private void send(
      SocketChannel ch, String method, String bucket, String key,
      Map<String, List<String>> headers, long length) throws IOException {
    StringBuilder s = new StringBuilder(512);
    s.append(method).append(" /").append(bucket).append('/').append(key).append(" HTTP/1.1\r\n");
    boolean host = false;
    for (Map.Entry<String, List<String>> h : headers.entrySet()) {
      host |= h.getKey().equalsIgnoreCase("host");
      for (String v : h.getValue()) {
        s.append(h.getKey()).append(": ").append(v).append("\r\n");
      }
    }
    if (!host) {
      s.append("Host: ").append(endpoint.getRawAuthority()).append("\r\n");
    }
    s.append("Connection: close\r\n\r\n");
    ByteBuffer b = ByteBuffer.wrap(s.toString().getBytes(StandardCharsets.US_ASCII));
    while (b.hasRemaining()) {
      ch.write(b);
    }
  }

  /*
   * Reads until the end of the response head, checks its status, and leaves the buffer flipped
   * over what was read; returns the index where the body starts.
   */
  private static int readHead(SocketChannel ch, ByteBuffer buf, int expected) throws IOException {
    int scanned = 3;
    while (true) {
      if (ch.read(buf) < 0) {
        throw new IOException("connection closed in the response head");
      }
      for (int i = scanned; i < buf.position(); i++) {
        if (buf.get(i - 3) == '\r' && buf.get(i - 2) == '\n' && buf.get(i - 1) == '\r'
            && buf.get(i) == '\n') {
          byte[] a = new byte[i];
          buf.get(0, a);
          String head = new String(a, StandardCharsets.US_ASCII);
          int status = Integer.parseInt(head.substring(9, 12));
          if (status != expected) {
            throw new UncheckedIOException(new IOException(
                "status " + status + ": " + head.lines().findFirst().orElse("").toLowerCase(Locale.ROOT)));
          }
          buf.flip();
          return i + 1;
        }
      }
      scanned = Math.max(3, buf.position());
    }
  }
}
