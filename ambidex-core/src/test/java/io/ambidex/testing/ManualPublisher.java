package io.ambidex.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Flow.Publisher} driven by the test: it records subscriptions, requests and cancels,
 * and signals only when the test calls {@link #emit}, {@link #complete} or {@link #fail}, on the
 * calling thread. It does not check demand, so a test can make it break rule 1.1.
 */
public final class ManualPublisher<T> implements Flow.Publisher<T> {
  private final List<Long> requests = new CopyOnWriteArrayList<>();
  private final AtomicLong requested = new AtomicLong();
  private final AtomicInteger subscribeCalls = new AtomicInteger();
  private final AtomicInteger cancels = new AtomicInteger();
  private final boolean subscribeLater;
  private volatile Flow.Subscriber<? super T> subscriber;
  private volatile long emitted;

  private ManualPublisher(boolean subscribeLater) {
    this.subscribeLater = subscribeLater;
  }

  /** A publisher that calls onSubscribe during subscribe(). */
  public static <T> ManualPublisher<T> create() {
    return new ManualPublisher<>(false);
  }

  /** A publisher that calls onSubscribe only when the test calls {@link #sendOnSubscribe()}. */
  public static <T> ManualPublisher<T> subscribingLater() {
    return new ManualPublisher<>(true);
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> s) {
    subscribeCalls.incrementAndGet();
    subscriber = s;
    if (!subscribeLater) {
      sendOnSubscribe();
    }
  }

  /** Calls onSubscribe with a new recording subscription. */
  public void sendOnSubscribe() {
    subscriber.onSubscribe(newSubscription());
  }

  /** Returns a new subscription that records into this publisher. */
  public Flow.Subscription newSubscription() {
    return new Flow.Subscription() {
      @Override
      public void request(long n) {
        requests.add(n);
        requested.addAndGet(n);
      }

      @Override
      public void cancel() {
        cancels.incrementAndGet();
      }
    };
  }

  /** Emits each item now, on this thread. */
  @SafeVarargs
  public final void emit(T... items) {
    for (T item : items) {
      emitted++;
      subscriber.onNext(item);
    }
  }

  /** Emits as many items as are requested and not yet emitted, made by {@code next}. */
  public int emitDemand(java.util.function.LongFunction<T> next) {
    int n = 0;
    while (emitted < requested.get()) {
      subscriber.onNext(next.apply(emitted++));
      n++;
    }
    return n;
  }

  public void complete() {
    subscriber.onComplete();
  }

  public void fail(Throwable failure) {
    subscriber.onError(failure);
  }

  public List<Long> requests() {
    return requests;
  }

  public long requested() {
    return requested.get();
  }

  public long emitted() {
    return emitted;
  }

  public int subscribeCalls() {
    return subscribeCalls.get();
  }

  public int cancels() {
    return cancels.get();
  }

  public Flow.Subscriber<? super T> subscriber() {
    return subscriber;
  }
}
