package io.ambidex.processor.samples;

import io.ambidex.AsyncCloseable;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import io.ambidex.annotations.Bridge;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionStage;

/**
 * A core on an {@link AsyncRuntime} whose blocking facade drains the work on the caller: its
 * sleeps and their continuations run on the calling thread.
 */
@AsyncCore(blocking = "DrainedClock", async = "AsyncClock", bridge = Bridge.CALLER_DRAINED)
final class ClockCore implements AsyncCloseable {
  private final AsyncRuntime runtime;

  private ClockCore(AsyncRuntime runtime) {
    this.runtime = runtime;
  }

  @BlockingFactory
  @AsyncFactory
  static ClockCore create() {
    return new ClockCore(AsyncRuntime.create());
  }

  /**
   * Waits, then reports which thread ran the continuation.
   *
   * @param delay how long to wait
   * @return the thread that ran the code after the wait
   */
  public CompletionStage<Thread> threadAfter(Duration delay) {
    return runtime.sleep(delay).thenApply(ignored -> Thread.currentThread());
  }

  /**
   * Counts up to {@code count}, waiting {@code interval} before each number.
   *
   * @param count how many numbers
   * @param interval the wait before each
   * @return the numbers 1 to count
   */
  public AsyncIterator<Integer> ticks(int count, Duration interval) {
    return new AsyncIterator<>() {
      private int next = 1;
      private boolean available;

      @Override
      public CompletionStage<Boolean> hasNext() {
        return runtime
            .sleep(interval)
            .thenApply(ignored -> available = next <= count);
      }

      @Override
      public Integer next() {
        if (!available) {
          throw new NoSuchElementException();
        }
        available = false;
        return next++;
      }

      @Override
      public CompletionStage<Void> close() {
        return runtime.sleep(Duration.ZERO).thenApply(ignored -> null);
      }
    };
  }

  @Override
  public CompletionStage<Void> close() {
    return runtime.close().thenApply(ignored -> null);
  }
}
