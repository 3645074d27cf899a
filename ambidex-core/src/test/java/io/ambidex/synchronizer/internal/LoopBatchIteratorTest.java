package io.ambidex.synchronizer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.CallFuture;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.synchronizer.Synchronizer;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A batched iterator's fill, with the interleavings forced through its seams. */
@Timeout(10)
class LoopBatchIteratorTest {

  /*
   * A fill waits for the source's hasNext(); meanwhile the loop is stopped (a close), and the
   * source answers after the loop has ended, so the fill's next step is refused. The fill must
   * fail as a call in progress at a close does (CancellationException, the documented outcome),
   * not with the loop's RejectedExecutionException. Under two concurrent closes that refusal can
   * reach the caller before the close's own failure does; SynchronizerStreamLincheckTest's
   * stress mode saw "a take failed with an undocumented exception" that way.
   */
  @Test
  void fill_whoseSourceAnswersAfterTheLoopStopped_failsAsClosedWhileInProgress() throws Exception {
    SynchronizerLoop loop = new SynchronizerLoop("fill-after-stop", true);
    loop.start();
    CompletableFuture<Boolean> answer = new CompletableFuture<>();
    AsyncIterator<Integer> source =
        new AsyncIterator<>() {
          @Override
          public CompletionStage<Boolean> hasNext() {
            return answer;
          }

          @Override
          public Integer next() {
            return 1;
          }

          @Override
          public CompletionStage<Void> close() {
            return CompletableFuture.completedFuture(null);
          }
        };
    LoopBatchIterator<Integer> iterator = new LoopBatchIterator<>(new Host(loop), "items", source);
    AtomicReference<CompletionStage<?>> fill = new AtomicReference<>();
    CompletableFuture<Void> started = new CompletableFuture<>();
    loop.execute(
        () -> {
          fill.set(iterator.fill());
          started.complete(null);
        });
    started.get(5, TimeUnit.SECONDS);
    CompletableFuture<?> filled = fill.get().toCompletableFuture();
    assertThat(filled).isNotDone();

    loop.stop();
    loop.terminated().get(5, TimeUnit.SECONDS);
    answer.complete(true);

    Throwable failure = filled.handle((v, e) -> e).get(5, TimeUnit.SECONDS);
    assertThat(failure)
        .isInstanceOf(CancellationException.class)
        .hasMessage("Synchronizer 'fill-after-stop' was closed while 'items' was in progress.");
  }

  /*
   * Just what fill() uses: the loop and the batch size. The rest belongs to hasNext() and the
   * Synchronizer, which this test does not reach; a call to it fails the test, naming it.
   */
  private record Host(SynchronizerLoop loop) implements LoopHost {
    @Override
    public Synchronizer synchronizer() {
      throw new AssertionError("fill() called LoopHost.synchronizer()");
    }

    @Override
    public int batchSize() {
      return 2;
    }

    @Override
    public Duration cancelGrace() {
      return Duration.ofMillis(100);
    }

    @Override
    public void checkMayBlock(SynchronizerLoop l, String operation) {}

    @Override
    public <T extends @Nullable Object> CallFuture<T> submit(
        SynchronizerLoop l,
        String operation,
        Supplier<? extends CompletionStage<T>> function,
        @Nullable Executor completion) {
      throw new AssertionError("fill() called LoopHost.submit()");
    }

    @Override
    public <T extends @Nullable Object, X extends Exception> T await(
        SynchronizerLoop l, CallFuture<T> result, String operation, @Nullable Class<X> declared) {
      throw new AssertionError("fill() called LoopHost.await()");
    }

    @Override
    public boolean runOnLoopAndWait(SynchronizerLoop l, Runnable action, Duration limit) {
      throw new AssertionError("fill() called LoopHost.runOnLoopAndWait()");
    }

    @Override
    public void closeAbandoned(
        SynchronizerLoop l, AtomicReference<? extends @Nullable LoopBatchIterator<?>> built) {
      throw new AssertionError("fill() called LoopHost.closeAbandoned()");
    }

    @Override
    public void opened(LoopSource iterator) {}

    @Override
    public void released(LoopSource iterator) {}
  }
}
