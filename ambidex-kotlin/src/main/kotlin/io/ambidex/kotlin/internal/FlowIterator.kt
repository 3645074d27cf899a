package io.ambidex.kotlin.internal

import io.ambidex.facade.FlavourCalls
import io.ambidex.stream.AsyncIterator
import io.ambidex.stream.AsyncIterators
import java.util.NoSuchElementException
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionStage
import kotlinx.coroutines.CancellationException
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.channels.ChannelResult
import kotlinx.coroutines.flow.Flow
import kotlinx.coroutines.launch

/*
 * An AsyncIterator over a Flow: a coroutine launched in the caller's scope collects the flow into
 * a channel of bounded capacity, and hasNext() takes from that channel.
 *
 * - The collector starts at the first hasNext() (lazy, like every AsyncIterator). It suspends in
 *   send() when the channel is full, so the flow runs at most `capacity` items (plus the one being
 *   sent) ahead of the consumer.
 * - hasNext() answers from the channel at once when it can (tryReceive), with a shared completed
 *   stage; otherwise it starts an undispatched, unconfined receive in the scope, whose stage then
 *   completes on the thread that sends the next item or closes the channel.
 * - The flow's end closes the channel; its failure closes it with that failure, delivered after
 *   the items sent before it, and the collector itself then completes normally, so a failing flow
 *   never fails the caller's scope (the consumer gets the failure from hasNext()).
 * - close() cancels the channel (dropping buffered items, failing a pending receive with
 *   CancellationException) and the collector, and its stage completes when the collector's job
 *   has completed, i.e. when the flow's finally blocks have run.
 *
 * hasNext()/next() are called by one consumer, sequentially (the AsyncIterator contract); close()
 * may come from any thread, so `closed` and `job` are guarded by this object's monitor.
 */
internal class FlowIterator<T>(
    private val flow: Flow<T>,
    private val scope: CoroutineScope,
    capacity: Int,
) : AsyncIterator<T> {
  private val channel = Channel<T>(capacity)
  private val closeStage = CompletableFuture<Void>()
  private var job: Job? = null
  private var closed = false
  // Written by the consumer's hasNext() or by the receive coroutine before it completes the
  // stage the consumer waits on; read by the consumer's next().
  private var item: Any? = NONE

  override fun hasNext(): CompletionStage<Boolean> {
    var started: Job? = null
    synchronized(this) {
      if (closed) {
        return CompletableFuture.failedFuture(
            IllegalStateException("hasNext() was called on a closed iterator over a Flow"))
      }
      if (job == null) {
        started = scope.launch(start = CoroutineStart.LAZY) { collectInto() }
        job = started
      }
    }
    // Outside the monitor: an unconfined scope runs the flow right here.
    started?.start()
    if (item !== NONE) {
      return TRUE
    }
    val now = channel.tryReceive()
    if (!now.isFailure) {
      item = now.getOrThrow()
      return TRUE
    }
    if (now.isClosed) {
      return ending(now)
    }
    val stage = CompletableFuture<Boolean>()
    scope.launch(Dispatchers.Unconfined, CoroutineStart.UNDISPATCHED) {
      val next =
          try {
            channel.receiveCatching()
          } catch (cancelled: CancellationException) {
            stage.completeExceptionally(cancelled)
            return@launch
          }
      if (next.isSuccess) {
        item = next.getOrThrow()
        stage.complete(true)
      } else {
        val failure = next.exceptionOrNull()
        if (failure == null) {
          stage.complete(false)
        } else {
          stage.completeExceptionally(FlavourCalls.unwrap(failure))
        }
      }
    }
    return stage
  }

  @Suppress("UNCHECKED_CAST")
  override fun next(): T {
    val current = item
    if (current === NONE) {
      throw NoSuchElementException("next() was called without a hasNext() that answered true")
    }
    item = NONE
    return current as T
  }

  override fun close(): CompletionStage<Void> {
    val collector: Job?
    synchronized(this) {
      if (closed) {
        return closeStage
      }
      closed = true
      collector = job
    }
    channel.cancel()
    if (collector == null) {
      closeStage.complete(null)
    } else {
      collector.cancel()
      collector.invokeOnCompletion { closeStage.complete(null) }
    }
    return closeStage
  }

  private suspend fun collectInto() {
    try {
      flow.collect { channel.send(it) }
      channel.close()
    } catch (failure: Throwable) {
      channel.close(failure)
      if (failure is CancellationException) {
        throw failure
      }
    }
  }

  private fun ending(result: ChannelResult<T>): CompletionStage<Boolean> {
    val failure = result.exceptionOrNull()
    return if (failure == null) FALSE else CompletableFuture.failedFuture(FlavourCalls.unwrap(failure))
  }

  override fun toString(): String = "AsyncIterator over $flow"

  private companion object {
    val NONE = Any()
    val TRUE: CompletionStage<Boolean> = AsyncIterators.completedStage(true)
    val FALSE: CompletionStage<Boolean> = AsyncIterators.completedStage(false)
  }
}
