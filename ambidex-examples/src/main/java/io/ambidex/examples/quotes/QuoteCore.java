package io.ambidex.examples.quotes;

import io.ambidex.control.Async;
import io.ambidex.control.AsyncCallback;
import io.ambidex.AsyncCloseable;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.RetryPolicy;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The quote client's logic, written once: validation, retries, a bounded fan-out and progress
 * callbacks. Whether it blocks or not is decided only by the transport and runtime it is given.
 */
public final class QuoteCore implements AsyncCloseable {
  private static final RetryPolicy RETRY =
      RetryPolicy.builder()
          .maxAttempts(3)
          .initialDelay(Duration.ofMillis(10))
          .retryOn(failure -> failure instanceof UncheckedIOException)
          .build();

  private final QuoteTransport transport;
  private final CoreRuntime runtime;

  /**
   * Creates the core.
   *
   * @param transport the transport; closed by {@link #close()}
   * @param runtime the runtime; closed by {@link #close()}
   */
  public QuoteCore(QuoteTransport transport, CoreRuntime runtime) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.runtime = Objects.requireNonNull(runtime, "runtime");
  }

  /**
   * Fetches one quote, retrying transient I/O failures.
   *
   * @param symbol one to five capital letters
   * @return a stage of the quote
   */
  public CompletionStage<Quote> quote(String symbol) {
    validate(symbol);
    // Async.then, not thenApply: cancelling the result cancels the request in flight.
    return Async.then(
        Async.retry(RETRY, runtime, () -> transport.send("QUOTE " + symbol)),
        response -> CompletableFuture.completedFuture(parse(response)));
  }

  /**
   * Fetches several quotes, at most four at a time, reporting progress after each.
   *
   * @param symbols the symbols
   * @param progress called with the number of quotes fetched so far, or null
   * @return a stage of the quotes, in the order of {@code symbols}
   */
  public CompletionStage<List<Quote>> quotes(List<String> symbols, AsyncCallback<Integer> progress) {
    Objects.requireNonNull(symbols, "symbols");
    symbols.forEach(QuoteCore::validate);
    AtomicInteger done = new AtomicInteger();
    return runtime.mapConcurrently(
        symbols,
        4,
        symbol ->
            Async.then(
                quote(symbol),
                q -> runtime.emit(progress, done.incrementAndGet()).thenApply(ignored -> q)));
  }

  private static void validate(String symbol) {
    Objects.requireNonNull(symbol, "symbol");
    if (!symbol.matches("[A-Z]{1,5}")) {
      throw new IllegalArgumentException(
          "symbol must be one to five capital letters, but was '" + symbol + "'");
    }
  }

  private static Quote parse(String response) {
    int eq = response.indexOf('=');
    return new Quote(response.substring(0, eq), Long.parseLong(response.substring(eq + 1)));
  }

  /** Closes the transport, then the runtime. */
  @Override
  public CompletionStage<Void> close() {
    return transport.close().thenCompose(ignored -> runtime.close());
  }
}
