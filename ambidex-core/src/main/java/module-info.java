/**
 * Ambidex core: write I/O logic once against {@link java.util.concurrent.CompletionStage} and
 * obtain a blocking path and an async path from it.
 *
 * <p>Only {@code io.ambidex} is exported. Everything in {@code io.ambidex.internal} is an
 * implementation detail and may change in any release.
 */
module io.ambidex.core {
  requires static transitive org.jspecify;

  exports io.ambidex;
}
