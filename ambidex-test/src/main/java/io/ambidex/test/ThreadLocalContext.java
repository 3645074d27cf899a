package io.ambidex.test;

import io.ambidex.context.ContextPropagator;
import org.jspecify.annotations.Nullable;

/**
 * A context of one string in a thread-local, with the {@link ContextPropagator} that carries it:
 * for tests that check a caller's value reaches the core's other threads. Register it with {@code
 * ContextPropagation.register(context)}, bind a value with {@link #set}, and read {@link #get} in
 * the callback or continuation under test. Restoring replaces the thread's value (null clears
 * it); closing the scope puts back the previous one.
 *
 * <pre>{@code
 * ThreadLocalContext request = new ThreadLocalContext();
 * try (var registration = ContextPropagation.register(request)) {
 *   request.set("req-42");
 *   client.put(bucket, key, bytes, progress -> seen.add(request.get()));
 * }
 * }</pre>
 */
public final class ThreadLocalContext implements ContextPropagator {
  private final ThreadLocal<@Nullable String> value = new ThreadLocal<>();

  /** Creates a context with nothing bound on any thread. */
  public ThreadLocalContext() {}

  /**
   * Binds {@code v} on the calling thread, or clears it.
   *
   * @param v the value, or null for none
   */
  public void set(@Nullable String v) {
    if (v == null) {
      value.remove();
    } else {
      value.set(v);
    }
  }

  /**
   * Returns the value bound on the calling thread.
   *
   * @return the value, or null if none is bound
   */
  public @Nullable String get() {
    return value.get();
  }

  @Override
  public Snapshot capture() {
    String captured = value.get();
    return () -> {
      String previous = value.get();
      set(captured);
      return () -> set(previous);
    };
  }

  @Override
  public String toString() {
    return "ThreadLocalContext";
  }
}
