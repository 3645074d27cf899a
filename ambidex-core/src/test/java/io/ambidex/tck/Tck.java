package io.ambidex.tck;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.stream.Page;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.stream.LongStream;
import org.reactivestreams.tck.TestEnvironment;

/**
 * Shared settings and sources of the Reactive Streams TCK verifications in this package.
 *
 * <p>The TCK is TestNG-based. Surefire's JUnit Platform provider runs it next to the JUnit tests
 * through {@code testng-engine} (test dependencies of ambidex-core), and counts both in one report;
 * the verification classes are named {@code *TckTest} so Surefire's default includes pick them up.
 */
final class Tck {
  private Tck() {}

  /**
   * Signals are awaited up to 2 s (a few waits take it whole; 500 ms was exceeded
   * under load by a signal that did come), the absence of signals 100 ms: the whole TCK still
   * runs in seconds.
   */
  static TestEnvironment environment() {
    return new TestEnvironment(2_000, 100);
  }

  /**
   * How long a publisher verification waits for a cancelled publisher to drop its subscriber
   * (rule 3.13, "eventually"), instead of the TCK's 300 ms: the drop happens on whichever thread
   * runs the publisher's drain at the cancel, and beside two busy loops and other builds that
   * thread was not scheduled within 300 ms once (RoundTripPublisherTckTest, 2026-12-06). The
   * producer's and the flavours' verifications already wait 2 s.
   */
  static final long REFERENCE_DROP_MILLIS = 2_000;

  /** 0, 1, ..., elements-1 (unbounded for Long.MAX_VALUE), every stage already complete. */
  static AsyncIterator<Long> syncSource(long elements) {
    return AsyncIterators.fromIterable(() -> range(elements));
  }

  /**
   * 0, 1, ..., elements-1 as a paginated listing whose pages of 7 items are fetched on
   * {@code executor}: every page boundary is a genuinely asynchronous stage.
   */
  static AsyncIterator<Long> asyncPaginatedSource(long elements, Executor executor) {
    return AsyncIterators.paginate(
        0L,
        (Long start) -> {
          CompletableFuture<Page<Long, Long>> page =
              CompletableFuture.supplyAsync(
                  () -> {
                    long end = elements - start < 7 ? elements : start + 7;
                    List<Long> items = LongStream.range(start, end).boxed().toList();
                    return Page.of(items, end < elements ? end : null);
                  },
                  executor);
          return page;
        });
  }

  /** A source whose first fetch fails on {@code executor}. */
  static AsyncIterator<Long> asyncFailingSource(Executor executor) {
    return AsyncIterators.paginate(
        null,
        (String token) -> {
          CompletionStage<Page<Long, String>> failed =
              CompletableFuture.supplyAsync(
                  () -> {
                    throw new IllegalStateException("TCK: the first page cannot be fetched");
                  },
                  executor);
          return failed;
        });
  }

  private static Iterator<Long> range(long elements) {
    return LongStream.range(0, elements).iterator();
  }
}
