package io.ambidex.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A recording {@link Flow.Subscriber}: it records every signal and the thread that delivered it,
 * and counts rule breaches (a signal overlapping another, a signal after a terminal one, a second
 * onSubscribe). It requests nothing by itself unless given an {@code onNext} hook.
 */
public final class RecordingSubscriber<T> implements Flow.Subscriber<T> {
  private final List<T> items = new CopyOnWriteArrayList<>();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Throwable> terminal = new CompletableFuture<>();
  private final AtomicInteger inside = new AtomicInteger();
  private final AtomicInteger violations = new AtomicInteger();
  private final AtomicInteger subscriptions = new AtomicInteger();
  private volatile Flow.Subscription subscription;
  private volatile Consumer<RecordingSubscriber<T>> onNextHook = s -> {};
  private volatile boolean completed;

  /** Runs {@code hook} after recording each item, on the delivering thread. */
  public RecordingSubscriber<T> onEachItem(Consumer<RecordingSubscriber<T>> hook) {
    this.onNextHook = hook;
    return this;
  }

  @Override
  public void onSubscribe(Flow.Subscription s) {
    enter();
    try {
      if (subscriptions.incrementAndGet() > 1) {
        violations.incrementAndGet();
      }
      subscription = s;
    } finally {
      exit();
    }
  }

  @Override
  public void onNext(T item) {
    enter();
    try {
      if (terminal.isDone()) {
        violations.incrementAndGet();
      }
      items.add(item);
      threads.add(Thread.currentThread());
      onNextHook.accept(this);
    } finally {
      exit();
    }
  }

  @Override
  public void onError(Throwable failure) {
    enter();
    try {
      if (!terminal.complete(failure)) {
        violations.incrementAndGet();
      }
    } finally {
      exit();
    }
  }

  @Override
  public void onComplete() {
    enter();
    try {
      completed = true;
      if (!terminal.complete(null)) {
        violations.incrementAndGet();
      }
    } finally {
      exit();
    }
  }

  private void enter() {
    if (inside.incrementAndGet() != 1) {
      violations.incrementAndGet();
    }
  }

  private void exit() {
    inside.decrementAndGet();
  }

  public void request(long n) {
    subscription.request(n);
  }

  public void cancel() {
    subscription.cancel();
  }

  public Flow.Subscription subscription() {
    return subscription;
  }

  public List<T> items() {
    return items;
  }

  public List<Thread> threads() {
    return threads;
  }

  public boolean isTerminated() {
    return terminal.isDone();
  }

  public boolean isCompleted() {
    return completed;
  }

  /** Waits for onComplete or onError and returns the error, or null after onComplete. */
  public Throwable awaitTerminal() throws Exception {
    return terminal.get(10, TimeUnit.SECONDS);
  }

  /** The failure, if onError came; null otherwise. */
  public Throwable error() {
    return terminal.isDone() ? terminal.join() : null;
  }

  /** Signals that broke rules 1.3, 1.7 or 2.5: must stay zero. */
  public int violations() {
    return violations.get();
  }
}
