package io.ambidex.kotlin

import io.ambidex.CallFuture
import java.io.IOException
import java.io.UncheckedIOException
import java.util.concurrent.CancellationException
import java.util.concurrent.CompletableFuture
import kotlin.coroutines.Continuation
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.coroutines.startCoroutine
import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.async
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.coroutineScope
import kotlinx.coroutines.currentCoroutineContext
import kotlinx.coroutines.delay
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withTimeoutOrNull
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout

/** `awaitCall` over the async facade of a real core (retries, AsyncRuntime, pending transport). */
@Timeout(30)
class KotlinCallsTest {

  @Test
  fun awaitCall_completedFuture_returnsWithoutSuspending() {
    val done = CallFuture.of("done", CompletableFuture.completedFuture("v"))
    var outcome: Result<String>? = null

    suspend { done.awaitCall() }.startCoroutine(Continuation(EmptyCoroutineContext) { outcome = it })

    // startCoroutine returned: had awaitCall suspended, nothing would resume it on this thread.
    assertThat(outcome).isEqualTo(Result.success("v"))
  }

  @Test
  fun awaitCall_asyncCore_returnsTheValueTheTransportAnswers(): Unit = runBlocking {
    val client = AsyncTestClient()

    val answer = async(start = CoroutineStart.UNDISPATCHED) { client.get("k").awaitCall() }
    client.transport.awaitRequest().complete("v")

    assertThat(answer.await()).isEqualTo("v")
  }

  @Test
  fun awaitCall_failedCall_throwsTheCoresExceptionUnwrapped(): Unit = runBlocking {
    val client = AsyncTestClient()

    val call = async(start = CoroutineStart.UNDISPATCHED) { runCatching { client.get("k").awaitCall() } }
    // An I/O failure is retried once (the core's policy); the second one is the call's failure.
    client.transport.awaitRequest(1).completeExceptionally(UncheckedIOException(IOException("reset")))
    client.transport.awaitRequest(2).completeExceptionally(IllegalStateException("refused"))

    val failure = call.await().exceptionOrNull()
    // kotlinx's stack-trace recovery (on under -ea) may rethrow a copy of the same class.
    assertThat(failure).isInstanceOf(IllegalStateException::class.java).hasMessage("refused")
  }

  @Test
  fun awaitCall_failedBeforeAwait_throwsUnwrappedWithoutSuspending() {
    val failed = CallFuture.of("failed", CompletableFuture.failedFuture<String>(IOException("gone")))
    var outcome: Result<String>? = null

    suspend { failed.awaitCall() }.startCoroutine(Continuation(EmptyCoroutineContext) { outcome = it })

    assertThat(outcome!!.exceptionOrNull()).isInstanceOf(IOException::class.java).hasMessage("gone")
  }

  @Test
  fun awaitCall_argumentError_isThrownByTheFacadeCall() {
    val client = AsyncTestClient()

    assertThatThrownBy { runBlocking { client.get("").awaitCall() } }
        .isInstanceOf(IllegalArgumentException::class.java)
        .hasMessage("key must not be empty")
  }

  @Test
  fun awaitCall_coroutineCancelled_cancelsTheFutureAndTheTransportStageInFlight(): Unit = runBlocking {
    val client = AsyncTestClient()
    var future: CallFuture<String>? = null

    val caller = launch(Dispatchers.Default) {
      future = client.get("k")
      future!!.awaitCall()
    }
    val inFlight = client.transport.awaitRequest()
    caller.cancel()
    caller.join()

    assertThat(future!!.isCancelled).isTrue()
    assertThat(inFlight.isCancelled).`as`("the transport's stage in flight").isTrue()
  }

  /*
   * The value arrives (the future completes on this thread, which schedules the coroutine's
   * resumption on runBlocking's loop), then the coroutine is cancelled before it runs: kotlinx's
   * prompt cancellation throws CancellationException, and the value goes to onUndelivered
   * instead of being dropped unreleased.
   */
  @Test
  fun awaitCall_valueArrivingAsTheCoroutineIsCancelled_goesToOnUndelivered(): Unit = runBlocking {
    val stage = CompletableFuture<String>()
    val future = CallFuture.of("open", stage)
    val undelivered = mutableListOf<String>()
    var outcome: Result<String>? = null

    val caller = launch(start = CoroutineStart.UNDISPATCHED) {
      outcome = runCatching { future.awaitCall { undelivered += it } }
    }
    stage.complete("body")
    caller.cancel()
    caller.join()

    assertThat(outcome!!.exceptionOrNull()).isInstanceOf(CancellationException::class.java)
    assertThat(undelivered).containsExactly("body")
  }

