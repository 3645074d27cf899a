package io.ambidex.examples.quotes;

import io.ambidex.AsyncCloseable;
import java.util.concurrent.CompletionStage;

/**
 * The one async-shaped interface the core talks to. A sync transport completes every stage during
 * the call; an async transport completes it later, on its own threads.
 */
public interface QuoteTransport extends AsyncCloseable {
  /**
   * Sends one request line and returns the response line.
   *
   * @param request e.g. {@code "QUOTE ACME"}
   * @return a stage of the response, e.g. {@code "ACME=12345"}
   */
  CompletionStage<String> send(String request);
}
