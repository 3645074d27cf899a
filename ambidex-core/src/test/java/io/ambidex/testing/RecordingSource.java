package io.ambidex.testing;

import io.ambidex.stream.AsyncIterator;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A recording fake {@link AsyncIterator}. In {@link Mode#SYNC} every {@code hasNext()} stage is
 * complete when returned (a fresh {@code CompletableFuture}, not a shared one, so nothing depends
 * on identity); in {@link Mode#ASYNC} it completes on the given executor; in {@link Mode#MANUAL}
 * it stays pending until the test calls {@link #release()}. It records every call, the threads
 * that made them, every close and which {@code hasNext()} (numbered from 1) was in flight when
 * close was called; closing cancels that stage, as a real source cancels its fetch.
 */
public final class RecordingSource<T> implements AsyncIterator<T> {
  /** How hasNext() stages complete. */
  public enum Mode {
    SYNC,
    ASYNC,
    MANUAL
  }

  private final int size;
  private final IntFunction<T> item;
  private final Mode mode;
  private final Executor executor;
  private volatile int failAt = -1;
  private volatile Throwable failure = new IllegalStateException("unset");
  private volatile CompletionStage<Void> closeStage = CompletableFuture.completedFuture(null);

  private int position;
  private boolean ready;
  private volatile boolean closed;
  private volatile CompletableFuture<Boolean> inFlight;
  private volatile Runnable pendingCompletion;

  private final AtomicInteger hasNextCalls = new AtomicInteger();
  private final AtomicInteger nextCalls = new AtomicInteger();
  private final AtomicInteger closeCalls = new AtomicInteger();
  private final List<Integer> inFlightAtClose = new CopyOnWriteArrayList<>();
  private final Set<Thread> threads = ConcurrentHashMap.newKeySet();
  private final AtomicInteger cancelledFetches = new AtomicInteger();
  private final AtomicInteger callsAfterClose = new AtomicInteger();

  private RecordingSource(int size, IntFunction<T> item, Mode mode, Executor executor) {
    this.size = size;
    this.item = item;
    this.mode = mode;
    this.executor = executor;
  }

  /** A source of {@code size} items made by {@code item}, whose stages complete during the call. */
  public static <T> RecordingSource<T> sync(int size, IntFunction<T> item) {
    return new RecordingSource<>(size, item, Mode.SYNC, Runnable::run);
  }

  /** A source of 0, 1, ..., size-1 whose stages complete during the call. */
  public static RecordingSource<Integer> sync(int size) {
    return sync(size, i -> i);
  }

  /** A source whose stages complete on {@code executor}. */
  public static <T> RecordingSource<T> async(Executor executor, int size, IntFunction<T> item) {
    return new RecordingSource<>(size, item, Mode.ASYNC, executor);
  }

  /** A source of 0, 1, ..., size-1 whose stages complete on {@code executor}. */
  public static RecordingSource<Integer> async(Executor executor, int size) {
    return async(executor, size, i -> i);
  }

  /** A source whose stages complete only when the test calls {@link #release()}. */
  public static RecordingSource<Integer> manual(int size) {
    return new RecordingSource<>(size, i -> i, Mode.MANUAL, Runnable::run);
  }

  /** A source of the given mode (MANUAL is not accepted). */
  public static RecordingSource<Integer> of(Mode mode, Executor executor, int size) {
    return switch (mode) {
      case SYNC -> sync(size);
      case ASYNC -> async(executor, size);
      case MANUAL -> throw new IllegalArgumentException("use manual()");
    };
  }

  /** Makes the hasNext() that would offer item {@code index} fail with {@code failure}. */
  public RecordingSource<T> failingAt(int index, Throwable failure) {
    this.failAt = index;
    this.failure = failure;
    return this;
  }

  /** Makes close() return {@code stage}. */
  public RecordingSource<T> closingWith(CompletionStage<Void> stage) {
    this.closeStage = stage;
    return this;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    hasNextCalls.incrementAndGet();
    threads.add(Thread.currentThread());
    if (closed) {
      callsAfterClose.incrementAndGet();
      throw new IllegalStateException("RecordingSource: hasNext() after close()");
    }
    if (inFlight != null && !inFlight.isDone()) {
      throw new IllegalStateException("RecordingSource: hasNext() while another is in flight");
    }
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    Runnable complete =
        () -> {
          if (ready) {
            answer.complete(true);
          } else if (position == failAt) {
            answer.completeExceptionally(failure);
          } else if (position < size) {
            ready = true;
            answer.complete(true);
          } else {
            answer.complete(false);
          }
        };
    switch (mode) {
      case SYNC -> complete.run();
      case ASYNC -> {
        inFlight = answer;
        executor.execute(
            () -> {
              if (!answer.isDone()) {
                complete.run();
              }
            });
      }
      case MANUAL -> {
        inFlight = answer;
        pendingCompletion = complete;
      }
    }
    return answer;
  }

  /** Completes the pending hasNext() of a MANUAL source, on the calling thread. */
  public void release() {
    Runnable r = pendingCompletion;
    if (r == null) {
      throw new IllegalStateException("no hasNext() is pending");
    }
    pendingCompletion = null;
    r.run();
  }

  @Override
  public T next() {
    nextCalls.incrementAndGet();
    threads.add(Thread.currentThread());
    if (closed) {
      callsAfterClose.incrementAndGet();
      throw new IllegalStateException("RecordingSource: next() after close()");
    }
    if (!ready) {
      throw new NoSuchElementException("RecordingSource: next() without hasNext() true");
    }
    ready = false;
    return item.apply(position++);
  }

  @Override
  public CompletionStage<Void> close() {
    closeCalls.incrementAndGet();
    CompletableFuture<Boolean> pending = inFlight;
    if (pending != null && !pending.isDone()) {
      inFlightAtClose.add(hasNextCalls.get());
      if (pending.cancel(true)) {
        cancelledFetches.incrementAndGet();
      }
    }
    closed = true;
    return closeStage;
  }

  // ---- what was recorded ----

  public int hasNextCalls() {
    return hasNextCalls.get();
  }

  public int nextCalls() {
    return nextCalls.get();
  }

  public int closeCalls() {
    return closeCalls.get();
  }

  public boolean isClosed() {
    return closed;
  }

  /** The numbers of the hasNext() calls that were in flight when close() was called. */
  public List<Integer> inFlightAtClose() {
    return new ArrayList<>(inFlightAtClose);
  }

  /** How many hasNext() or next() calls were made after close(): a consumer bug if not zero. */
  public int callsAfterClose() {
    return callsAfterClose.get();
  }

  /** How many in-flight stages close() cancelled. */
  public int cancelledFetches() {
    return cancelledFetches.get();
  }

  /** The threads that called hasNext() or next(). */
  public Set<Thread> threads() {
    return threads;
  }

  /** The number of items handed out by next(). */
  public int taken() {
    return position;
  }

  @Override
  public String toString() {
    return "RecordingSource[" + mode + ", " + position + "/" + size + (closed ? ", closed]" : "]");
  }
}
