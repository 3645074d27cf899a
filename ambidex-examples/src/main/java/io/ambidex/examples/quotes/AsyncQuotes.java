package io.ambidex.examples.quotes;

import io.ambidex.control.AsyncCallback;
import io.ambidex.AsyncCloseable;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.CallFuture;
import java.util.List;

/** The async quote client, over the same core. */
public final class AsyncQuotes implements AsyncCloseable {
  private final QuoteCore core;

  /** Creates a client on an async transport: no call blocks. */
  public AsyncQuotes() {
    this(new FakeExchange());
  }

  AsyncQuotes(FakeExchange exchange) {
    this.core = new QuoteCore(new AsyncQuoteTransport(exchange), AsyncRuntime.create());
  }

  /**
   * Fetches one quote.
   *
   * @param symbol one to five capital letters
   * @return a future of the quote; cancelling it cancels the request
   */
  public CallFuture<Quote> quote(String symbol) {
    return CallFuture.of("AsyncQuotes.quote", core.quote(symbol));
  }

  /**
   * Fetches several quotes, at most four in flight.
   *
   * @param symbols the symbols
   * @param progress called with the number fetched so far; may return a stage to wait for
   * @return a future of the quotes in the order of {@code symbols}
   */
  public CallFuture<List<Quote>> quotes(List<String> symbols, AsyncCallback<Integer> progress) {
    return CallFuture.of("AsyncQuotes.quotes", core.quotes(symbols, progress));
  }

  /**
   * Closes the transport and the runtime.
   *
   * @return a future that completes when they are closed
   */
  @Override
  public CallFuture<Void> close() {
    return CallFuture.of("AsyncQuotes.close", core.close());
  }
}
