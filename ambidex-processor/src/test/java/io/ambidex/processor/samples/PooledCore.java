package io.ambidex.processor.samples;

import io.ambidex.annotations.AsyncExecutor;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingCore;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;

/** A blocking core whose async facade runs calls on the author's executor. */
@BlockingCore(async = "AsyncPooled")
final class PooledCore {
  private final ExecutorService pool;

  private PooledCore(ExecutorService pool) {
    this.pool = pool;
  }

  @AsyncFactory
  static PooledCore over(ExecutorService pool) {
    return new PooledCore(pool);
  }

  @AsyncExecutor
  Executor executor() {
    return pool;
  }

  /**
   * Returns the thread running the call.
   *
   * @return the current thread
   */
  public Thread thread() {
    return Thread.currentThread();
  }

  /**
   * Adds two numbers.
   *
   * @param a a number
   * @param b another
   * @return their sum
   */
  public long add(long a, long b) {
    return a + b;
  }
}
