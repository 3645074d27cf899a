package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.Credentials;
import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Ctrl-C interrupts the command's thread, and the command then closes its store on that thread.
 * The close must still happen in full (the client waits there for cancelled transfers to delete
 * their temporary files and abort their uploads), and the interrupt must still be there after it.
 * Before, the wait for the async client's close threw at once on the interrupted thread and
 * cancelled the close: `InterruptTest` then found a `.part` file left under load.
 */
class StoreCloseTest {

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  @Timeout(value = 60, unit = TimeUnit.SECONDS)
  void close_onAnInterruptedThread_closesInFull_andKeepsTheInterrupt(
      boolean async, @TempDir Path dir) throws Exception {
    try (EmbeddedS3 s3 = EmbeddedS3.start(dir.resolve("store"))) {
      BlobConfig config =
          BlobConfig.builder()
              .endpoint(s3.endpoint())
              .credentials(Credentials.of(s3.accessKey(), s3.secretKey()))
              .build();
      Store store = async ? Store.async(config) : Store.blocking(config);
      Store.await(store.createBucket("close-interrupted"));

      Thread.currentThread().interrupt();
      boolean interruptKept;
      try {
        assertThatCode(store::close).doesNotThrowAnyException();
      } finally {
        interruptKept = Thread.interrupted();
      }

      assertThat(interruptKept).as("the interrupt is kept for the caller").isTrue();
      assertThatThrownBy(() -> Store.await(store.createBucket("after-close")))
          .as("the client was really closed")
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }
}
