package io.ambidex.kotlin.internal

import io.ambidex.CallFuture
import io.ambidex.facade.FlavourCalls
import java.util.concurrent.CancellationException
import java.util.function.BiConsumer
import kotlin.coroutines.resume
import kotlin.coroutines.resumeWithException
import kotlinx.coroutines.CancellableContinuation
import kotlinx.coroutines.Job

/*
 * One suspended awaitCall: the future's completion callback and the continuation's cancellation
 * handler in one object (kotlinx's CompletionStage.await allocates a lambda for the second).
 *
 * Completion: a value or failure resumes the continuation. A cancelled future while the
 * continuation is still active means the core (or another holder of the future) cancelled the
 * call: the coroutine's job is cancelled with that CancellationException, and the continuation
 * is resumed with it too (ignored if the job's cancellation already cancelled it, and needed when
 * the context has no job).
 *
 * Cancellation: the continuation's cancellation cancels the future with mayInterrupt = true, as
 * the other flavours do, which CallFuture passes to the stage it waits on. The future's own
 * completion then finds the continuation inactive and does nothing, except that a value that
 * arrives anyway (the future completed before its cancel) goes to onUndelivered, as does one that
 * resumed the continuation just before the cancellation (kotlinx's prompt cancellation).
 */
internal class CallAwaiter<T>(
    private val continuation: CancellableContinuation<T>,
    private val future: CallFuture<T>,
    private val onUndelivered: ((T) -> Unit)?,
) : BiConsumer<T, Throwable?>, (Throwable?) -> Unit {

  fun register() {
    continuation.invokeOnCancellation(this)
    future.whenComplete(this)
  }

  override fun accept(value: T, failure: Throwable?) {
    if (failure == null) {
      val release = onUndelivered
      if (release == null) {
        continuation.resume(value)
      } else {
        continuation.resume(value) { _, undelivered, _ -> release(undelivered) }
      }
      return
    }
    val cause = FlavourCalls.unwrap(failure)
    if (cause is CancellationException) {
      if (continuation.isActive) {
        continuation.context[Job]?.cancel(cause)
        continuation.resumeWithException(cause)
      }
      return
    }
    continuation.resumeWithException(cause)
  }

  override fun invoke(cause: Throwable?) {
    future.cancel(true)
  }
}
