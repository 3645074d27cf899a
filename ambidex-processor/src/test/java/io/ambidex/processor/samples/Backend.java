package io.ambidex.processor.samples;

import io.ambidex.stream.AsyncIterator;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A recording fake backend for the sample store. In sync mode every stage it returns is complete
 * on return, as a sync transport's would be; in async mode stages complete on an executor. Keys
 * with special names misbehave: {@code "pending"} never completes, {@code "slow"} times out,
 * {@code "broken"} fails with an undeclared IOException.
 */
public final class Backend {
  private final Map<String, String> data = new TreeMap<>();
  private final Executor executor;
  private final List<CompletableFuture<?>> pending = new CopyOnWriteArrayList<>();
  private final AtomicInteger openedIterators = new AtomicInteger();
  private final AtomicInteger closedIterators = new AtomicInteger();
  private final List<Thread> completionThreads = new CopyOnWriteArrayList<>();
  private volatile boolean closed;

  private Backend(Executor executor) {
    this.executor = executor;
  }

  /** A backend whose stages complete during each call. */
  public static Backend sync() {
    return new Backend(Runnable::run);
  }

  /** A backend whose stages complete on {@code executor}. */
  public static Backend async(Executor executor) {
    return new Backend(executor);
  }

  /** Stores a value directly, for test setup. */
  public synchronized Backend seed(String key, String value) {
    data.put(key, value);
    return this;
  }

  public synchronized Map<String, String> contents() {
    return new TreeMap<>(data);
  }

  CompletionStage<String> fetch(String key) {
    return answer(
        () -> {
          switch (key) {
            case "slow" -> throw new TimeoutException("slow backend");
            case "broken" -> throw new IOException("disk failure");
            default -> {
              synchronized (this) {
                String value = data.get(key);
                if (value == null) {
                  throw new StoreException(key);
                }
                return value;
              }
            }
          }
        },
        key.equals("pending"));
  }

  CompletionStage<String> fetchOrNull(String key) {
    return answer(
        () -> {
          synchronized (this) {
            return data.get(key);
          }
        },
        false);
  }

  CompletionStage<Void> store(String key, String value) {
    return answer(
        () -> {
          synchronized (this) {
            data.put(key, value);
          }
          return null;
        },
        key.equals("pending"));
  }

  AsyncIterator<String> keys(String prefix) {
    List<String> keys = new ArrayList<>();
    synchronized (this) {
      for (String key : data.keySet()) {
        if (key.startsWith(prefix)) {
          keys.add(key);
        }
      }
    }
    openedIterators.incrementAndGet();
    return new AsyncIterator<>() {
      private int next;
      private boolean available;
      private boolean done;

      @Override
      public CompletionStage<Boolean> hasNext() {
        if (done) {
          return CompletableFuture.failedFuture(new IllegalStateException("closed"));
        }
        return answer(
            () -> {
              available = next < keys.size();
              return available;
            },
            false);
      }

      @Override
      public String next() {
        if (!available) {
          throw new NoSuchElementException();
        }
        available = false;
        return keys.get(next++);
      }

      @Override
      public CompletionStage<Void> close() {
        if (!done) {
          done = true;
          closedIterators.incrementAndGet();
        }
        return CompletableFuture.completedFuture(null);
      }
    };
  }

  /** Publishes the current value of a key, then its value once more after a change. */
  Flow.Publisher<String> watch(String key) {
    return subscriber -> {
      List<String> values;
      synchronized (this) {
        values = List.of(String.valueOf(data.get(key)), String.valueOf(data.get(key)));
      }
      subscriber.onSubscribe(
          new Flow.Subscription() {
            private int next;
            private boolean cancelled;
            private long demand;
            private boolean emitting;

            /*
             * Not re-entrant: a request() made from inside onNext() only adds demand, which the
             * outer loop serves (Reactive Streams rule 3.3; RxJava's strict subscriber drops an
             * onNext that arrives inside another, as the parity kit's RxJava run showed).
             */
            @Override
            public void request(long n) {
              demand += n;
              if (emitting) {
                return;
              }
              emitting = true;
              while (demand > 0 && next < values.size() && !cancelled) {
                demand--;
                subscriber.onNext(values.get(next++));
              }
              emitting = false;
              if (next == values.size() && !cancelled) {
                cancelled = true;
                subscriber.onComplete();
              }
            }

            @Override
            public void cancel() {
              cancelled = true;
            }
          });
    };
  }

  CompletionStage<Void> close() {
    closed = true;
    return CompletableFuture.completedFuture(null);
  }

  public boolean isClosed() {
    return closed;
  }

  public int openedIterators() {
    return openedIterators.get();
  }

  public int closedIterators() {
    return closedIterators.get();
  }

  /** The stages of calls that never complete on their own ("pending"). */
  public List<CompletableFuture<?>> pending() {
    return pending;
  }

  /** The threads that completed stages. */
  public List<Thread> completionThreads() {
    return completionThreads;
  }

  private interface Answer<T> {
    T get() throws Exception;
  }

  private <T> CompletionStage<T> answer(Answer<T> answer, boolean never) {
    CompletableFuture<T> stage = new CompletableFuture<>();
    if (never) {
      pending.add(stage);
      return stage;
    }
    executor.execute(
        () -> {
          completionThreads.add(Thread.currentThread());
          try {
            stage.complete(answer.get());
          } catch (Exception e) {
            stage.completeExceptionally(e);
          }
        });
    return stage;
  }
}
