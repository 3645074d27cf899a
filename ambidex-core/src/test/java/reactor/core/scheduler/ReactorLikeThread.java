package reactor.core.scheduler;

/** A thread class like Reactor's parallel-scheduler threads. */
public final class ReactorLikeThread extends Thread implements NonBlocking {
  public ReactorLikeThread(Runnable task, String name) {
    super(task, name);
  }
}
