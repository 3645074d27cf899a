package io.ambidex.examples;

import io.ambidex.examples.quotes.AsyncQuotes;
import io.ambidex.examples.quotes.Quote;
import io.ambidex.examples.quotes.Quotes;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The README's runnable example: one core, used through a blocking client and an async client.
 * Every quote's first request fails with a simulated connection reset, so each call shows a retry.
 */
public final class Demo {
  private Demo() {}

  /**
   * Runs the demo.
   *
   * @param args ignored
   * @throws Exception if the async part fails or times out
   */
  public static void main(String[] args) throws Exception {
    PrintStream out = System.out;
    List<String> symbols = List.of("ACME", "INIT", "TECH", "BOLT", "CORE", "DUAL");

    out.println("Blocking client (sync transport, SyncRuntime, Immediate bridge)");
    List<Quote> blockingAnswers;
    try (Quotes quotes = new Quotes()) {
      String caller = Thread.currentThread().getName();
      Quote one = quotes.quote("ACME");
      out.printf("  quote(ACME)  = %s   (retried once, all on thread '%s')%n", one, caller);
      List<Quote> all =
          quotes.quotes(symbols, done -> out.printf("  progress %d/%d%n", done, symbols.size()));
      out.println("  quotes(...)  = " + all);
      blockingAnswers = all;
    }

    out.println();
    out.println("Async client (async transport, AsyncRuntime, CallFuture)");
    AsyncQuotes async = new AsyncQuotes();
    try {
      async
              .quote("ACME")
              .thenApply(
                  q -> {
                    out.printf(
                        "  quote(ACME)  = %s   (completed on thread '%s')%n",
                        q, Thread.currentThread().getName());
                    return q;
                  })
              .get(10, TimeUnit.SECONDS);
      List<Quote> all =
          async
              .quotes(
                  symbols,
                  done -> {
                    out.printf("  progress %d/%d%n", done, symbols.size());
                    return null;
                  })
              .get(10, TimeUnit.SECONDS);
      out.println("  quotes(...)  = " + all);
      out.println("  same answers as the blocking client: " + all.equals(blockingAnswers));
    } finally {
      async.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
