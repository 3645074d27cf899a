package io.ambidex.rxjava3.internal;

import io.ambidex.facade.FlavourCalls;
import io.ambidex.rxjava3.RxJavaFacades;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.CompletableObserver;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.MaybeObserver;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.core.SingleObserver;
import io.reactivex.rxjava3.disposables.Disposable;
import io.reactivex.rxjava3.exceptions.Exceptions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/*
 * Single, Maybe and Completable over the future of one facade call per subscription. Each
 * subscription is one flag (FutureDisposable): the first of dispose() and the future's completion
 * claims it. dispose() cancels the future, whose CancellationException then finds the flag taken
 * and is dropped, not routed to RxJavaPlugins.onError: the observer asked for nothing more.
 * (Single.fromCompletionStage does not cancel its stage, hence these.)
 */
public final class FutureSources {
  private FutureSources() {}

  public static final class FutureSingle<T> extends Single<T> {
    private final RxJavaFacades.Call<? extends CompletableFuture<? extends T>> call;

    public FutureSingle(RxJavaFacades.Call<? extends CompletableFuture<? extends T>> call) {
      this.call = call;
    }

    @Override
    protected void subscribeActual(SingleObserver<? super T> observer) {
      CompletableFuture<? extends T> future;
      try {
        future = FlavourCalls.nonNull(call.start(), "future");
      } catch (Throwable failure) {
        Exceptions.throwIfFatal(failure);
        observer.onSubscribe(Disposable.disposed());
        observer.onError(FlavourCalls.unwrap(failure));
        return;
      }
      FutureDisposable<T> d =
          new FutureDisposable<T>(future) {
            @Override
            void success(@Nullable T value) {
              if (value == null) {
                observer.onError(
                    new NullPointerException(
                        "The operation completed with null, which a Single cannot emit; declare"
                            + " the core method's result type @Nullable to get a Maybe"));
              } else {
                observer.onSuccess(value);
              }
            }

            @Override
            void failure(Throwable failure) {
              observer.onError(failure);
            }
          };
      observer.onSubscribe(d);
      future.whenComplete(d);
    }
  }

  public static final class FutureMaybe<T> extends Maybe<T> {
    private final RxJavaFacades.Call<? extends CompletableFuture<? extends @Nullable T>> call;

    public FutureMaybe(
        RxJavaFacades.Call<? extends CompletableFuture<? extends @Nullable T>> call) {
      this.call = call;
    }

    @Override
    protected void subscribeActual(MaybeObserver<? super T> observer) {
      CompletableFuture<? extends @Nullable T> future;
      try {
        future = FlavourCalls.nonNull(call.start(), "future");
      } catch (Throwable failure) {
        Exceptions.throwIfFatal(failure);
        observer.onSubscribe(Disposable.disposed());
        observer.onError(FlavourCalls.unwrap(failure));
        return;
      }
      FutureDisposable<T> d =
          new FutureDisposable<T>(future) {
            @Override
            void success(@Nullable T value) {
              if (value == null) {
                observer.onComplete();
              } else {
                observer.onSuccess(value);
              }
            }

            @Override
            void failure(Throwable failure) {
              observer.onError(failure);
            }
          };
      observer.onSubscribe(d);
      future.whenComplete(d);
    }
  }

  public static final class FutureCompletable extends Completable {
    private final RxJavaFacades.Call<? extends CompletableFuture<?>> call;

    public FutureCompletable(RxJavaFacades.Call<? extends CompletableFuture<?>> call) {
      this.call = call;
    }

    @Override
    protected void subscribeActual(CompletableObserver observer) {
      CompletableFuture<?> future;
      try {
        future = FlavourCalls.nonNull(call.start(), "future");
      } catch (Throwable failure) {
        Exceptions.throwIfFatal(failure);
        observer.onSubscribe(Disposable.disposed());
        observer.onError(FlavourCalls.unwrap(failure));
        return;
      }
      FutureDisposable<Object> d =
          new FutureDisposable<Object>(future) {
            @Override
            void success(@Nullable Object value) {
              observer.onComplete();
            }

            @Override
            void failure(Throwable failure) {
              observer.onError(failure);
            }
          };
      observer.onSubscribe(d);
      future.whenComplete(d);
    }
  }

  /** One subscription: claimed once, by dispose() or by the future's completion. */
  @SuppressWarnings("serial") // never serialized
  private abstract static class FutureDisposable<T> extends AtomicBoolean
      implements Disposable, BiConsumer<@Nullable Object, @Nullable Throwable> {
    private final CompletableFuture<?> future;

    FutureDisposable(CompletableFuture<?> future) {
      this.future = future;
    }

    abstract void success(@Nullable T value);

    abstract void failure(Throwable failure);

    @Override
    public void dispose() {
      if (compareAndSet(false, true)) {
        future.cancel(true);
      }
    }

    @Override
    public boolean isDisposed() {
      return get();
    }

    @Override
    @SuppressWarnings("unchecked") // the future is a CompletableFuture<? extends T>
    public void accept(@Nullable Object value, @Nullable Throwable failure) {
      if (!compareAndSet(false, true)) {
        return;
      }
      if (failure != null) {
        failure(FlavourCalls.unwrap(failure));
      } else {
        success((T) value);
      }
    }
  }
}
