package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.context.ContextPropagation;
import io.ambidex.control.AsyncCallback;
import io.ambidex.http.TransferProgress;
import io.ambidex.s3embedded.EmbeddedS3;
import io.ambidex.test.ThreadLocalContext;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Context propagation end to end, through the async blob client over the real async transport:
 * a value the caller binds is what its progress callbacks see, on whichever thread they run (the
 * transport's I/O threads for an upload, the client's virtual threads for a download), through a multipart upload and a download (ranged GETs in parallel
 * above the part size), and so are the caller's own continuations on the future the client
 * returns, which the transport completes on its I/O thread.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ContextThroughClientTest {
  /** A user's own context: one thread-local and its propagator. */
  static final ThreadLocalContext REQUEST = new ThreadLocalContext();

  static EmbeddedS3 s3;

  @TempDir static Path data;
  @TempDir Path dir;

  private ContextPropagation.Registration registration;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(data.resolve("store"));
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @BeforeEach
  void register() {
    registration = ContextPropagation.register(REQUEST);
  }

  @AfterEach
  void unregister() {
    registration.close();
    REQUEST.set(null);
  }

  /** Records the request id each callback sees, and the threads it ran on. */
  static final class Seen implements AsyncCallback<TransferProgress> {
    final List<@Nullable String> values = new CopyOnWriteArrayList<>();
    final Set<String> threads = ConcurrentHashMap.newKeySet();

    @Override
    public java.util.concurrent.@Nullable CompletionStage<?> call(TransferProgress progress) {
      values.add(REQUEST.get());
      threads.add(Thread.currentThread().getName());
      return null;
    }
  }

  @Test
  void progressCallbacksOfTransfers_seeTheCallersContext_onEveryThread() throws Exception {
    byte[] large = bytes(12 * MIB, 5);
    String bucket = Fixtures.bucket();
    AsyncBlobClient client =
        new AsyncBlobClient(Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey()).build());
    try {
      REQUEST.set("setup");
      client.createBucket(bucket).get(30, TimeUnit.SECONDS);

      REQUEST.set("req-upload");
      Seen upload = new Seen();
      var put = client.put(bucket, "large", large, upload);
      REQUEST.set("changed after the call started");
      put.get(60, TimeUnit.SECONDS);

      REQUEST.set("req-download");
      Seen download = new Seen();
      var got = client.download(bucket, "large", dir.resolve("large"), download);
      REQUEST.set(null);
      got.get(60, TimeUnit.SECONDS);

      assertThat(upload.values).as("upload progress, on " + upload.threads).isNotEmpty()
          .containsOnly("req-upload");
      assertThat(download.values).as("download progress, on " + download.threads).isNotEmpty()
          .containsOnly("req-download");
      assertThat(upload.threads).as("a hop happened").isNotEmpty()
          .noneMatch(n -> n.equals(Thread.currentThread().getName()));

      // The caller's own continuation, attached to a future that a thread of the client
      // completes (the ranges of a large get are read on its virtual threads, not on the
      // transport's I/O threads).
      REQUEST.set("req-get");
      var get = client.get(bucket, "large");
      var seen = get.thenApply(bytes -> REQUEST.get() + " on " + Thread.currentThread().getName());
      REQUEST.set(null);
      assertThat(seen.get(60, TimeUnit.SECONDS)).matches("req-get on ambidex-blob-\\d+");
      assertThat(REQUEST.get()).as("the caller's own value, untouched").isNull();
    } finally {
      client.close().get(30, TimeUnit.SECONDS);
    }
  }
}
