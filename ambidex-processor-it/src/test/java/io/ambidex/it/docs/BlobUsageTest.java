package io.ambidex.it.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs the usage samples of docs/processor.md. */
class BlobUsageTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  @Test
  void blockingFacade_sample() throws Exception {
    BlobTransport transport = new MemoryBlobs().syncTransport();
    List<Long> progress = new ArrayList<>();
    List<String> names = new ArrayList<>();
    byte[] data;

    try (BlobClient blobs = new BlobClient(transport)) {
      blobs.put("greeting", "hello".getBytes(UTF_8), progress::add);
      data = blobs.get("greeting");
      try (Stream<String> keys = blobs.list("gr")) {
        keys.forEach(names::add);
      }
    }

    assertThat(new String(data, UTF_8)).isEqualTo("hello");
    assertThat(progress).containsExactly(5L);
    assertThat(names).containsExactly("greeting");
  }

  @Test
  void asyncFacade_sample() throws Exception {
    BlobTransport transport = new MemoryBlobs().asyncTransport(pool);

    AsyncBlobClient blobs = new AsyncBlobClient(transport);
    CompletableFuture<String> text =
        blobs
            .put("greeting", "hello".getBytes(UTF_8), sent -> null)
            .thenCompose(stored -> blobs.get("greeting"))
            .thenApply(bytes -> new String(bytes, UTF_8));

    assertThat(text.get(10, TimeUnit.SECONDS)).isEqualTo("hello");
    blobs.close().get(10, TimeUnit.SECONDS);
  }
}
