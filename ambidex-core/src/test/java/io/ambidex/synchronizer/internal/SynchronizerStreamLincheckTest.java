package io.ambidex.synchronizer.internal;

import io.ambidex.stream.AsyncIterators;
import io.ambidex.synchronizer.Synchronizer;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jetbrains.lincheck.datastructures.Operation;
import org.jetbrains.lincheck.datastructures.StressOptions;
import org.jetbrains.lincheck.datastructures.Validate;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Lincheck's stress mode over a Synchronizer's batched stream: one consumer takes items (batches
 * of two are filled on the loop) and closes the stream, while other threads close the whole
 * Synchronizer. Checked after every run: the items taken are the source's first ones, in order,
 * none twice; a take after a close fails only as documented (the stream or Synchronizer closed,
 * or cancelled); nothing hangs.
 */
@Timeout(180)
public class SynchronizerStreamLincheckTest {
  private static final List<Integer> SOURCE = IntStream.rangeClosed(1, 9).boxed().toList();

  private final Synchronizer sync =
      Synchronizer.builder("lincheck-stream").daemon(true).batchSize(2).build();
  private final AtomicReference<@Nullable Stream<Integer>> stream = new AtomicReference<>();
  private final AtomicReference<@Nullable Iterator<Integer>> iterator = new AtomicReference<>();
  private final AtomicInteger taken = new AtomicInteger();
  private final AtomicReference<@Nullable String> broken = new AtomicReference<>();
  private final AtomicReference<@Nullable Throwable> unexpected = new AtomicReference<>();

  private @Nullable Iterator<Integer> iterator() {
    Iterator<Integer> it = iterator.get();
    if (it == null) {
      Stream<Integer> s = sync.stream("items", () -> AsyncIterators.fromIterable(SOURCE));
      stream.set(s);
      it = s.iterator();
      iterator.set(it);
    }
    return it;
  }

  @Operation(nonParallelGroup = "consumer")
  public void take() {
    try {
      Iterator<Integer> it = iterator();
      if (it.hasNext()) {
        int item = it.next();
        int expected = taken.incrementAndGet();
        if (item != expected) {
          broken.compareAndSet(null, "took " + item + " where " + expected + " was next");
        }
      }
    } catch (IllegalStateException closedOrCancelled) {
      // The Synchronizer or the stream was closed (CancellationException is one too).
    } catch (Throwable t) {
      unexpected.compareAndSet(null, t);
    }
  }

  @Operation(nonParallelGroup = "consumer")
  public void closeStream() {
    Stream<Integer> s = stream.get();
    if (s != null) {
      s.close();
    }
  }

  @Operation
  public void closeSynchronizer() {
    sync.close();
  }

  @Validate
  public void inOrder_noneTwice_onlyDocumentedFailures() {
    sync.close();
    if (broken.get() != null) {
      throw new AssertionError(broken.get());
    }
    if (unexpected.get() != null) {
      throw new AssertionError("a take failed with an undocumented exception", unexpected.get());
    }
    if (taken.get() > SOURCE.size()) {
      throw new AssertionError("took " + taken.get() + " items from a source of " + SOURCE.size());
    }
  }

  @Test
  void stress() {
    new StressOptions()
        .iterations(15)
        .invocationsPerIteration(300)
        .threads(3)
        .actorsPerThread(3)
        .actorsBefore(2)
        .actorsAfter(1)
        .check(SynchronizerStreamLincheckTest.class);
  }
}
