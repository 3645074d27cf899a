package io.ambidex.it.docs;

import io.ambidex.AsyncCloseable;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.synchronizer.Synchronizer;
import io.ambidex.synchronizer.SynchronizerBound;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import io.ambidex.annotations.Bridge;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A session of a database client that is async for real: the sample of the Synchronizer mode. */
@AsyncCore(blocking = "Session", async = "AsyncSession", bridge = Bridge.SYNCHRONIZER)
final class SessionCore implements SynchronizerBound, AsyncCloseable {
  private final Synchronizer synchronizer;
  private final ExecutorService io;
  private final List<String> history = new ArrayList<>(); // confined to the loop thread

  private SessionCore(String name) {
    this.synchronizer = Synchronizer.create(name);
    this.io = Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().factory());
  }

  /**
   * Opens a session whose state lives on a loop thread of its own.
   *
   * @param name names the loop thread {@code ambidex-synchronizer-NAME}
   */
  @BlockingFactory
  @AsyncFactory
  static SessionCore open(String name) {
    return new SessionCore(name);
  }

  @Override
  public Synchronizer synchronizer() {
    return synchronizer;
  }

  /**
   * Runs a query: the I/O completes on the session's I/O thread, the rest on its loop.
   *
   * @param sql the query
   * @return a stage that completes with the query's result
   */
  public CompletionStage<String> query(String sql) {
    history.add(sql);
    return CompletableFuture.supplyAsync(() -> "result of " + sql, io)
        .thenApplyAsync(
            result -> result + " on " + Thread.currentThread().getName(),
            synchronizer.executor());
  }

  /**
   * Lists the queries run so far.
   *
   * @return the queries, oldest first
   */
  public AsyncIterator<String> history() {
    return AsyncIterators.fromIterable(List.copyOf(history));
  }

  @Override
  public CompletionStage<Void> close() {
    io.shutdown();
    return CompletableFuture.completedFuture(null);
  }
}
