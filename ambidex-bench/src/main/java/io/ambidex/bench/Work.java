package io.ambidex.bench;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The operation every benchmark measures, written once: {@code validate(key)}, then {@code send}
 * on a sync transport, then {@code parse(response)}. The work is deliberately tiny and identical
 * for every variant, so that what differs between rows is only how the three steps are chained and
 * how the result reaches the caller.
 */
final class Work {
  private Work() {}

  /** What the transport answers: a status and a body, built from the request. */
  record Response(int status, String body) {}

  /** Step 1: accepts a key of the form {@code name:id}, with a non-empty name. */
  static String validate(String key) {
    if (key.indexOf(':') < 1) {
      throw new IllegalArgumentException("key must look like name:id, but was '" + key + "'");
    }
    return key;
  }

  /** Step 2, the "wire": what a sync transport does during the call. */
  static Response exchange(String request) {
    return new Response(200, request);
  }

  /** Step 3: checks the status and parses the id after the colon of the body. */
  static int parse(Response response) {
    if (response.status() != 200) {
      throw new IllegalStateException("unexpected status " + response.status());
    }
    String body = response.body();
    return Integer.parseInt(body, body.indexOf(':') + 1, body.length(), 10);
  }

  /** A sync transport: the exchange happens during the call. */
  static final class SyncTransport {
    /** The blocking form, for hand-written blocking code. */
    Response call(String request) {
      return exchange(request);
    }

    /** The stage form a core calls: the returned stage is already complete. */
    CompletableFuture<Response> send(String request) {
      return CompletableFuture.completedFuture(exchange(request));
    }
  }

  /** The core, written once against {@link CompletionStage}. */
  static final class Core {
    private final SyncTransport transport;

    Core(SyncTransport transport) {
      this.transport = transport;
    }

    /** The operation: returns a stage that is already complete on a sync transport. */
    CompletionStage<Integer> op(String key) {
      return transport.send(validate(key)).thenApply(Work::parse);
    }
  }
}