  @Test
  fun awaitCall_withOnUndelivered_returnsADeliveredValueWithoutReleasingIt(): Unit = runBlocking {
    val stage = CompletableFuture<String>()
    val undelivered = mutableListOf<String>()

    val answer = async(start = CoroutineStart.UNDISPATCHED) {
      CallFuture.of("open", stage).awaitCall { undelivered += it }
    }
    stage.complete("body")

    assertThat(answer.await()).isEqualTo("body")
    assertThat(undelivered).isEmpty()
    assertThat(CallFuture.of("done", CompletableFuture.completedFuture("v")).awaitCall {
      undelivered += it
    }).isEqualTo("v")
    assertThat(undelivered).isEmpty()
  }

  @Test
  fun awaitCall_withOnUndelivered_cancelledBeforeAValue_cancelsTheCallAndReleasesNothing(): Unit =
      runBlocking {
        val client = AsyncTestClient()
        val undelivered = mutableListOf<String>()

        val answer = withTimeoutOrNull(100) { client.get("k").awaitCall { undelivered += it } }

        assertThat(answer).isNull()
        assertThat(client.transport.awaitRequest().isCancelled).isTrue()
        assertThat(undelivered).isEmpty()
      }

  @Test
  fun awaitCall_timeoutOfTheCoroutine_cancelsTheTransportStageInFlight(): Unit = runBlocking {
    val client = AsyncTestClient()

    val answer = withTimeoutOrNull(100) { client.get("k").awaitCall() }

    assertThat(answer).isNull()
    assertThat(client.transport.awaitRequest().isCancelled).isTrue()
  }

  @Test
  fun awaitCall_callCancelledByTheCore_cancelsTheCoroutinesJobWithCancellationException(): Unit =
      runBlocking {
        val client = AsyncTestClient()
        val sibling = launch { awaitCancellation() }
        var thrown: Throwable? = null
        var jobCancelled = false

        val caller = launch(start = CoroutineStart.UNDISPATCHED) {
          try {
            client.get("k").awaitCall()
          } catch (e: Throwable) {
            thrown = e
            jobCancelled = currentCoroutineContext()[Job]!!.isCancelled
            throw e
          }
        }
        // The core gives up: its transport cancels the exchange (a closing client, say).
        client.transport.awaitRequest().cancel(true)
        caller.join()

        assertThat(thrown).isInstanceOf(CancellationException::class.java)
        assertThat(jobCancelled).`as`("the awaiting coroutine's job is cancelled").isTrue()
        assertThat(caller.isCancelled).isTrue()
        assertThat(sibling.isActive).`as`("a sibling is not cancelled").isTrue()
        sibling.cancel()
      }

  @Test
  fun awaitCall_futureCancelledBeforeAwait_cancelsTheCoroutinesJob(): Unit = runBlocking {
    val client = AsyncTestClient()
    val future = client.get("k")
    future.cancel(true)
    var jobCancelled = false

    val caller = launch(start = CoroutineStart.UNDISPATCHED) {
      try {
        future.awaitCall()
      } finally {
        jobCancelled = currentCoroutineContext()[Job]!!.isCancelled
      }
    }
    caller.join()

    assertThat(jobCancelled).isTrue()
    assertThat(caller.isCancelled).isTrue()
    assertThat(client.transport.awaitRequest().isCancelled).isTrue()
  }

  @Test
  fun awaitCall_callCancelledByTheCoreBeforeAwait_throwsTheCoresOwnCancellationException() {
    // A core that gave up (a closing client, say) fails its stage with its own explanation.
    val closed = CancellationException("the client was closed")
    val future = CallFuture.of("get", CompletableFuture.failedFuture<String>(closed))
    var outcome: Result<String>? = null

    suspend { future.awaitCall() }.startCoroutine(Continuation(EmptyCoroutineContext) { outcome = it })

    // Not the CancellationException("join") that join() wraps around it since JDK 23.
    assertThat(outcome!!.exceptionOrNull()).isSameAs(closed)
  }

  @Test
  fun awaitCall_cancelledCall_doesNotFailTheParentScope(): Unit = runBlocking {
    val client = AsyncTestClient()

    val result = runCatching {
      coroutineScope {
        val child = async(start = CoroutineStart.UNDISPATCHED) { client.get("k").awaitCall() }
        client.transport.awaitRequest().cancel(true)
        runCatching { child.await() }
        delay(10)
        "parent went on"
      }
    }

    assertThat(result.getOrNull()).isEqualTo("parent went on")
  }
}
