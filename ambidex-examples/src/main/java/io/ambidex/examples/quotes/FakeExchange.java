package io.ambidex.examples.quotes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The "server" both demo transports talk to, in memory: deterministic prices, and the first
 * request for each symbol fails with a transient I/O error so that retries show.
 */
final class FakeExchange {
  private final ConcurrentHashMap<String, AtomicInteger> requests = new ConcurrentHashMap<>();

  String answer(String request) {
    String symbol = request.substring("QUOTE ".length());
    int n = requests.computeIfAbsent(symbol, s -> new AtomicInteger()).incrementAndGet();
    if (n == 1) {
      throw new UncheckedIOException(new IOException("connection reset (simulated)"));
    }
    long cents = Math.floorMod(symbol.hashCode() * 7919L, 100_000L);
    return symbol + "=" + cents;
  }

  int requestCount() {
    return requests.values().stream().mapToInt(AtomicInteger::get).sum();
  }
}
