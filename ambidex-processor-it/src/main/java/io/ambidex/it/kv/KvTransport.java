package io.ambidex.it.kv;

import java.util.concurrent.CompletionStage;

/**
 * How the key-value client reaches its server: one request, one response. A sync transport
 * completes every stage during the call; an async one completes them later.
 */
public interface KvTransport {
  /**
   * Sends a request.
   *
   * @param command the command, such as "GET key"
   * @return a stage of the response; failed with {@link KvException} for an error response
   */
  CompletionStage<String> send(String command);
}
