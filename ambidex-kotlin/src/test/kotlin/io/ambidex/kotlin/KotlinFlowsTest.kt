package io.ambidex.kotlin

import io.ambidex.producer.Producer
import io.ambidex.stream.AsyncIterators
import java.io.IOException
import java.util.concurrent.CancellationException
import java.util.concurrent.CountDownLatch
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicInteger
import kotlin.coroutines.Continuation
import kotlin.coroutines.EmptyCoroutineContext
import kotlin.coroutines.startCoroutine
import kotlinx.coroutines.CoroutineScope
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.Job
import kotlinx.coroutines.awaitCancellation
import kotlinx.coroutines.cancel
import kotlinx.coroutines.channels.Channel
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.flow
import kotlinx.coroutines.flow.take
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.launch
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.awaitility.Awaitility.await
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout

@Timeout(30)
class KotlinFlowsTest {

  // ---- AsyncIterator -> Flow ----

  @Test
  fun iteratorFlow_collectedTwice_opensAndClosesTwoIterators(): Unit = runBlocking {
    val opened = mutableListOf<RecordingIterator<String>>()
    val keys = iteratorFlow { RecordingIterator(listOf("a", "b")).also { opened.add(it) } }

    assertThat(opened).isEmpty()
    assertThat(keys.toList()).containsExactly("a", "b")
    assertThat(keys.toList()).containsExactly("a", "b")

    assertThat(opened).hasSize(2).allMatch { it.closed }
  }

  @Test
  fun iteratorFlow_slowCollector_nextOnlyAfterTheItemWasTaken(): Unit = runBlocking {
    val iterator = RecordingIterator((1..100).toList())
    val nextCallsSeen = mutableListOf<Int>()

    iteratorFlow { iterator }.take(3).collect { nextCallsSeen.add(iterator.nextCalls.get()) }

    assertThat(nextCallsSeen).containsExactly(1, 2, 3)
    assertThat(iterator.nextCalls.get()).isEqualTo(3)
  }

  @Test
  fun iteratorFlow_collectorStopsEarly_closesTheIterator(): Unit = runBlocking {
    val iterator = RecordingIterator(listOf("a", "b", "c"))

    assertThat(iteratorFlow { iterator }.first()).isEqualTo("a")

    assertThat(iterator.closed).isTrue()
  }

  @Test
  fun iteratorFlow_coroutineCancelledWhileWaiting_closesTheIterator(): Unit = runBlocking {
    val iterator = StalledIterator()

    val collector = launch(Dispatchers.Default) { iteratorFlow { iterator }.collect {} }
    await().until { iterator.pending.numberOfDependents > 0 }
    collector.cancel()
    collector.join()

    assertThat(iterator.closed).isTrue()
    assertThat(iterator.pending.isCancelled).isTrue()
  }

  @Test
  fun iteratorFlow_failingIterator_throwsItsExceptionUnwrapped() {
    val failing = iteratorFlow { AsyncIterators.failed<String>(IOException("listing failed")) }

    assertThatThrownBy { runBlocking { failing.toList() } }
        .isInstanceOf(IOException::class.java)
        .hasMessage("listing failed")
  }

  @Test
  fun iteratorFlow_iteratorCancelledByItsSource_throwsThatCancellationException() {
    val closed = CancellationException("the listing was closed")
    val failing = iteratorFlow { AsyncIterators.failed<String>(closed) }
    var outcome: Result<List<String>>? = null

    suspend { failing.toList() }.startCoroutine(Continuation(EmptyCoroutineContext) { outcome = it })

    // Not the CancellationException("join") that join() wraps around it since JDK 23.
    assertThat(outcome!!.exceptionOrNull()).isSameAs(closed)
  }

  @Test
  fun iteratorFlow_openThrows_isThrownByCollect() {
    val flow = iteratorFlow<String> { throw IllegalArgumentException("bad prefix") }

    assertThatThrownBy { runBlocking { flow.toList() } }
        .isInstanceOf(IllegalArgumentException::class.java)
        .hasMessage("bad prefix")
  }

