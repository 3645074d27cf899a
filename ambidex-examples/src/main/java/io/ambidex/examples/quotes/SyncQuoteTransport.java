package io.ambidex.examples.quotes;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/** A sync transport: does its I/O during the call and returns a completed stage. */
final class SyncQuoteTransport implements QuoteTransport {
  private final FakeExchange exchange;

  SyncQuoteTransport(FakeExchange exchange) {
    this.exchange = exchange;
  }

  @Override
  public CompletionStage<String> send(String request) {
    try {
      return CompletableFuture.completedFuture(exchange.answer(request));
    } catch (RuntimeException failure) {
      return CompletableFuture.failedFuture(failure);
    }
  }

  @Override
  public CompletionStage<Void> close() {
    return CompletableFuture.completedFuture(null);
  }
}
