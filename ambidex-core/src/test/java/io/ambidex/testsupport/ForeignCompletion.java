package io.ambidex.testsupport;

import java.util.concurrent.CompletableFuture;

/**
 * Futures completed by a thread of their own, for tests that check what a continuation sees when
 * the thread completing its stage is neither the caller nor one of the library's: context
 * propagation (core's {@code ContextPathsTest}, the Micrometer module's {@code
 * MicrometerPathsTest}). Shipped in the core's test jar.
 */
public final class ForeignCompletion {
  /** The name of every thread that completes one of these futures. */
  public static final String THREAD_NAME = "foreign-completer";

  private ForeignCompletion() {}

  /**
   * A future completed with {@code value} by a new platform thread named {@value #THREAD_NAME},
   * with no context of its own, once {@code release} is done. The test completes {@code release}
   * after the code under test has registered its continuation. Waiting for a dependent instead
   * is not enough: a completion that races the registration is handed back to the registering
   * thread (by {@code CompletableFuture}, and by the driver's REGISTERING to INLINE handshake),
   * and CI once saw the continuation run on {@code main} that way.
   *
   * @param release completed by the test once the continuation is registered
   * @param value what the future completes with
   * @param <T> the value's type
   * @return the future, completed only after {@code release}
   */
  public static <T> CompletableFuture<T> completedByForeignThread(
      CompletableFuture<?> release, T value) {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread.ofPlatform().name(THREAD_NAME).start(() -> {
      release.join();
      f.complete(value);
    });
    return f;
  }
}
