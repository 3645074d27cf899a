package io.ambidex.mutiny.internal;

import io.ambidex.facade.FlavourCalls;
import io.ambidex.mutiny.MutinyFacades;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.operators.AbstractUni;
import io.smallrye.mutiny.subscription.UniSubscriber;
import io.smallrye.mutiny.subscription.UniSubscription;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/*
 * A Uni over the future of one facade call per subscription. The subscription is one flag: the
 * first of cancel() and the future's completion claims it; a cancel cancels the future, whose
 * CancellationException then finds the flag taken and is dropped.
 */
public final class FutureUni<T> extends AbstractUni<T> {
  private final MutinyFacades.Call<? extends CompletableFuture<? extends @Nullable T>> call;

  public FutureUni(MutinyFacades.Call<? extends CompletableFuture<? extends @Nullable T>> call) {
    this.call = call;
  }

  @Override
  public void subscribe(UniSubscriber<? super T> subscriber) {
    CompletableFuture<? extends @Nullable T> future;
    try {
      future = FlavourCalls.nonNull(call.start(), "future");
    } catch (Throwable failure) {
      subscriber.onSubscribe(Done.INSTANCE);
      subscriber.onFailure(FlavourCalls.unwrap(failure));
      return;
    }
    FutureSubscription<T> subscription = new FutureSubscription<>(subscriber, future);
    subscriber.onSubscribe(subscription);
    future.whenComplete(subscription);
  }

  @Override
  public String toString() {
    return "Uni over the future of " + call;
  }

  private enum Done implements UniSubscription {
    INSTANCE;

    @Override
    public void cancel() {}
  }

  @SuppressWarnings("serial") // never serialized
  private static final class FutureSubscription<T> extends AtomicBoolean
      implements UniSubscription, BiConsumer<@Nullable T, @Nullable Throwable> {
    private final UniSubscriber<? super T> subscriber;
    private final CompletableFuture<?> future;

    FutureSubscription(UniSubscriber<? super T> subscriber, CompletableFuture<?> future) {
      this.subscriber = subscriber;
      this.future = future;
    }

    @Override
    public void cancel() {
      if (compareAndSet(false, true)) {
        future.cancel(true);
      }
    }

    @Override
    public void accept(@Nullable T value, @Nullable Throwable failure) {
      if (!compareAndSet(false, true)) {
        return;
      }
      // Runs in CompletableFuture.whenComplete, which keeps what its action throws in a future
      // nobody reads: what a subscriber throws goes to the dropped-exception handler instead.
      try {
        if (failure != null) {
          subscriber.onFailure(FlavourCalls.unwrap(failure));
        } else {
          subscriber.onItem(value);
        }
      } catch (Throwable thrown) {
        Infrastructure.handleDroppedException(thrown);
      }
    }
  }
}
