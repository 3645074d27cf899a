package io.ambidex.blob.cli;

import io.ambidex.BlockingWait;
import io.ambidex.blob.AsyncBlobClient;
import io.ambidex.blob.BlobClient;
import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.BlobObject;
import io.ambidex.blob.Bucket;
import io.ambidex.blob.ListEntry;
import io.ambidex.blob.ObjectDetails;
import io.ambidex.blob.PendingUpload;
import io.ambidex.blob.PutOptions;
import io.ambidex.blob.PutResult;
import io.ambidex.control.Async;
import io.ambidex.control.SyncRuntime;
import io.ambidex.http.TransferProgress;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.taskgroup.AsyncTaskGroup;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * What the commands need from a store, in one stage-returning shape implemented twice: over the
 * blocking {@code BlobClient} (each call runs on the calling thread and returns a completed stage)
 * and over {@code AsyncBlobClient} (for {@code --async}: each call returns at once). The commands
 * and the {@link Batch} that runs many operations are written once against it; only the task group
 * differs ({@link #openGroup}): threads for the blocking client, tracked stages for the async one.
 *
 * <p>Operations report failures through their stage, never by throwing, so a batch treats an
 * argument the client rejects like any other failure of that one object.
 */
interface Store extends AutoCloseable {
  /**
   * Opens the task group that runs many operations of this store at once: one virtual thread per
   * task for the blocking client (each blocks in its calls), stages tracked without threads for
   * the async client.
   */
  AsyncTaskGroup openGroup();

  /** The configuration the client was built with. */
  BlobConfig config();

  CompletionStage<Void> createBucket(String bucket);

  CompletionStage<Void> deleteBucket(String bucket);

  CompletionStage<PutResult> put(
      String bucket, String key, Path file, PutOptions options, Consumer<TransferProgress> progress);

  CompletionStage<PutResult> put(
      String bucket,
      String key,
      InputStream in,
      PutOptions options,
      Consumer<TransferProgress> progress);

  CompletionStage<BlobObject> download(
      String bucket, String key, Path file, Consumer<TransferProgress> progress);

  /**
   * A server-side copy: with null {@code options} the copy keeps the source's content type and
   * metadata; with options it gets exactly those ({@code REPLACE}).
   */
  CompletionStage<String> copy(
      String fromBucket, String fromKey, String toBucket, String toKey, @Nullable PutOptions options);

  CompletionStage<Void> delete(String bucket, String key);

  CompletionStage<ObjectDetails> describe(String bucket, String key);

  /** The lengths of the parts an object was uploaded in; empty when the store does not tell. */
  CompletionStage<java.util.List<Long>> partLengths(String bucket, String key);

  /** One level under a prefix ("directories" as {@code CommonPrefix}); the caller closes it. */
  Stream<ListEntry> list(String bucket, String prefix);

  /** Every object under a prefix, all levels; the caller closes it. */
  Stream<BlobObject> listAll(String bucket, String prefix);

  /** An object's bytes, checked at the end; the caller closes it. */
  Stream<ByteBuffer> open(String bucket, String key);

  URI presign(String method, String bucket, String key, Duration expiry);

  /** The multipart uploads pending under a prefix; the caller closes it. */
  Stream<PendingUpload> listUploads(String bucket, String prefix);

  /** The buckets the credentials own; the caller closes it. */
  Stream<Bucket> listBuckets();

  CompletionStage<Void> abortUpload(String bucket, String key, String uploadId);

  /**
   * Closes the client, waiting for what cancelled transfers still have to do (a download's
   * temporary file deleted, a multipart upload aborted; the client bounds that wait) even when
   * this thread has been interrupted, and keeps the interrupt for the caller, as {@code
   * ExecutorService.close()} does.
   */
  @Override
  void close();

  /*
   * Runs a close with this thread's interrupt cleared, then sets it again. Ctrl-C interrupts the
   * command's thread and the command's store is closed right after; with the interrupt still set,
   * the wait for the client's close threw at once and cancelled it, so the JVM could exit before
   * a cancelled download had deleted its temporary file (InterruptTest left a .part file under
   * load) or an upload had been aborted.
   */
  private static void closeUninterrupted(Runnable close) {
    boolean interrupted = Thread.interrupted();
    try {
      close.run();
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Waits for a stage of this store, rethrowing its failure as the client would. */
  static <T> T await(CompletionStage<T> stage) {
    return BlockingWait.get(stage, "blob");
  }

  /** The blocking client: every call runs on this thread. */
  static Store blocking(BlobConfig config) {
    return blocking(config, UploadChecksum.AS_CONFIGURED);
  }

  /** The blocking client, its uploads carrying the checksum {@code uploads} decides. */
  static Store blocking(BlobConfig config, UploadChecksum uploads) {
    BlobClient client = new BlobClient(config);
    UploadChecksum.Probe probe = (b, k, a) -> call(() -> client.probeChecksum(b, k, a));
    SyncRuntime runtime = SyncRuntime.create();
    return new Store() {
      @Override
      public AsyncTaskGroup openGroup() {
        return AsyncTaskGroup.open(runtime);
      }

      @Override
      public BlobConfig config() {
        return config;
      }

      @Override
      public CompletionStage<Void> createBucket(String bucket) {
        return call(() -> {
          client.createBucket(bucket);
          return null;
        });
      }

      @Override
      public CompletionStage<Void> deleteBucket(String bucket) {
        return call(() -> {
          client.deleteBucket(bucket);
          return null;
        });
      }

      @Override
      public CompletionStage<PutResult> put(
          String bucket,
          String key,
          Path file,
          PutOptions options,
          Consumer<TransferProgress> progress) {
        return call(() -> client.put(
            bucket, key, file, await(uploads.apply(options, probe)), progress::accept));
      }

      @Override
      public CompletionStage<PutResult> put(
          String bucket,
          String key,
          InputStream in,
          PutOptions options,
          Consumer<TransferProgress> progress) {
        return call(() -> client.put(
            bucket, key, in, await(uploads.apply(options, probe)), progress::accept));
      }

      @Override
      public CompletionStage<BlobObject> download(
          String bucket, String key, Path file, Consumer<TransferProgress> progress) {
        return call(() -> client.download(bucket, key, file, progress::accept));
      }

      @Override
      public CompletionStage<String> copy(
          String fromBucket,
          String fromKey,
          String toBucket,
          String toKey,
          @Nullable PutOptions options) {
        return call(() -> options == null
            ? client.copy(fromBucket, fromKey, toBucket, toKey)
            : client.copy(fromBucket, fromKey, toBucket, toKey, options));
      }

      @Override
      public CompletionStage<Void> delete(String bucket, String key) {
        return call(() -> {
          client.delete(bucket, key);
          return null;
        });
      }

      @Override
      public CompletionStage<ObjectDetails> describe(String bucket, String key) {
        return call(() -> client.describe(bucket, key));
      }

      @Override
      public CompletionStage<java.util.List<Long>> partLengths(String bucket, String key) {
        return call(() -> client.partLengths(bucket, key));
      }

      @Override
      public Stream<ListEntry> list(String bucket, String prefix) {
        return client.list(bucket, prefix.isEmpty() ? null : prefix, "/");
      }

      @Override
      public Stream<BlobObject> listAll(String bucket, String prefix) {
        return client.list(bucket, prefix.isEmpty() ? null : prefix);
      }

      @Override
      public Stream<ByteBuffer> open(String bucket, String key) {
        return client.open(bucket, key);
      }

      @Override
      public URI presign(String method, String bucket, String key, Duration expiry) {
        return client.presign(method, bucket, key, expiry);
      }

      @Override
      public Stream<PendingUpload> listUploads(String bucket, String prefix) {
        return client.listUploads(bucket, prefix);
      }

      @Override
      public Stream<Bucket> listBuckets() {
        return client.listBuckets();
      }

      @Override
      public CompletionStage<Void> abortUpload(String bucket, String key, String uploadId) {
        return call(() -> {
          client.abortUpload(bucket, key, uploadId);
          return null;
        });
      }

      @Override
      public void close() {
        closeUninterrupted(() -> {
          client.close();
          await(runtime.close());
        });
      }
    };
  }

  /** The async client: calls return at once; the commands wait only where a human would. */
  static Store async(BlobConfig config) {
    return async(config, UploadChecksum.AS_CONFIGURED);
  }

  /** The async client, its uploads carrying the checksum {@code uploads} decides. */
  static Store async(BlobConfig config, UploadChecksum uploads) {
    AsyncBlobClient client = new AsyncBlobClient(config);
    return new Store() {
      @Override
      public AsyncTaskGroup openGroup() {
        return AsyncTaskGroup.open();
      }

      @Override
      public BlobConfig config() {
        return config;
      }

      @Override
      public CompletionStage<Void> createBucket(String bucket) {
        return start(() -> client.createBucket(bucket));
      }

      @Override
      public CompletionStage<Void> deleteBucket(String bucket) {
        return start(() -> client.deleteBucket(bucket));
      }

      @Override
      public CompletionStage<PutResult> put(
          String bucket,
          String key,
          Path file,
          PutOptions options,
          Consumer<TransferProgress> progress) {
        return start(() -> Async.then(uploads.apply(options, client::probeChecksum),
            sent -> client.put(bucket, key, file, sent, event -> {
              progress.accept(event);
              return null;
            })));
      }

      @Override
      public CompletionStage<PutResult> put(
          String bucket,
          String key,
          InputStream in,
          PutOptions options,
          Consumer<TransferProgress> progress) {
        return start(() -> Async.then(uploads.apply(options, client::probeChecksum),
            sent -> client.put(bucket, key, in, sent, event -> {
              progress.accept(event);
              return null;
            })));
      }

      @Override
      public CompletionStage<BlobObject> download(
          String bucket, String key, Path file, Consumer<TransferProgress> progress) {
        return start(() -> client.download(bucket, key, file, event -> {
          progress.accept(event);
          return null;
        }));
      }

      @Override
      public CompletionStage<String> copy(
          String fromBucket,
          String fromKey,
          String toBucket,
          String toKey,
          @Nullable PutOptions options) {
        return start(() -> options == null
            ? client.copy(fromBucket, fromKey, toBucket, toKey)
            : client.copy(fromBucket, fromKey, toBucket, toKey, options));
      }

      @Override
      public CompletionStage<Void> delete(String bucket, String key) {
        return start(() -> client.delete(bucket, key));
      }

      @Override
      public CompletionStage<ObjectDetails> describe(String bucket, String key) {
        return start(() -> client.describe(bucket, key));
      }

      @Override
      public CompletionStage<java.util.List<Long>> partLengths(String bucket, String key) {
        return start(() -> client.partLengths(bucket, key));
      }

      @Override
      public Stream<ListEntry> list(String bucket, String prefix) {
        return AsyncIterators.blockingStream(
            AsyncIterators.fromPublisher(client.list(bucket, prefix.isEmpty() ? null : prefix, "/")));
      }

      @Override
      public Stream<BlobObject> listAll(String bucket, String prefix) {
        return AsyncIterators.blockingStream(
            AsyncIterators.fromPublisher(client.list(bucket, prefix.isEmpty() ? null : prefix)));
      }

      @Override
      public Stream<ByteBuffer> open(String bucket, String key) {
        return AsyncIterators.blockingStream(AsyncIterators.fromPublisher(client.open(bucket, key)));
      }

      @Override
      public URI presign(String method, String bucket, String key, Duration expiry) {
        return client.presign(method, bucket, key, expiry);
      }

      @Override
      public Stream<PendingUpload> listUploads(String bucket, String prefix) {
        return AsyncIterators.blockingStream(
            AsyncIterators.fromPublisher(client.listUploads(bucket, prefix)));
      }

      @Override
      public Stream<Bucket> listBuckets() {
        return AsyncIterators.blockingStream(AsyncIterators.fromPublisher(client.listBuckets()));
      }

      @Override
      public CompletionStage<Void> abortUpload(String bucket, String key, String uploadId) {
        return start(() -> client.abortUpload(bucket, key, uploadId));
      }

      @Override
      public void close() {
        closeUninterrupted(() -> await(client.close()));
      }
    };
  }

  /* A blocking call as a completed stage: failures in the stage, as the async client gives them. */
  private static <T> CompletionStage<T> call(Supplier<T> call) {
    try {
      return CompletableFuture.completedFuture(call.get());
    } catch (RuntimeException | Error e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /* An async call whose argument checks (which throw at the call) also arrive in the stage. */
  private static <T> CompletionStage<T> start(Supplier<? extends CompletionStage<T>> call) {
    try {
      return call.get();
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }
}
