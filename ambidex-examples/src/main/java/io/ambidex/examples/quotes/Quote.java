package io.ambidex.examples.quotes;

/**
 * A price quote.
 *
 * @param symbol the ticker symbol
 * @param cents the price in cents
 */
public record Quote(String symbol, long cents) {
  @Override
  public String toString() {
    return symbol + " " + cents / 100 + "." + String.format("%02d", cents % 100);
  }
}
