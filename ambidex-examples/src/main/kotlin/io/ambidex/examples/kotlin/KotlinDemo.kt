package io.ambidex.examples.kotlin

import kotlinx.coroutines.runBlocking

/**
 * The quotes demo in Kotlin: the same core and async client as the Java demo, through
 * [KotlinQuotes]. Every quote's first request fails with a simulated connection reset, so each
 * call shows a retry.
 */
fun main(): Unit = runBlocking {
  val symbols = listOf("ACME", "INIT", "TECH", "BOLT", "CORE", "DUAL")
  val quotes = KotlinQuotes()
  try {
    println("Kotlin client (async transport, AsyncRuntime, awaitCall)")
    println("  quote(ACME)  = ${quotes.quote("ACME")}")
    val all = quotes.quotes(symbols) { done -> println("  progress $done/${symbols.size}") }
    println("  quotes(...)  = $all")
  } finally {
    quotes.close()
  }
}
