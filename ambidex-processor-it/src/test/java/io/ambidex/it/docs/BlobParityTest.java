package io.ambidex.it.docs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.control.AsyncCallback;
import io.ambidex.test.ApiParity;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The testing sample of docs/processor.md. */
class BlobParityTest {
  static final ExecutorService POOL = Executors.newFixedThreadPool(2);

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  @RegisterExtension
  static final ParityExtension<BlobClient, AsyncBlobClient> BLOBS =
      ParityExtension.<BlobClient, AsyncBlobClient>builder()
          .blocking("sync transport", MemoryBlobs::new, m -> new BlobClient(m.syncTransport()))
          .async(
              "async transport",
              MemoryBlobs::new,
              m -> new AsyncBlobClient(m.asyncTransport(POOL)))
          .build();

  @ParityTest
  void put_thenGet_returnsTheBytes(Parity<BlobClient, AsyncBlobClient> parity) throws Exception {
    byte[] hello = "hello".getBytes(UTF_8);
    parity.run(c -> c.put("k", hello, sent -> {}))
        .async(a -> a.put("k", hello, AsyncCallback.of(sent -> {})));

    assertThat(parity.call(c -> c.get("k")).async(a -> a.get("k"))).isEqualTo(hello);
  }

  @ParityTest
  void get_missingBlob_failsWithBlobNotFound(Parity<BlobClient, AsyncBlobClient> parity) {
    assertThatThrownBy(() -> parity.call(c -> c.get("nope")).async(a -> a.get("nope")))
        .isInstanceOf(BlobNotFoundException.class);
  }

  @Test
  void facades_haveParallelShapes() {
    ApiParity.assertParallel(BlobClient.class, AsyncBlobClient.class);
  }
}
