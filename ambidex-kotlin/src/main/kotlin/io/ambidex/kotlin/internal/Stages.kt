package io.ambidex.kotlin.internal

import io.ambidex.CallFuture
import io.ambidex.facade.FlavourCalls
import io.ambidex.stream.AsyncIterator
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionStage
import java.util.concurrent.Future
import java.util.function.BiConsumer
import kotlin.coroutines.Continuation
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.NonCancellable
import kotlinx.coroutines.suspendCancellableCoroutine
import kotlinx.coroutines.withContext

/*
 * Waiting for the stages of an AsyncIterator (hasNext, close) inside a flow. Unlike awaitCall,
 * cancelling the coroutine does not cancel the stage: the flow's finally block closes the
 * iterator, which is how the AsyncIterator contract stops an in-flight fetch.
 *
 * A done stage is read in place, but only for the exact classes whose isDone() can be trusted:
 * minimalCompletionStage() returns a CompletableFuture subclass that throws on isDone().
 */
internal suspend fun <X> CompletionStage<out X>.awaitStage(): X {
  if ((javaClass == CompletableFuture::class.java || this is CallFuture<*>)) {
    @Suppress("UNCHECKED_CAST") val future = this as CompletableFuture<X>
    if (future.isDone) {
      return when (future.state()) {
        Future.State.SUCCESS -> future.resultNow()
        Future.State.CANCELLED -> throw cancellationOf(future)
        else -> throw FlavourCalls.unwrap(future.exceptionNow())
      }
    }
  }
  return suspendCancellableCoroutine { continuation ->
    whenComplete(StageResumer<X>(continuation))
  }
}

private class StageResumer<X>(private val continuation: Continuation<X>) : BiConsumer<X, Throwable?> {
  override fun accept(value: X, failure: Throwable?) {
    if (failure == null) {
      continuation.resume(value)
    } else {
      continuation.resumeWithException(FlavourCalls.unwrap(failure))
    }
  }
}

/**
 * The CancellationException a cancelled future holds: that very instance, with its message (a
 * core's "the client was closed"). Read with handle(), which hands over the stored exception on a
 * done future; join() and get() wrap a stored CancellationException in a new one since JDK 23
 * (`CancellationException("join")`, the original as its cause), and JDK 21 rethrows it.
 */
internal fun cancellationOf(future: CompletableFuture<*>): java.util.concurrent.CancellationException {
  val stored = future.handle { _, failure -> failure }.getNow(null)
  val cause = if (stored == null) null else FlavourCalls.unwrap(stored)
  return cause as? java.util.concurrent.CancellationException
      ?: java.util.concurrent.CancellationException("The stage was cancelled").apply {
        if (stored != null) initCause(stored)
      }
}

/**
 * Emits the items of [iterator] one at a time: `next()` only after the previous item's `emit` has
 * returned, so the collector's pace is the only demand. Closes the iterator however the loop ends
 * (end, failure, a collector that stops early, cancellation), and waits for that close in a
 * non-cancellable context. A failure of the close is thrown when the loop ended normally, and
 * attached as suppressed otherwise.
 */
internal suspend fun <T> kotlinx.coroutines.flow.FlowCollector<T>.emitAllOf(
    iterator: AsyncIterator<out T>
) {
  var failure: Throwable? = null
  try {
    while (iterator.hasNext().awaitStage()) {
      emit(iterator.next())
    }
  } catch (e: Throwable) {
    failure = e
    throw e
  } finally {
    withContext(NonCancellable) {
      try {
        // Void?: the close stage completes with null, which CompletionStage<Void> does not say.
        iterator.close().awaitStage<Void?>()
      } catch (closeFailure: Throwable) {
        val first = failure
        if (first == null) {
          throw closeFailure
        }
        if (first !== closeFailure) {
          first.addSuppressed(closeFailure)
        }
      }
    }
  }
}
