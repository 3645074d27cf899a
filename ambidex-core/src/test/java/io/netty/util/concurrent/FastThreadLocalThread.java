package io.netty.util.concurrent;

/** Test stand-in for Netty's thread class, with the method the guard looks for. */
public class FastThreadLocalThread extends Thread {
  private final boolean permitBlocking;

  public FastThreadLocalThread(Runnable task, String name, boolean permitBlocking) {
    super(task, name);
    this.permitBlocking = permitBlocking;
  }

  public boolean permitBlockingCalls() {
    return permitBlocking;
  }
}
