package io.ambidex.http.internal;

import java.lang.ref.Cleaner;

/*
 * The safety net for a response nobody will ever read or close: once the transport's body source
 * (the one object every view of a response body holds) is unreachable, its exchange is released,
 * so the connection goes back to the pool (read to its end) or is closed (not), instead of
 * staying leased for the life of the process.
 *
 * How a caller gets there without a bug of its own: on the async path, a stage derived from
 * RequestClient.send(request) (thenCompose, thenApply) is a plain CompletableFuture; cancelling it
 * does not reach the send, so the response that arrives afterwards is handed to a stage nobody
 * reads. Its reader is "behind", which suspends the read timeout (AsyncHttpTransport.Exchange), so
 * nothing else would ever end the exchange. The same for a blocking caller that drops a response
 * unclosed. OkHttp's pool does the same with weak references to its calls, and says so in a
 * warning; so does this, when a connection had to be closed.
 *
 * The body source must be the referent, and the release action must not reach it (a Cleaner's
 * action that holds its referent keeps it alive for good): the transports give each source a
 * small state object that the action holds instead. A source's methods end with
 * Reference.reachabilityFence(this), so the collector cannot find it unreachable while one of them
 * runs. The one Cleaner thread ("ambidex-http-reclaim") is process-wide, like the deadline timer.
 */
public final class Reclaim {
  private static final System.Logger LOG = System.getLogger("io.ambidex.http");

  private static final class Holder {
    static final Cleaner CLEANER =
        Cleaner.create(
            r -> Thread.ofPlatform().name("ambidex-http-reclaim").daemon(true).unstarted(r));
  }

  private Reclaim() {}

  /**
   * Runs {@code release} once {@code source} is unreachable, or when the returned handle is
   * cleaned, whichever comes first; never both. {@code release} must not hold {@code source}.
   */
  public static Cleaner.Cleanable register(Object source, Runnable release) {
    return Holder.CLEANER.register(source, release);
  }

  /** Tells the user that a response was dropped with its connection still held, and what to do. */
  public static void warnDropped(String exchange) {
    LOG.log(
        System.Logger.Level.WARNING,
        () ->
            "The response to "
                + exchange
                + " became unreachable before its body was read to the end or closed; its"
                + " connection was closed to free its pool slot. Close every response you take"
                + " (its body's close(), or RequestClient.send(request, handler), which closes"
                + " it), and to abandon a call, cancel the stage send returns, not"
                + " one derived from it.");
  }
}
