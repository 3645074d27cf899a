package io.ambidex.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.CallFuture;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.examples.quotes.AsyncQuotes;
import io.ambidex.examples.quotes.Quote;
import io.ambidex.examples.quotes.QuoteCore;
import io.ambidex.examples.quotes.QuoteTransport;
import io.ambidex.examples.quotes.Quotes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class QuotesTest {

  @Test
  void bothClients_giveTheSameAnswers() throws Exception {
    List<String> symbols = List.of("ACME", "INIT", "TECH", "BOLT", "CORE");
    List<Integer> blockingProgress = new CopyOnWriteArrayList<>();
    List<Integer> asyncProgress = new CopyOnWriteArrayList<>();
    List<Quote> blocking;
    try (Quotes quotes = new Quotes()) {
      blocking = quotes.quotes(symbols, blockingProgress::add);
    }
    AsyncQuotes async = new AsyncQuotes();
    List<Quote> viaAsync =
        async.quotes(symbols, n -> { asyncProgress.add(n); return null; }).get(10, TimeUnit.SECONDS);
    async.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    assertThat(viaAsync).isEqualTo(blocking);
    assertThat(blocking).extracting(Quote::symbol).isEqualTo(symbols);
    assertThat(blockingProgress).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
    assertThat(asyncProgress).containsExactlyInAnyOrder(1, 2, 3, 4, 5);
  }

  /* docs/getting-started.md: cancelling the async facade's future cancels the core's stage. */
  @Test
  void cancelledQuote_cancelsTheRequestInFlight() throws Exception {
    PendingTransport transport = new PendingTransport();
    QuoteCore core = new QuoteCore(transport, AsyncRuntime.create());

    CallFuture<Quote> quote = CallFuture.of("AsyncQuotes.quote", core.quote("ACME"));
    quote.cancel(true);

    assertThat(transport.requests).singleElement().satisfies(r -> assertThat(r).isCancelled());
    core.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void cancelledQuotes_cancelTheRequestsInFlight() throws Exception {
    PendingTransport transport = new PendingTransport();
    QuoteCore core = new QuoteCore(transport, AsyncRuntime.create());

    CallFuture<List<Quote>> quotes =
        CallFuture.of("AsyncQuotes.quotes", core.quotes(List.of("ACME", "INIT"), n -> null));
    quotes.cancel(true);

    assertThat(transport.requests)
        .hasSize(2)
        .allSatisfy(r -> assertThat(r).isCancelled());
    core.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** A transport whose requests are answered only if the test says so: it never does. */
  private static final class PendingTransport implements QuoteTransport {
    final List<CompletableFuture<String>> requests = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<String> send(String request) {
      CompletableFuture<String> response = new CompletableFuture<>();
      requests.add(response);
      return response;
    }

    @Override
    public CompletionStage<Void> close() {
      return CompletableFuture.completedFuture(null);
    }
  }

  @Test
  void badSymbol_failsAtTheCallOnBothClients() {
    try (Quotes quotes = new Quotes()) {
      assertThatThrownBy(() -> quotes.quote("acme"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("symbol must be one to five capital letters, but was 'acme'");
    }
    AsyncQuotes async = new AsyncQuotes();
    assertThatThrownBy(() -> async.quote("acme"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("symbol must be one to five capital letters, but was 'acme'");
    async.close();
  }

  @Test
  void demo_runsAndShowsBothPaths() throws Exception {
    PrintStream original = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      Demo.main(new String[0]);
    } finally {
      System.setOut(original);
    }
    String out = captured.toString(StandardCharsets.UTF_8);
    assertThat(out).contains("Blocking client").contains("Async client")
        .contains("same answers as the blocking client: true");
  }
}
