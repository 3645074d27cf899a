package io.ambidex.testing;

import io.ambidex.context.ContextPropagator;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ContextPropagator} over one plain {@code ThreadLocal<String>}, as a user would write for
 * a value of their own: restore replaces the thread's value (null clears it), close puts back the
 * previous one. Counts restores, so tests can tell a hop that restored from one that did not.
 */
public final class ThreadLocalPropagator implements ContextPropagator {
  public final ThreadLocal<@Nullable String> local = new ThreadLocal<>();
  public final java.util.concurrent.atomic.AtomicInteger restores =
      new java.util.concurrent.atomic.AtomicInteger();

  @Override
  public Snapshot capture() {
    String captured = local.get();
    return () -> {
      restores.incrementAndGet();
      String previous = local.get();
      set(captured);
      return () -> set(previous);
    };
  }

  private void set(@Nullable String value) {
    if (value == null) {
      local.remove();
    } else {
      local.set(value);
    }
  }

  @Override
  public String toString() {
    return "ThreadLocalPropagator";
  }
}
