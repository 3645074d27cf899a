package io.ambidex.flavours.it;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.BlobObject;
import io.ambidex.blob.MutinyBlobClient;
import io.ambidex.blob.ReactorBlobClient;
import io.ambidex.blob.Rx3BlobClient;
import io.ambidex.mutiny.MutinyFacades;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Mono;

/**
 * The samples of docs/reactor.md, docs/rxjava.md and docs/mutiny.md, run against the embedded S3
 * server ({@code DocsCompileTest} in ambidex-examples checks that the pages quote them line for
 * line).
 */
@Timeout(120)
class DocSamplesTest {
  private final BlobConfig config = SharedS3.config(4);

  @Test
  void reactor() {
    String bucket = SharedS3.freshBucket();
    ReactorBlobClient blobs = new ReactorBlobClient(config);
    // Nothing has started yet: each Mono calls the client when subscribed, in this order.
    Mono<byte[]> greeting =
        blobs
            .createBucket(bucket)
            .then(blobs.put(bucket, "greeting", "hello".getBytes(UTF_8)))
            .then(blobs.put(bucket, "farewell", "bye".getBytes(UTF_8)))
            .then(blobs.get(bucket, "greeting"));
    byte[] data = greeting.block(Duration.ofSeconds(30));
    // take(1) cancels the listing after its first key, which closes it on the server side.
    List<String> first =
        blobs.list(bucket, null).map(BlobObject::key).take(1).collectList().block();
    blobs.close().block();

    assertThat(new String(data, UTF_8)).isEqualTo("hello");
    assertThat(first).containsExactly("farewell");
  }

  @Test
  void rxjava() {
    String bucket = SharedS3.freshBucket();
    Rx3BlobClient blobs = new Rx3BlobClient(config);
    byte[] data =
        blobs
            .createBucket(bucket)
            .andThen(blobs.put(bucket, "greeting", "hello".getBytes(UTF_8)))
            .flatMap(put -> blobs.get(bucket, "greeting"))
            .blockingGet();
    long count = blobs.list(bucket, null).count().blockingGet();
    blobs.close().blockingAwait();

    assertThat(new String(data, UTF_8)).isEqualTo("hello");
    assertThat(count).isEqualTo(1);
  }

  @Test
  void mutiny() {
    String bucket = SharedS3.freshBucket();
    MutinyBlobClient blobs = new MutinyBlobClient(config);
    byte[] data =
        blobs
            .createBucket(bucket)
            .chain(() -> blobs.put(bucket, "greeting", "hello".getBytes(UTF_8)))
            .chain(() -> blobs.get(bucket, "greeting"))
            .await()
            .atMost(Duration.ofSeconds(30));
    List<BlobObject> objects = blobs.list(bucket, null).collect().asList().await().indefinitely();
    blobs.close().await().indefinitely();

    assertThat(new String(data, UTF_8)).isEqualTo("hello");
    assertThat(objects).extracting(BlobObject::key).containsExactly("greeting");
  }

  /* docs/mutiny.md's opt-in: the BlockingGuard's check, alone and beside a framework's. */
  @Test
  void mutinyAwaitCheck() {
    boolean[] frameworkAllows = {true};
    BooleanSupplier frameworkCheck = () -> frameworkAllows[0];
    try {
      Infrastructure.setCanCallerThreadBeBlockedSupplier(MutinyFacades::callerThreadMayBlock);
      // beside a framework's own check:
      Infrastructure.setCanCallerThreadBeBlockedSupplier(
          () -> MutinyFacades.callerThreadMayBlock() && frameworkCheck.getAsBoolean());

      assertThat(Infrastructure.canCallerThreadBeBlocked()).as("a test thread may block").isTrue();
      frameworkAllows[0] = false;
      assertThat(Infrastructure.canCallerThreadBeBlocked()).as("the framework refuses").isFalse();
    } finally {
      Infrastructure.resetCanCallerThreadBeBlockedSupplier();
    }
  }
}
