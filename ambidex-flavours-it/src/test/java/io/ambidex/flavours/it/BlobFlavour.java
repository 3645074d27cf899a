package io.ambidex.flavours.it;

import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.AsyncBlobClient;
import io.ambidex.blob.BlobObject;
import io.ambidex.blob.MutinyBlobClient;
import io.ambidex.blob.PutResult;
import io.ambidex.blob.ReactorBlobClient;
import io.ambidex.blob.Rx3BlobClient;
import io.ambidex.control.AsyncCallback;
import io.ambidex.flavours.it.Subscriptions.Handle;
import io.ambidex.flavours.it.Subscriptions.Lazy;
import io.ambidex.http.TransferProgress;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.disposables.Disposable;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.FlowAdapters;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Mono;

/**
 * The blob client's operations under test, on one generated flavour facade, subscribed to the way
 * a user would ({@code subscribe(...)} returning a {@code Disposable}/{@code Cancellable}).
 */
interface BlobFlavour {
  Lazy<?> createBucket(String bucket);

  Lazy<PutResult> put(String bucket, String key, byte[] data);

  Lazy<PutResult> put(
      String bucket, String key, byte[] data, AsyncCallback<TransferProgress> progress);

  Lazy<byte[]> get(String bucket, String key);

  Lazy<BlobObject> download(
      String bucket, String key, Path target, AsyncCallback<TransferProgress> progress);

  Flow.Publisher<ByteBuffer> open(String bucket, String key);

  Flow.Publisher<BlobObject> list(String bucket, @Nullable String prefix);

  Lazy<?> close();

  /** A named way to open a flavour facade, for parameterized tests. */
  record Kind(String name, Function<BlobConfig, BlobFlavour> open) {
    @Override
    public String toString() {
      return name;
    }
  }

  static java.util.stream.Stream<Kind> kinds() {
    return java.util.stream.Stream.of(
        new Kind("reactor", BlobFlavour::reactor),
        new Kind("rxjava3", BlobFlavour::rxjava),
        new Kind("mutiny", BlobFlavour::mutiny));
  }

  /**
   * The async facade itself, subscribed to the same way: a single result's handle cancels its
   * {@code CallFuture}, a stream is the facade's own {@code Flow.Publisher}. Not one of {@link
   * #kinds()}: it is the baseline the flavours are compared with.
   */
  static BlobFlavour async(BlobConfig config) {
    AsyncBlobClient c = new AsyncBlobClient(config);
    return new BlobFlavour() {
      @Override
      public Lazy<?> createBucket(String bucket) {
        return future(() -> c.createBucket(bucket));
      }

      @Override
      public Lazy<PutResult> put(String bucket, String key, byte[] data) {
        return future(() -> c.put(bucket, key, data));
      }

      @Override
      public Lazy<PutResult> put(
          String bucket, String key, byte[] data, AsyncCallback<TransferProgress> progress) {
        return future(() -> c.put(bucket, key, data, progress));
      }

      @Override
      public Lazy<byte[]> get(String bucket, String key) {
        return future(() -> c.get(bucket, key));
      }

      @Override
      public Lazy<BlobObject> download(
          String bucket, String key, Path target, AsyncCallback<TransferProgress> progress) {
        return future(() -> c.download(bucket, key, target, progress));
      }

      @Override
      public Flow.Publisher<ByteBuffer> open(String bucket, String key) {
        return c.open(bucket, key);
      }

      @Override
      public Flow.Publisher<BlobObject> list(String bucket, @Nullable String prefix) {
        return c.list(bucket, prefix);
      }

      @Override
      public Lazy<?> close() {
        return future(c::close);
      }
    };
  }

  private static <T> Lazy<T> future(Supplier<? extends CompletableFuture<T>> call) {
    return () -> {
      CompletableFuture<T> future = call.get();
      CompletableFuture<@Nullable T> outcome = new CompletableFuture<>();
      future.whenComplete(
          (value, failure) -> {
            if (failure == null) {
              outcome.complete(value);
            } else {
              outcome.completeExceptionally(
                  failure instanceof java.util.concurrent.CompletionException
                          && failure.getCause() != null
                      ? failure.getCause()
                      : failure);
            }
          });
      return new Handle<>(outcome, () -> future.cancel(true));
    };
  }

