package io.ambidex.kotlin

import kotlinx.coroutines.CoroutineStart
import kotlinx.coroutines.async
import kotlinx.coroutines.flow.first
import kotlinx.coroutines.flow.toList
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.awaitility.Awaitility.await
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout

/** A thin Kotlin facade, one line per method ([KotlinTestClient]), over a core's async facade. */
@Timeout(30)
class KotlinFacadeTest {
  private val async = AsyncTestClient()
  private val client = KotlinTestClient(async)

  @Test
  fun get_suspendsUntilTheTransportAnswers(): Unit = runBlocking {
    val value = async(start = CoroutineStart.UNDISPATCHED) { client.get("k") }
    async.transport.awaitRequest().complete("v")

    assertThat(value.await()).isEqualTo("v")
  }

  @Test
  fun keys_isColdAndCallsTheFacadeOncePerCollection(): Unit = runBlocking {
    val keys = client.keys("a")
    assertThat(async.core.opened).isEmpty()

    assertThat(keys.toList()).containsExactly("a1", "a2", "a3")
    assertThat(keys.toList()).containsExactly("a1", "a2", "a3")

    assertThat(async.core.opened).hasSize(2).allMatch { it.closed }
  }

  @Test
  fun keys_collectorStopsEarly_closesTheCoresIterator(): Unit = runBlocking {
    assertThat(client.keys("a").first()).isEqualTo("a1")

    await().untilAsserted { assertThat(async.core.opened.single().closed).isTrue() }
  }

  @Test
  fun keys_argumentError_isThrownByCollect() {
    val keys = client.keys("")

    assertThatThrownBy { runBlocking { keys.toList() } }
        .isInstanceOf(IllegalArgumentException::class.java)
        .hasMessage("prefix must not be empty")
  }
}
