package io.ambidex.examples.kotlin

import io.ambidex.examples.quotes.Quote
import io.ambidex.examples.quotes.Quotes
import java.io.ByteArrayOutputStream
import java.io.PrintStream
import java.nio.charset.StandardCharsets
import java.util.concurrent.CopyOnWriteArrayList
import kotlinx.coroutines.runBlocking
import org.assertj.core.api.Assertions.assertThat
import org.assertj.core.api.Assertions.assertThatThrownBy
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.Timeout

@Timeout(30)
class KotlinQuotesTest {

  @Test
  fun kotlinClient_givesTheBlockingClientsAnswers(): Unit = runBlocking {
    val symbols = listOf("ACME", "INIT", "TECH", "BOLT", "CORE")
    val blocking = Quotes().use { it.quotes(symbols) {} }
    val progress = CopyOnWriteArrayList<Int>()
    val quotes = KotlinQuotes()

    val viaKotlin =
        try {
          assertThat(quotes.quote("ACME")).isEqualTo(blocking[0])
          quotes.quotes(symbols) { progress.add(it) }
        } finally {
          quotes.close()
        }

    assertThat(viaKotlin).isEqualTo(blocking)
    assertThat(viaKotlin.map(Quote::symbol)).isEqualTo(symbols)
    assertThat(progress).containsExactlyInAnyOrder(1, 2, 3, 4, 5)
  }

  @Test
  fun badSymbol_isThrownAsTheCoresException() {
    val quotes = KotlinQuotes()

    assertThatThrownBy { runBlocking { quotes.quote("acme") } }
        .isInstanceOf(IllegalArgumentException::class.java)
        .hasMessage("symbol must be one to five capital letters, but was 'acme'")
    runBlocking { quotes.close() }
  }

  @Test
  fun demo_runsAndPrintsEveryQuote() {
    val original = System.out
    val captured = ByteArrayOutputStream()
    System.setOut(PrintStream(captured, true, StandardCharsets.UTF_8))
    try {
      main()
    } finally {
      System.setOut(original)
    }

    val output = captured.toString(StandardCharsets.UTF_8)
    assertThat(output).contains("quote(ACME)  = ACME ").contains("progress 6/6")
    assertThat(output).contains("quotes(...)  = [ACME ", "DUAL ")
  }
}