  static BlobFlavour reactor(BlobConfig config) {
    ReactorBlobClient c = new ReactorBlobClient(config);
    return new BlobFlavour() {
      @Override
      public Lazy<?> createBucket(String bucket) {
        return mono(c.createBucket(bucket));
      }

      @Override
      public Lazy<PutResult> put(String bucket, String key, byte[] data) {
        return mono(c.put(bucket, key, data));
      }

      @Override
      public Lazy<PutResult> put(
          String bucket, String key, byte[] data, AsyncCallback<TransferProgress> progress) {
        return mono(c.put(bucket, key, data, progress));
      }

      @Override
      public Lazy<byte[]> get(String bucket, String key) {
        return mono(c.get(bucket, key));
      }

      @Override
      public Lazy<BlobObject> download(
          String bucket, String key, Path target, AsyncCallback<TransferProgress> progress) {
        return mono(c.download(bucket, key, target, progress));
      }

      @Override
      public Flow.Publisher<ByteBuffer> open(String bucket, String key) {
        return JdkFlowAdapter.publisherToFlowPublisher(c.open(bucket, key));
      }

      @Override
      public Flow.Publisher<BlobObject> list(String bucket, @Nullable String prefix) {
        return JdkFlowAdapter.publisherToFlowPublisher(c.list(bucket, prefix));
      }

      @Override
      public Lazy<?> close() {
        return mono(c.close());
      }
    };
  }

  private static <T> Lazy<T> mono(Mono<T> mono) {
    return () -> {
      CompletableFuture<@Nullable T> outcome = new CompletableFuture<>();
      reactor.core.Disposable d =
          mono.subscribe(
              outcome::complete, outcome::completeExceptionally, () -> outcome.complete(null));
      return new Handle<>(outcome, d::dispose);
    };
  }

  static BlobFlavour rxjava(BlobConfig config) {
    Rx3BlobClient c = new Rx3BlobClient(config);
    return new BlobFlavour() {
      @Override
      public Lazy<?> createBucket(String bucket) {
        return completable(c.createBucket(bucket));
      }

      @Override
      public Lazy<PutResult> put(String bucket, String key, byte[] data) {
        return single(c.put(bucket, key, data));
      }

      @Override
      public Lazy<PutResult> put(
          String bucket, String key, byte[] data, AsyncCallback<TransferProgress> progress) {
        return single(c.put(bucket, key, data, progress));
      }

      @Override
      public Lazy<byte[]> get(String bucket, String key) {
        return single(c.get(bucket, key));
      }

      @Override
      public Lazy<BlobObject> download(
          String bucket, String key, Path target, AsyncCallback<TransferProgress> progress) {
        return single(c.download(bucket, key, target, progress));
      }

      @Override
      public Flow.Publisher<ByteBuffer> open(String bucket, String key) {
        return FlowAdapters.toFlowPublisher(c.open(bucket, key));
      }

      @Override
      public Flow.Publisher<BlobObject> list(String bucket, @Nullable String prefix) {
        return FlowAdapters.toFlowPublisher(c.list(bucket, prefix));
      }

      @Override
      public Lazy<?> close() {
        return completable(c.close());
      }
    };
  }

  private static <T> Lazy<T> single(Single<T> single) {
    return () -> {
      CompletableFuture<@Nullable T> outcome = new CompletableFuture<>();
      Disposable d = single.subscribe(outcome::complete, outcome::completeExceptionally);
      return new Handle<>(outcome, d::dispose);
    };
  }

  private static Lazy<Void> completable(Completable completable) {
    return () -> {
      CompletableFuture<@Nullable Void> outcome = new CompletableFuture<>();
      Disposable d =
          completable.subscribe(() -> outcome.complete(null), outcome::completeExceptionally);
      return new Handle<>(outcome, d::dispose);
    };
  }

  static BlobFlavour mutiny(BlobConfig config) {
    MutinyBlobClient c = new MutinyBlobClient(config);
    return new BlobFlavour() {
      @Override
      public Lazy<?> createBucket(String bucket) {
        return uni(c.createBucket(bucket));
      }

      @Override
      public Lazy<PutResult> put(String bucket, String key, byte[] data) {
        return uni(c.put(bucket, key, data));
      }

      @Override
      public Lazy<PutResult> put(
          String bucket, String key, byte[] data, AsyncCallback<TransferProgress> progress) {
        return uni(c.put(bucket, key, data, progress));
      }

      @Override
      public Lazy<byte[]> get(String bucket, String key) {
        return uni(c.get(bucket, key));
      }

      @Override
      public Lazy<BlobObject> download(
          String bucket, String key, Path target, AsyncCallback<TransferProgress> progress) {
        return uni(c.download(bucket, key, target, progress));
      }

      @Override
      public Flow.Publisher<ByteBuffer> open(String bucket, String key) {
        return c.open(bucket, key);
      }

      @Override
      public Flow.Publisher<BlobObject> list(String bucket, @Nullable String prefix) {
        return c.list(bucket, prefix);
      }

      @Override
      public Lazy<?> close() {
        return uni(c.close());
      }
    };
  }

  private static <T> Lazy<T> uni(Uni<T> uni) {
    return () -> {
      CompletableFuture<@Nullable T> outcome = new CompletableFuture<>();
      Cancellable c = uni.subscribe().with(outcome::complete, outcome::completeExceptionally);
      return new Handle<>(outcome, c::cancel);
    };
  }
}