  @Test
  fun asFlow_collectedTwice_failsTheSecondCollection(): Unit = runBlocking {
    val once = RecordingIterator(listOf(1, 2)).asFlow()

    assertThat(once.toList()).containsExactly(1, 2)
    assertThatThrownBy { runBlocking { once.toList() } }
        .isInstanceOf(IllegalStateException::class.java)
        .hasMessageContaining("can be collected once")
  }

  // ---- publisher -> Flow ----

  @Test
  fun publisherFlow_eachCollection_makesANewCall(): Unit = runBlocking {
    val calls = AtomicInteger()
    val sources = mutableListOf<RecordingIterator<String>>()
    val keys = publisherFlow {
      calls.incrementAndGet()
      AsyncIterators.toPublisher(RecordingIterator(listOf("a", "b")).also { sources.add(it) })
    }

    assertThat(calls.get()).isZero()
    assertThat(keys.toList()).containsExactly("a", "b")
    assertThat(keys.toList()).containsExactly("a", "b")

    assertThat(calls.get()).isEqualTo(2)
    assertThat(sources).allMatch { it.closed }
  }

  @Test
  fun publisherFlow_requestsOneItemAhead_andCancelsWhenTheCollectorStops(): Unit = runBlocking {
    val source = RecordingIterator((1..1000).toList())
    val seen = mutableListOf<Int>()

    publisherFlow { AsyncIterators.toPublisher(source) }.take(2).collect {
      seen.add(source.nextCalls.get())
    }

    // Item n is emitted when at most n + 1 items were taken from the source (one ahead).
    assertThat(seen[0]).isLessThanOrEqualTo(2)
    assertThat(seen[1]).isLessThanOrEqualTo(3)
    await().untilAsserted { assertThat(source.closed).isTrue() }
    assertThat(source.nextCalls.get()).isLessThanOrEqualTo(3)
  }

  // ---- Producer -> Flow ----

  @Test
  fun producerAsFlow_eachCollectionRunsTheBodyOnce(): Unit = runBlocking {
    val runs = AtomicInteger()
    val numbers = Producer.of<Int, Void?> { ctx ->
      runs.incrementAndGet()
      ctx.started()
      for (i in 1..3) ctx.send(i)
    }.asFlow()

    assertThat(numbers.toList()).containsExactly(1, 2, 3)
    assertThat(numbers.toList()).containsExactly(1, 2, 3)
    assertThat(runs.get()).isEqualTo(2)
  }

  @Test
  fun producerAsFlow_collectorStopsEarly_cancelsTheBodyAndRunsItsFinally(): Unit = runBlocking {
    val cleanedUp = CountDownLatch(1)
    val numbers = Producer.of<Int, Void?> { ctx ->
      ctx.started()
      try {
        var i = 0
        while (true) ctx.send(i++)
      } finally {
        cleanedUp.countDown()
      }
    }.asFlow()

    assertThat(numbers.take(2).toList()).containsExactly(0, 1)

    assertThat(cleanedUp.await(10, TimeUnit.SECONDS)).isTrue()
  }

  // ---- Flow -> AsyncIterator ----

  @Test
  fun asAsyncIterator_itemsThenEnd_areDeliveredInOrder() {
    val scope = CoroutineScope(Job() + Dispatchers.Default)
    val iterator = flow { for (i in 1..5) emit(i) }.asAsyncIterator(scope, capacity = 2)

    val items = AsyncIterators.blockingIterator(iterator).use { it.asSequence().toList() }

    assertThat(items).containsExactly(1, 2, 3, 4, 5)
    scope.cancel()
  }

