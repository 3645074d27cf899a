package io.ambidex.testing;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A recording fake transport. In sync mode every send completes during the call, as a real sync
 * transport's would; in async mode it completes on the given executor. The same script answers
 * both, so one set of assertions checks both paths.
 */
public final class FakeTransport {
  private final Executor executor;
  private final boolean async;
  private final List<String> requests = new CopyOnWriteArrayList<>();
  private final List<Thread> sendThreads = new CopyOnWriteArrayList<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicInteger maxInFlight = new AtomicInteger();
  private volatile Function<String, String> script = request -> "ok:" + request;

  private FakeTransport(boolean async, Executor executor) {
    this.async = async;
    this.executor = executor;
  }

  public static FakeTransport sync() {
    return new FakeTransport(false, Runnable::run);
  }

  public static FakeTransport async(Executor executor) {
    return new FakeTransport(true, executor);
  }

  /** Sets how requests are answered; the function may throw to fail a request. */
  public FakeTransport answer(Function<String, String> script) {
    this.script = script;
    return this;
  }

  public CompletionStage<String> send(String request) {
    requests.add(request);
    sendThreads.add(Thread.currentThread());
    maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    CompletableFuture<String> response = new CompletableFuture<>();
    Runnable exchange =
        () -> {
          try {
            if (async) {
              Thread.sleep(1); // let concurrent requests overlap, as real I/O would
            }
            String answer = script.apply(request);
            inFlight.decrementAndGet();
            response.complete(answer);
          } catch (Throwable t) {
            inFlight.decrementAndGet();
            response.completeExceptionally(t);
          }
        };
    executor.execute(exchange);
    return response;
  }

  public List<String> requests() {
    return requests;
  }

  public List<Thread> sendThreads() {
    return sendThreads;
  }

  public int maxInFlight() {
    return maxInFlight.get();
  }

  public boolean isAsync() {
    return async;
  }
}
