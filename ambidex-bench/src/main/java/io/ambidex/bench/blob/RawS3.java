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
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/**
 * The server-bound limit: a client that does nothing but move bytes between the socket and the
 * file. Each request is signed (SigV4, {@code UNSIGNED-PAYLOAD}, by the AWS SDK's signer: a few
 * microseconds), written by hand on a fresh {@link SocketChannel}, and its body moved with {@link
 * FileChannel#transferFrom}/{@link FileChannel#transferTo} (the kernel copies it; the JVM neither
 * reads nor hashes a byte). No retries, no checksums, no pooling. A download is {@code parallel}
 * ranged GETs of {@code rangeSize} bytes written at their offsets; an upload is {@code parallel}
 * plain PUTs of equal slices of the file to keys {@code <key>-0..n} (no multipart: the same bytes
 * through the server's write path, without the create and complete requests).
 */
final class RawS3 {
  private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

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

  private void get(String bucket, String key, FileChannel file, long start, long length)
      throws IOException {
    Map<String, List<String>> headers =
        sign(SdkHttpMethod.GET, bucket, key, Map.of("Range", "bytes=" + start + "-" + (start + length - 1)));
    try (SocketChannel ch = connect()) {
      send(ch, "GET", bucket, key, headers, -1);
      ByteBuffer head = ByteBuffer.allocate(16 * 1024);
      int bodyAt = readHead(ch, head, 206);
      long at = start;
      head.position(bodyAt);
      while (head.hasRemaining()) {
        at += file.write(head, at);
      }
      long end = start + length;
      while (at < end) {
        long n = file.transferFrom(ch, at, end - at);
        if (n <= 0) {
          throw new IOException("connection closed at " + at + " of range ending " + end);
        }
        at += n;
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

  /* Reads until the end of the response head; returns the index where the body starts. */
  private static int readHead(SocketChannel ch, ByteBuffer buf, int expected) throws IOException {
    while (true) {
      if (ch.read(buf) < 0) {
        throw new IOException("connection closed in the response head");
      }
      byte[] a = buf.array();
      for (int i = 3; i < buf.position(); i++) {
        if (a[i - 3] == '\r' && a[i - 2] == '\n' && a[i - 1] == '\r' && a[i] == '\n') {
          String head = new String(a, 0, i, StandardCharsets.US_ASCII);
          int status = Integer.parseInt(head.substring(9, 12));
          if (status != expected) {
            throw new UncheckedIOException(new IOException(
                "status " + status + ": " + head.lines().findFirst().orElse("").toLowerCase(Locale.ROOT)));
          }
          buf.flip();
          return i + 1;
        }
      }
    }
  }
}
