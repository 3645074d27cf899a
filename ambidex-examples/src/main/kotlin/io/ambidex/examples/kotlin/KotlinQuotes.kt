package io.ambidex.examples.kotlin

import io.ambidex.examples.quotes.AsyncQuotes
import io.ambidex.examples.quotes.Quote
import io.ambidex.kotlin.awaitCall

/**
 * The quote client for Kotlin, over the same core: one line per method over the async client
 * [AsyncQuotes], with `awaitCall` from ambidex-kotlin. Cancelling the calling coroutine cancels
 * the request in flight; a request cancelled by the core cancels the coroutine; failures are the
 * core's exceptions, unwrapped.
 */
class KotlinQuotes(private val async: AsyncQuotes = AsyncQuotes()) {
  /** Fetches one quote; [symbol] is one to five capital letters. */
  suspend fun quote(symbol: String): Quote = async.quote(symbol).awaitCall()

  /** Fetches several quotes, at most four in flight; [progress] gets the number fetched so far. */
  suspend fun quotes(symbols: List<String>, progress: (Int) -> Unit = {}): List<Quote> =
      async.quotes(symbols) { done -> progress(done); null }.awaitCall()

  /** Closes the transport and the runtime. */
  suspend fun close() {
    async.close().awaitCall()
  }
}
