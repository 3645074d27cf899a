package io.ambidex.examples.quotes;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/** An async transport: answers after a simulated network delay, on its own I/O thread. */
final class AsyncQuoteTransport implements QuoteTransport {
  private final FakeExchange exchange;
  private final ScheduledExecutorService io =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("demo-io").daemon(true).unstarted(r));

  AsyncQuoteTransport(FakeExchange exchange) {
    this.exchange = exchange;
  }

  @Override
  public CompletionStage<String> send(String request) {
    CompletableFuture<String> response = new CompletableFuture<>();
    io.schedule(
        () -> {
          try {
            response.complete(exchange.answer(request));
          } catch (RuntimeException failure) {
            response.completeExceptionally(failure);
          }
        },
        2,
        TimeUnit.MILLISECONDS);
    return response;
  }

  @Override
  public CompletionStage<Void> close() {
    io.shutdown();
    return CompletableFuture.completedFuture(null);
  }
}
