package io.ambidex.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** A platform thread factory that counts the threads it made that are still alive. */
public final class CountingThreadFactory implements ThreadFactory {
  private final AtomicInteger created = new AtomicInteger();
  private final AtomicInteger alive = new AtomicInteger();
  private final String prefix;
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  public CountingThreadFactory(String prefix) {
    this.prefix = prefix;
  }

  @Override
  public Thread newThread(Runnable r) {
    created.incrementAndGet();
    Thread t = new Thread(
        () -> {
          alive.incrementAndGet();
          try {
            r.run();
          } finally {
            alive.decrementAndGet();
          }
        },
        prefix + created.get());
    threads.add(t);
    return t;
  }

  /** Returns true if any thread this factory made is still alive. */
  public boolean anyAlive() {
    return threads.stream().anyMatch(Thread::isAlive);
  }

  public int created() {
    return created.get();
  }

  public int alive() {
    return alive.get();
  }
}
