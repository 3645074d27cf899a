package io.ambidex.internal;

/**
 * Marks the current thread as an Ambidex loop (a caller-drained bridge while it drains, a
 * Synchronizer's loop thread) so that the blocking guard refuses to park it. Not API.
 */
public final class LoopThreads {
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private LoopThreads() {}

  /**
   * Marks the current thread as running the loop described by {@code description} and returns the
   * previous mark (or null), to be passed to {@link #exit}.
   */
  public static String enter(String description) {
    String previous = CURRENT.get();
    CURRENT.set(description);
    return previous;
  }

  /** Restores the mark that {@link #enter} returned. */
  public static void exit(String previous) {
    if (previous == null) {
      CURRENT.remove();
    } else {
      CURRENT.set(previous);
    }
  }

  /** Returns the description of the loop the current thread runs, or null. */
  public static String current() {
    return CURRENT.get();
  }
}
