package io.ambidex.flavours.it;

import static org.awaitility.Awaitility.await;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** How the tests subscribe to every flavour the same way. */
final class Subscriptions {
  private Subscriptions() {}

  /** A subscription made through a flavour: its outcome, and how to cancel (dispose) it. */
  record Handle<T>(CompletableFuture<@Nullable T> outcome, Runnable cancel) {
    @Nullable T await() throws Exception {
      try {
        return outcome.get(30, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw (Exception) e.getCause();
      }
    }

    Throwable failure() {
      try {
        await();
      } catch (Exception e) {
        return e;
      }
      throw new AssertionError("the subscription did not fail");
    }
  }

  /** A lazy single result of a flavour facade, not yet subscribed to. */
  interface Lazy<T> {
    Handle<T> subscribe();
  }

  /** A Flow subscriber that requests only when told to and records what it receives. */
  static final class Recorder<T> implements Flow.Subscriber<T> {
    private final List<T> items = new ArrayList<>();
    final CompletableFuture<@Nullable Void> done = new CompletableFuture<>();
    private volatile Flow.@Nullable Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
    }

    Flow.Subscription subscription() {
      await().atMost(30, TimeUnit.SECONDS).until(() -> subscription != null);
      return subscription;
    }

    void request(long n) {
      subscription().request(n);
    }

    void awaitItems(int n) {
      await().atMost(30, TimeUnit.SECONDS).until(() -> items().size() >= n);
    }

    synchronized List<T> items() {
      return new ArrayList<>(items);
    }

    @Override
    public synchronized void onNext(T item) {
      items.add(item);
    }

    @Override
    public void onError(Throwable failure) {
      done.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }
  }
}
