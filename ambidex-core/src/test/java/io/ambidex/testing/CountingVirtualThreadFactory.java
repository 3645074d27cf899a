package io.ambidex.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A virtual thread factory that counts the threads it made and those still running. Virtual
 * threads do not appear in {@code Thread.getAllStackTraces()}, so leak checks count through the
 * factory instead: {@link #alive()} drops when a thread's task has returned, and {@link
 * #anyAlive()} when the thread itself has terminated.
 */
public final class CountingVirtualThreadFactory implements ThreadFactory {
  private final AtomicInteger created = new AtomicInteger();
  private final AtomicInteger alive = new AtomicInteger();
  private final String prefix;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  public CountingVirtualThreadFactory(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Thread newThread(Runnable r) {
    int n = created.incrementAndGet();
    Thread t =
        Thread.ofVirtual()
            .name(prefix + n)
            .unstarted(
                () -> {
                  alive.incrementAndGet();
                  try {
                    r.run();
                  } finally {
                    alive.decrementAndGet();
                  }
                });
    threads.add(t);
    return t;
  }

  /** Returns true if any thread this factory made has started and not terminated. */
  public boolean anyAlive() {
    return threads.stream().anyMatch(Thread::isAlive);
  }

  /** Returns the threads made so far, in order. */
  public List<Thread> threads() {
    return List.copyOf(threads);
  }

  /** Returns the last thread made. */
  public Thread last() {
    return threads.get(threads.size() - 1);
  }

  /** Returns the number of threads made, started or not. */
  public int created() {
    return created.get();
  }

  /** Returns the number of threads whose task is running. */
  public int alive() {
    return alive.get();
  }
}
