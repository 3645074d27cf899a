@file:JvmName("KotlinFlows")

package io.ambidex.kotlin

import io.ambidex.kotlin.internal.FlowIterator
import io.ambidex.kotlin.internal.emitAllOf
import io.ambidex.producer.Producer
import io.ambidex.stream.AsyncIterator
import io.ambidex.stream.AsyncIterators
import java.util.concurrent.atomic.AtomicBoolean
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.flow.flow

/**
 * A cold [Flow] that opens a new [AsyncIterator] with [open] for each collection and emits its
 * items: the Kotlin form of a core's streaming method, e.g.
 * `fun keys(prefix: String): Flow<String> = iteratorFlow { core.keys(prefix) }`.
 *
 * Contract:
 * - **Cold**: nothing runs until `collect`; each collection calls [open] once, in the collecting
 *   coroutine, so collecting twice iterates twice. What [open] throws is thrown by `collect`.
 * - **Demand-driven**: `next()` is called only after the previous item's `emit` has returned;
 *   nothing is fetched ahead beyond the iterator's own `hasNext()` look-ahead.
 * - **Close**: the iterator is closed however the collection ends: at the end, on a failure, when
 *   the collector stops early (`take`, `first`, an exception thrown downstream) or when the
 *   coroutine is cancelled (closing is how an [AsyncIterator] cancels its fetch in flight).
 *   `collect` returns, or throws, after that close has completed; a failure of the close is
 *   thrown after a normal end and added as suppressed otherwise.
 * - **Failures** are thrown as the iterator reports them, unwrapped from `CompletionException`.
 * - **Threads**: the flow runs in the collector's context; after a stage that completes later,
 *   the collector resumes on its own dispatcher.
 *
 * @param open opens the iterator of one collection (owned by the flow, which closes it)
 * @return a cold flow of the items
 */
public fun <T> iteratorFlow(open: () -> AsyncIterator<out T>): Flow<T> = flow {
  emitAllOf(open())
}

/**
 * A [Flow] over this iterator, with [iteratorFlow]'s contract, that can be collected **once**
 * (an iterator can be iterated once): a second collection throws [IllegalStateException]. Use
 * [iteratorFlow] to open a new iterator per collection.
 *
 * @return a single-use flow of this iterator's items; collecting it closes the iterator
 */
public fun <T> AsyncIterator<out T>.asFlow(): Flow<T> {
  val source = this
  val used = AtomicBoolean()
  return iteratorFlow {
    check(used.compareAndSet(false, true)) {
      "A Flow made by AsyncIterator.asFlow() can be collected once, because its iterator can be" +
          " iterated once; this was a second collection. Use iteratorFlow { ... } to open a new" +
          " iterator per collection."
    }
    source
  }
}

/**
 * A cold [Flow] over the publisher that [call] returns, a new call for each collection: the
 * Kotlin form of an async facade's streaming method, one line per method:
 * ```
 * fun keys(prefix: String): Flow<String> = publisherFlow { async.keys(prefix) }
 * ```
 *
 * Contract, besides [iteratorFlow]'s (cold, close on every ending, unwrapped failures), except
 * that `collect` does not wait for the core's close (below):
 * - **Demand**: one item is requested ahead (`AsyncIterators.fromPublisher(publisher, 1)`), then
 *   one more each time the collector has taken one; so a paginated listing fetches its next page
 *   when the collector has read the current one, not before.
 * - **Cancellation**: when the collector stops early or is cancelled, the subscription is
 *   cancelled, which for an async facade's publisher closes the core's iterator. A Reactive
 *   Streams `cancel()` signals no completion, so `collect` returns once the subscription is
 *   cancelled, possibly before that close has finished; use [iteratorFlow] over an
 *   [AsyncIterator] when the close must be waited for.
 * - What [call] throws (an argument error, say) is thrown by `collect`, as the other flavours
 *   signal it at subscription.
 *
 * @param call calls the async facade's streaming method; run once per collection
 * @return a cold flow of the publisher's items
 */
public fun <T : Any> publisherFlow(call: () -> java.util.concurrent.Flow.Publisher<out T>): Flow<T> =
    iteratorFlow {
      AsyncIterators.fromPublisher(call(), 1)
    }

/**
 * A cold [Flow] of this producer's items: each collection runs the producer's body once, on its
 * own thread, through [Producer.asyncIterator], with [iteratorFlow]'s contract. Collecting the
 * flow waits for no setup value (it is ignored); the body's `send` returns when the collector has
 * taken the item and asked for more (up to the producer's buffer size ahead). A collector that
 * stops early or is cancelled closes the run, so the body's `send` throws
 * `ProducerCancelledException` and its `finally` blocks run before `collect` returns (within the
 * producer's cleanup grace).
 *
 * @return a cold flow; each collection is a new run of the body
 */
public fun <T : Any> Producer<T, *>.asFlow(): Flow<T> {
  val producer = this
  return iteratorFlow { producer.asyncIterator() }
}

/**
 * An [AsyncIterator] over this flow, collected in a coroutine launched in [scope] (so on its
 * dispatcher, as a child of its job), for consumers that want Ambidex's pull-based sequence (a
 * core, `AsyncIterators.toPublisher`, a blocking iterator).
 *
 * Contract:
 * - **Lazy**: the collection starts at the first `hasNext()`.
 * - **Bounded buffer**: the flow runs at most [capacity] items ahead of the consumer (its `emit`
 *   suspends while the buffer is full); [Channel.RENDEZVOUS] for none, [Channel.BUFFERED] (64 by
 *   default, kotlinx's own default) otherwise. Unbounded and conflated buffers are refused.
 * - **Stages**: `hasNext()` answers with a completed stage when an item or the end is already
 *   buffered; otherwise its stage completes on the thread that emits the next item or ends the
 *   flow.
 * - **End and failure**: items emitted before the flow ended or failed are delivered first; then
 *   `hasNext()` completes with false, or fails with the flow's exception. A failing flow does not
 *   fail [scope]: its failure goes to the consumer only.
 * - **Close cancels the collection**: `close()` cancels the collecting coroutine and drops the
 *   buffer; a pending `hasNext()` fails with `CancellationException`. The stage of `close()`
 *   completes when the collecting coroutine has completed (the flow's `finally` blocks have
 *   run). Cancelling [scope] likewise ends the collection, and `hasNext()` then fails with
 *   `CancellationException`.
 * - **Blocking consumers**: a consumer that blocks on `hasNext()` (a blocking iterator over this
 *   iterator) must not run on a thread that [scope]'s dispatcher needs: inside `runBlocking` with
 *   its own scope, the collection waits for the very thread the consumer blocks, and neither
 *   moves. Collect on another dispatcher (`CoroutineScope(Dispatchers.Default)`) for such a
 *   consumer.
 *
 * @param scope where the flow is collected; its cancellation cancels the collection
 * @param capacity how many items the flow may run ahead: zero or more, or [Channel.BUFFERED]
 * @return an iterator to close after use
 * @throws IllegalArgumentException if [capacity] is negative (other than [Channel.BUFFERED]),
 *   [Channel.UNLIMITED] or [Channel.CONFLATED]
 */
@JvmOverloads
public fun <T> Flow<T>.asAsyncIterator(
    scope: CoroutineScope,
    capacity: Int = Channel.BUFFERED,
): AsyncIterator<T> {
  require(capacity >= 0 && capacity != Channel.UNLIMITED || capacity == Channel.BUFFERED) {
    "capacity must be zero or more (and bounded), or Channel.BUFFERED, but was $capacity"
  }
  return FlowIterator(this, scope, capacity)
}
