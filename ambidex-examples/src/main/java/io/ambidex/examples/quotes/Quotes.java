package io.ambidex.examples.quotes;

import io.ambidex.control.AsyncCallback;
import io.ambidex.Immediate;
import io.ambidex.control.SyncRuntime;
import java.util.List;
import java.util.function.Consumer;

/**
 * The blocking quote client. Written by hand here to show the pattern; the annotation processor
 * generates facades like this one.
 */
public final class Quotes implements AutoCloseable {
  private final QuoteCore core;

  /** Creates a client on a sync transport: every call runs on the caller's thread. */
  public Quotes() {
    this(new FakeExchange());
  }

  Quotes(FakeExchange exchange) {
    this.core = new QuoteCore(new SyncQuoteTransport(exchange), SyncRuntime.create());
  }

  /**
   * Fetches one quote.
   *
   * @param symbol one to five capital letters
   * @return the quote
   */
  public Quote quote(String symbol) {
    return Immediate.get(core.quote(symbol), "Quotes.quote");
  }

  /**
   * Fetches several quotes, at most four at a time.
   *
   * @param symbols the symbols
   * @param progress called with the number fetched so far
   * @return the quotes in the order of {@code symbols}
   */
  public List<Quote> quotes(List<String> symbols, Consumer<Integer> progress) {
    return Immediate.get(core.quotes(symbols, AsyncCallback.of(progress)), "Quotes.quotes");
  }

  @Override
  public void close() {
    Immediate.get(core.close(), "Quotes.close");
  }
}
