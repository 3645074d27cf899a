package io.vertx.core.impl;

import io.netty.util.concurrent.FastThreadLocalThread;

/** Test stand-in for Vert.x's thread class. */
public final class VertxThread extends FastThreadLocalThread {
  private final boolean worker;

  public VertxThread(Runnable task, String name, boolean worker) {
    super(task, name, true);
    this.worker = worker;
  }

  public boolean isWorker() {
    return worker;
  }
}
