package io.ambidex.kotlin

import java.util.concurrent.CancellationException
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.future.await
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout

/**
 * What the idiomatic one-liner, kotlinx-coroutines' `CompletionStage.await()`, does with an async
 * facade's `CallFuture` (the figures of docs/kotlin.md and the benchmark's comparison).
 */
@Timeout(30)
class IdiomaticAwaitTest {

  @Test
  fun await_coroutineCancelled_cancelsTheCallFutureAndTheStageInFlight(): Unit = runBlocking {
    val client = AsyncTestClient()
    val future = client.get("k")

    val caller = launch(Dispatchers.Default) { future.await() }
    val inFlight = client.transport.awaitRequest()
    caller.cancel()
    caller.join()

    // kotlinx cancels the future (cancel(false)); a CallFuture passes that on to the stage.
    assertThat(future.isCancelled).isTrue()
    assertThat(inFlight.isCancelled).isTrue()
  }

  @Test
  fun await_callCancelledByTheCore_throwsCancellationButLeavesTheJobActive(): Unit = runBlocking {
    val client = AsyncTestClient()
    var thrown: Throwable? = null
    var jobCancelled: Boolean? = null

    val caller = launch(start = CoroutineStart.UNDISPATCHED) {
      try {
        client.get("k").await()
      } catch (e: Throwable) {
        thrown = e
        jobCancelled = currentCoroutineContext()[Job]!!.isCancelled
      }
    }
    client.transport.awaitRequest().cancel(true)
    caller.join()

    assertThat(thrown).isInstanceOf(CancellationException::class.java)
    // The difference with awaitCall: the coroutine is not cancelled, so it runs on as if the
    // CancellationException were an ordinary failure, and a later suspension does not stop it.
    assertThat(jobCancelled).isFalse()
    assertThat(caller.isCancelled).isFalse()
  }
}
