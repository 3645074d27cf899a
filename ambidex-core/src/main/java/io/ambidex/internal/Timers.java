package io.ambidex.internal;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;

/**
 * The one shared daemon timer thread used for {@code orTimeout}/{@code completeOnTimeout} on
 * futures handed to callers, created on first use. Runtimes own their own timers. Not API.
 */
public final class Timers {
  private Timers() {}

  private static final class Holder {
    static final ScheduledThreadPoolExecutor SHARED = create();

    private static ScheduledThreadPoolExecutor create() {
      ThreadFactory factory =
          Thread.ofPlatform().name("ambidex-timeouts").daemon(true).factory();
      ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, factory);
      executor.setRemoveOnCancelPolicy(true);
      return executor;
    }
  }

  /** Returns the shared timer, starting its thread on first use. */
  public static ScheduledThreadPoolExecutor shared() {
    return Holder.SHARED;
  }
}
