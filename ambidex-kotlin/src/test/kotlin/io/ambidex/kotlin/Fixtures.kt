package io.ambidex.kotlin

import io.ambidex.CallFuture
import io.ambidex.control.Async
import io.ambidex.control.AsyncRuntime
import io.ambidex.control.RetryPolicy
import io.ambidex.facade.FacadeSupport
import io.ambidex.stream.AsyncIterator
import io.ambidex.stream.AsyncIterators
import java.time.Duration
import java.util.concurrent.CompletableFuture
import java.util.concurrent.CompletionStage
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Flow
import java.util.concurrent.atomic.AtomicInteger
import org.awaitility.Awaitility.await

/** A transport that records each request as a pending stage, for the test to complete or watch. */
class PendingTransport {
  val requests = CopyOnWriteArrayList<CompletableFuture<String>>()

  fun send(request: String): CompletionStage<String> {
    val response = CompletableFuture<String>()
    requests.add(response)
    return response
  }

  /** Waits until [n] requests have been sent and returns the last one. */
  fun awaitRequest(n: Int = 1): CompletableFuture<String> {
    await().atMost(Duration.ofSeconds(10)).until { requests.size >= n }
    return requests[n - 1]
  }
}

/** A core written once over the transport: retries and a runtime, as real cores are. */
class TestCore(private val transport: PendingTransport, private val runtime: AsyncRuntime) {
  private val retry =
      RetryPolicy.builder()
          .maxAttempts(2)
          .initialDelay(Duration.ofMillis(1))
          .retryOn(RetryPolicy.IO_FAILURES)
          .build()

  fun get(key: String): CompletionStage<String> {
    require(key.isNotEmpty()) { "key must not be empty" }
    return Async.retry(retry, runtime) { transport.send("GET $key") }
  }

  /** The keys under [prefix]: a sequence the consumer must close (recorded in [opened]). */
  fun keys(prefix: String): AsyncIterator<String> {
    require(prefix.isNotEmpty()) { "prefix must not be empty" }
    return RecordingIterator(listOf("${prefix}1", "${prefix}2", "${prefix}3")).also { opened.add(it) }
  }

  val opened = CopyOnWriteArrayList<RecordingIterator<String>>()
}

/** The async facade over [TestCore], as the processor generates it. */
class AsyncTestClient(val transport: PendingTransport = PendingTransport()) {
  val core = TestCore(transport, AsyncRuntime.create())

  fun get(key: String): CallFuture<String> = CallFuture.of("AsyncTestClient.get", core.get(key))

  fun keys(prefix: String): Flow.Publisher<String> =
      FacadeSupport.publisher("AsyncTestClient.keys", core.keys(prefix))
}

/** The Kotlin facade over [AsyncTestClient], as docs/kotlin.md shows it: one line per method. */
class KotlinTestClient(private val async: AsyncTestClient) {
  suspend fun get(key: String): String = async.get(key).awaitCall()

  fun keys(prefix: String): kotlinx.coroutines.flow.Flow<String> = publisherFlow { async.keys(prefix) }
}

/** An iterator over [items] that records what was asked of it. */
class RecordingIterator<T>(items: List<T>) : AsyncIterator<T> {
  private val source = AsyncIterators.fromIterable(items)
  val hasNextCalls = AtomicInteger()
  val nextCalls = AtomicInteger()
  @Volatile var closed = false

  override fun hasNext(): CompletionStage<Boolean> {
    hasNextCalls.incrementAndGet()
    return source.hasNext()
  }

  override fun next(): T {
    nextCalls.incrementAndGet()
    return source.next()
  }

  override fun close(): CompletionStage<Void> {
    closed = true
    return source.close()
  }
}

/** An iterator whose first hasNext() never completes on its own; close() cancels it. */
class StalledIterator : AsyncIterator<String> {
  val pending = CompletableFuture<Boolean>()
  @Volatile var closed = false

  override fun hasNext(): CompletionStage<Boolean> = pending

  override fun next(): String = throw NoSuchElementException()

  override fun close(): CompletionStage<Void> {
    closed = true
    pending.cancel(true)
    return CompletableFuture.completedFuture(null)
  }
}
