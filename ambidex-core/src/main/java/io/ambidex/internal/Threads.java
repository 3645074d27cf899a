package io.ambidex.internal;

/** Waits on threads the core started, for the places where giving up early would leak them. */
public final class Threads {
  private Threads() {}

  /**
   * Waits until {@code t} has ended, whatever interrupts the caller meanwhile. The interrupt flag
   * is left cleared; the caller decides whether to restore it.
   *
   * @return true if the caller was interrupted while it waited
   */
  public static boolean joinUninterruptibly(Thread t) {
    boolean interrupted = false;
    while (true) {
      try {
        t.join();
        return interrupted;
      } catch (InterruptedException e) {
        interrupted = true;
      }
    }
  }
}