  @Test
  fun asAsyncIterator_isLazy_andRunsAtMostTheBufferAhead() {
    val scope = CoroutineScope(Job() + Dispatchers.Unconfined)
    val emitted = AtomicInteger()
    val iterator = flow {
      repeat(1000) {
        emitted.incrementAndGet()
        emit(it)
      }
    }.asAsyncIterator(scope, capacity = 2)
    assertThat(emitted.get()).`as`("before the first hasNext()").isZero()

    // Unconfined: the collector runs in hasNext() until its send() suspends on a full buffer.
    assertThat(iterator.hasNext().toCompletableFuture().getNow(false)).isTrue()
    assertThat(iterator.next()).isEqualTo(0)

    assertThat(emitted.get()).isLessThanOrEqualTo(2 + 2)
    iterator.close().toCompletableFuture().get(10, TimeUnit.SECONDS)
    scope.cancel()
  }

  @Test
  fun asAsyncIterator_failingFlow_deliversItemsThenTheFailure_andLeavesTheScopeActive() {
    val scope = CoroutineScope(Job() + Dispatchers.Default)
    val iterator = flow {
      emit("a")
      throw IOException("stream broke")
    }.asAsyncIterator(scope)

    assertThat(iterator.hasNext().toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue()
    assertThat(iterator.next()).isEqualTo("a")
    assertThatThrownBy { iterator.hasNext().toCompletableFuture().join() }
        .hasCauseInstanceOf(IOException::class.java)
        .hasRootCauseMessage("stream broke")

    assertThat(scope.coroutineContext[Job]!!.isActive).isTrue()
    scope.cancel()
  }

  @Test
  fun asAsyncIterator_close_cancelsTheCollectingCoroutineAndAPendingHasNext() {
    val scope = CoroutineScope(Job() + Dispatchers.Default)
    val cleanedUp = AtomicInteger()
    val iterator = flow {
      try {
        emit("first")
        awaitCancellation()
      } finally {
        cleanedUp.incrementAndGet()
      }
    }.asAsyncIterator(scope, Channel.RENDEZVOUS)
    assertThat(iterator.hasNext().toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue()
    iterator.next()
    val pending = iterator.hasNext().toCompletableFuture()

    iterator.close().toCompletableFuture().get(10, TimeUnit.SECONDS)

    assertThat(cleanedUp.get()).`as`("the flow's finally ran before close completed").isEqualTo(1)
    assertThatThrownBy { pending.get(10, TimeUnit.SECONDS) }
        .hasCauseInstanceOf(CancellationException::class.java)
    assertThatThrownBy { iterator.hasNext().toCompletableFuture().join() }
        .hasCauseInstanceOf(IllegalStateException::class.java)
    scope.cancel()
  }

  @Test
  fun asAsyncIterator_scopeCancelled_endsTheCollectionWithCancellation() {
    val scope = CoroutineScope(Job() + Dispatchers.Default)
    val iterator = flow<String> { awaitCancellation() }.asAsyncIterator(scope)
    val pending = iterator.hasNext().toCompletableFuture()

    scope.cancel()

    assertThatThrownBy { pending.get(10, TimeUnit.SECONDS) }
        .hasCauseInstanceOf(CancellationException::class.java)
  }

  @Test
  fun asAsyncIterator_unboundedCapacity_isRefused() {
    val scope = CoroutineScope(Job())

    assertThatThrownBy { flow<Int> {}.asAsyncIterator(scope, Channel.UNLIMITED) }
        .isInstanceOf(IllegalArgumentException::class.java)
        .hasMessageContaining("bounded")
    assertThatThrownBy { flow<Int> {}.asAsyncIterator(scope, Channel.CONFLATED) }
        .isInstanceOf(IllegalArgumentException::class.java)
  }

  @Test
  fun roundTrip_flowToIteratorToPublisherToFlow_keepsItemsAndFailure(): Unit = runBlocking {
    val scope = CoroutineScope(Job() + Dispatchers.Default)
    val source = flow {
      emit(1)
      emit(2)
      throw IOException("late failure")
    }

    val back = publisherFlow { AsyncIterators.toPublisher(source.asAsyncIterator(scope)) }
    val seen = mutableListOf<Int>()
    val failure = runCatching { back.collect { seen.add(it) } }.exceptionOrNull()

    assertThat(seen).containsExactly(1, 2)
    assertThat(failure).isInstanceOf(IOException::class.java).hasMessage("late failure")
    scope.cancel()
  }
}
