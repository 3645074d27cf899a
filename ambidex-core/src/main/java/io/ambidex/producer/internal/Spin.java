package io.ambidex.producer.internal;

/*
 * Adaptive spinning for the two sides of a producer. A side that must wait spins for a while
 * before it parks, because a park and the unpark that ends it cost microseconds, more than a
 * batch of items. But spinning only pays when the other side is running at the same moment, on
 * another core: when both share a core (an overloaded machine), every spin steals the time the
 * other side needs, and both degrade to a park per batch plus the wasted spins. So each side keeps
 * a budget, as HotSpot does for monitors: doubled after a wait that ended while spinning, divided
 * by two after a wait that had to park. It also keeps the consumer of a slow source (a body that
 * blocks on I/O between items) from burning a core on every wait.
 */
final class Spin {
  /** The longest spin, in Thread.onSpinWait() calls (15 us where one costs 30 ns). */
  static final int MAX = 512;
  private static final int MIN = 32;

  private Spin() {}

  /** Returns the next budget after a wait with {@code budget} that {@code spun} to its end. */
  static int adapt(int budget, boolean spun) {
    return spun ? Math.min(MAX, budget * 2) : Math.max(MIN, budget / 2);
  }
}
