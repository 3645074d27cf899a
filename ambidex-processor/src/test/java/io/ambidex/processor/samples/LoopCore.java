package io.ambidex.processor.samples;

import io.ambidex.AsyncCloseable;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.synchronizer.Synchronizer;
import io.ambidex.synchronizer.SynchronizerBound;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import io.ambidex.annotations.Bridge;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A core that is async for real: its "I/O" completes on a thread it owns and its continuations
 * hop back to the loop of its Synchronizer, where its state lives.
 */
@AsyncCore(
    blocking = "LoopClient",
    async = "AsyncLoopClient",
    bridge = Bridge.SYNCHRONIZER,
    reactor = "ReactorLoopClient")
final class LoopCore implements SynchronizerBound, AsyncCloseable {
  private final Synchronizer synchronizer;
  private final boolean owned;
  private final ExecutorService io;
  private final List<String> threads = new CopyOnWriteArrayList<>();
  private final List<CompletableFuture<?>> hanging = new CopyOnWriteArrayList<>();
  private final List<Exception> thrown = new CopyOnWriteArrayList<>();
  private final AtomicInteger pulled = new AtomicInteger();
  private int calls; // loop-confined

  private LoopCore(Synchronizer synchronizer, boolean owned) {
    this.synchronizer = synchronizer;
    this.owned = owned;
    this.io = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("io").factory());
  }

  /**
   * Creates a core on a Synchronizer of its own, which pulls streams in batches of 4.
   *
   * @param name names the loop thread
   */
  @BlockingFactory
  @AsyncFactory
  static LoopCore create(String name) {
    return new LoopCore(Synchronizer.builder(name).batchSize(4).build(), true);
  }

  /**
   * Creates a core on a Synchronizer owned by the caller, which closing the facade leaves open.
   *
   * @param synchronizer the Synchronizer to run on
   */
  @BlockingFactory
  @AsyncFactory
  static LoopCore on(Synchronizer synchronizer) {
    return new LoopCore(synchronizer, false);
  }

  @Override
  public Synchronizer synchronizer() {
    return synchronizer;
  }

  @Override
  public boolean ownsSynchronizer() {
    return owned;
  }

  /**
   * Echoes a message after a round trip to the I/O thread.
   *
   * @param message the message, not empty
   * @return a stage that completes with the message and the thread that completed it
   * @throws StoreException if the message is "missing"
   */
  public CompletionStage<String> echo(String message) throws StoreException {
    if (message.isEmpty()) {
      throw new IllegalArgumentException("message must not be empty");
    }
    if (message.equals("thrown")) {
      StoreException failure = new StoreException(message);
      thrown.add(failure);
      throw failure;
    }
    calls++;
    threads.add(Thread.currentThread().getName());
    return CompletableFuture.supplyAsync(() -> message, io)
        .thenApplyAsync(
            m -> {
              if (m.equals("missing")) {
                throw new java.util.concurrent.CompletionException(new StoreException(m));
              }
              return m + "@" + Thread.currentThread().getName();
            },
            synchronizer.executor());
  }

  /**
   * Counts the calls to {@link #echo} so far, on the loop.
   *
   * @return a stage of the count
   */
  public CompletionStage<Integer> calls() {
    return CompletableFuture.completedFuture(calls);
  }

  /**
   * Remembers the calling thread.
   *
   * @param label a label
   * @return a stage that completes when it is remembered
   */
  public CompletionStage<Void> remember(String label) {
    threads.add(label + ":" + Thread.currentThread().getName());
    return CompletableFuture.completedFuture(null);
  }

  /**
   * Never completes on its own; cancelling it records the thread that ran its cleanup.
   *
   * @return a stage of text, which never completes on its own
   */
  public CompletionStage<? extends CharSequence> hang() {
    CompletableFuture<String> stage = new CompletableFuture<>();
    stage.whenComplete(
        (v, e) -> threads.add("cleanup:" + Thread.currentThread().getName()));
    hanging.add(stage);
    return stage;
  }

  /**
   * Counts from 1 to {@code count}.
   *
   * @param count how many numbers
   * @return the numbers
   */
  public AsyncIterator<Integer> count(int count) {
    threads.add("count:" + Thread.currentThread().getName());
    return AsyncIterators.map(
        AsyncIterators.fromIterable(java.util.stream.IntStream.rangeClosed(1, count).boxed()
            .toList()),
        n -> {
          pulled.incrementAndGet();
          if (!synchronizer.isLoopThread()) {
            throw new IllegalStateException("pulled off the loop");
          }
          return n;
        });
  }

  /**
   * Publishes some letters.
   *
   * @return the letters
   */
  public Flow.Publisher<String> letters() {
    return AsyncIterators.toPublisher(AsyncIterators.of("a", "b", "c"));
  }

  /** Returns the threads recorded so far, in order: a synchronous method, run by the caller. */
  public List<String> threads() {
    return threads;
  }

  /** Returns the stages handed out by {@link #hang()}. */
  public List<CompletableFuture<?>> hanging() {
    return hanging;
  }

  /** Returns the exceptions {@link #echo} has thrown. */
  public List<Exception> thrown() {
    return thrown;
  }

  /** Returns how many items the streams have pulled from their sources. */
  public int pulled() {
    return pulled.get();
  }

  @Override
  public CompletionStage<Void> close() {
    threads.add("close:" + Thread.currentThread().getName());
    io.shutdown();
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public String toString() {
    return "LoopCore[" + synchronizer + "]";
  }
}
