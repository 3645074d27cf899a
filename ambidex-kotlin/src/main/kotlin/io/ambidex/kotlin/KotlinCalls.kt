@file:JvmName("KotlinCalls")

package io.ambidex.kotlin

import io.ambidex.CallFuture
import io.ambidex.facade.FlavourCalls
import io.ambidex.kotlin.internal.CallAwaiter
import io.ambidex.kotlin.internal.cancellationOf
import java.util.concurrent.CancellationException
import java.util.concurrent.Future
import kotlinx.coroutines.Job
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.suspendCancellableCoroutine

/**
 * Suspends until this call completes and returns its result: the `suspend` form of an async
 * facade's method, so that a Kotlin facade is one line per method:
 * ```
 * suspend fun quote(symbol: String): Quote = async.quote(symbol).awaitCall()
 * ```
 *
 * Contract:
 * - **No suspension when done**: a future that has already completed (the async facade over a
 *   sync transport) is read in place, without suspending or allocating.
 * - **Cancelling the coroutine cancels the call**: while suspended here, cancellation of the
 *   calling coroutine calls `cancel(true)` on this future, which cancels the core's stage in
 *   flight (down to the transport), then this function throws the coroutine's
 *   [CancellationException].
 * - **A call cancelled by the core cancels the coroutine**: if this future ends cancelled without
 *   the coroutine having asked for it, the calling coroutine's [Job] is cancelled with the
 *   future's [CancellationException], which this function then throws (not wrapped). Siblings
 *   and the parent are not cancelled (a `CancellationException` is a normal cancellation in
 *   structured concurrency); the rest of the coroutine runs as any cancelled coroutine does.
 * - **Failures** are thrown as the exception the blocking facade throws, without the
 *   [java.util.concurrent.CompletionException] or [java.util.concurrent.ExecutionException]
 *   wrappers. (In kotlinx's debug mode, on when assertions are, its stack-trace recovery may
 *   throw a copy of the same class with the original as its cause, as for any `suspend` call.)
 * - **Threads**: the coroutine resumes on its own dispatcher; with `Dispatchers.Unconfined`, on
 *   the thread that completed the future.
 *
 * Named `awaitCall` rather than `await` so that it never competes with kotlinx-coroutines'
 * `CompletionStage.await()` by import order; that one also cancels the future when the coroutine
 * is cancelled (with `cancel(false)`), but leaves the coroutine active when the future is
 * cancelled by the core.
 *
 * @return the call's result
 * @throws CancellationException if the coroutine or the call was cancelled
 */
public suspend fun <T> CallFuture<T>.awaitCall(): T {
  if (isDone) {
    return when (state()) {
      Future.State.SUCCESS -> resultNow()
      Future.State.CANCELLED -> {
        val cancelled = cancellationOf(this)
        currentCoroutineContext()[Job]?.cancel(cancelled)
        throw cancelled
      }
      else -> throw FlavourCalls.unwrap(exceptionNow())
    }
  }
  return suspendCancellableCoroutine { continuation ->
    CallAwaiter(continuation, this, null).register()
  }
}

/**
 * [awaitCall] for a result that must be released when nobody receives it, such as an open
 * stream or a response: [onUndelivered] receives the value of a call that succeeded while the
 * coroutine was being cancelled, when this function throws [CancellationException] instead of
 * returning it. Without it, such a value is dropped unreleased (as by kotlinx's own
 * `CompletionStage.await()` and by a disposed Reactor, RxJava or Mutiny subscription).
 * ```
 * val body = async.open(bucket, key).awaitCall { it.close() }
 * ```
 *
 * A value is either returned or given to [onUndelivered], never both, and [onUndelivered] is
 * called at most once. It runs on the thread that completed the call or on the one that cancelled
 * the coroutine, so it must be quick and must not throw (kotlinx reports what it throws to the
 * coroutine's exception handler). A future that has already completed is read in place, so its
 * value is always returned. Everything else is as for [awaitCall].
 *
 * @param onUndelivered releases a value that could not be returned
 * @return the call's result
 * @throws CancellationException if the coroutine or the call was cancelled
 */
public suspend fun <T> CallFuture<T>.awaitCall(onUndelivered: (T) -> Unit): T {
  if (isDone) {
    return awaitCall()
  }
  return suspendCancellableCoroutine { continuation ->
    CallAwaiter(continuation, this, onUndelivered).register()
  }
}
