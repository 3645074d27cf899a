package io.ambidex.blob.cli;

import io.ambidex.stream.AsyncIterators;
import io.ambidex.BlockingWait;
import io.ambidex.blob.AsyncBlobClient;
import io.ambidex.blob.BlobClient;
import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.ListEntry;
import io.ambidex.blob.PutResult;
import io.ambidex.http.TransferProgress;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * What the commands need from a store, implemented once over the blocking {@code BlobClient} and
 * once over {@code AsyncBlobClient} (for {@code --async}), so every command runs the same way
 * through either generated client.
 */
interface Store extends AutoCloseable {
  void createBucket(String bucket);

  PutResult put(String bucket, String key, Path file, Consumer<TransferProgress> progress);

  void download(String bucket, String key, Path file, Consumer<TransferProgress> progress);

  Stream<ListEntry> list(String bucket, String prefix);

  void delete(String bucket, String key);

  @Override
  void close();

  /** The blocking client: every call runs on this thread. */
  static Store blocking(BlobConfig config) {
    BlobClient client = new BlobClient(config);
    return new Store() {
      @Override
      public void createBucket(String bucket) {
        client.createBucket(bucket);
      }

      @Override
      public PutResult put(String bucket, String key, Path file, Consumer<TransferProgress> progress) {
        return client.put(bucket, key, file, progress);
      }

      @Override
      public void download(String bucket, String key, Path file, Consumer<TransferProgress> progress) {
        client.download(bucket, key, file, progress);
      }

      @Override
      public Stream<ListEntry> list(String bucket, String prefix) {
        return client.list(bucket, prefix.isEmpty() ? null : prefix, "/");
      }

      @Override
      public void delete(String bucket, String key) {
        client.delete(bucket, key);
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  /** The async client; the tool waits for each future, since a command line is sequential. */
  static Store async(BlobConfig config) {
    AsyncBlobClient client = new AsyncBlobClient(config);
    return new Store() {
      @Override
      public void createBucket(String bucket) {
        join(client.createBucket(bucket));
      }

      @Override
      public PutResult put(String bucket, String key, Path file, Consumer<TransferProgress> progress) {
        return join(client.put(bucket, key, file, event -> {
          progress.accept(event);
          return null;
        }));
      }

      @Override
      public void download(String bucket, String key, Path file, Consumer<TransferProgress> progress) {
        join(client.download(bucket, key, file, event -> {
          progress.accept(event);
          return null;
        }));
      }

      @Override
      public Stream<ListEntry> list(String bucket, String prefix) {
        return AsyncIterators.blockingStream(
            AsyncIterators.fromPublisher(client.list(bucket, prefix.isEmpty() ? null : prefix, "/")));
      }

      @Override
      public void delete(String bucket, String key) {
        join(client.delete(bucket, key));
      }

      @Override
      public void close() {
        join(client.close());
      }
    };
  }

  private static <T> T join(java.util.concurrent.CompletionStage<T> stage) {
    return BlockingWait.get(stage, "blob");
  }
}
