package io.ambidex.context;

/**
 * Carries one kind of caller-bound context (an MDC map, an OpenTelemetry {@code Context}, a
 * thread-local) across the thread hops the core makes. Registered with {@link
 * ContextPropagation#register}; the core then calls {@link #capture()} on the thread that starts
 * work and {@link Snapshot#restore()} on the thread that continues it.
 *
 * <p>Contract for implementations:
 *
 * <ul>
 *   <li>{@link #capture()} runs on the caller's thread, on every call that may hop (not on the
 *       immediate path when nothing hops), so it should be cheap: read the current value, copy
 *       nothing that is immutable. It must not return null; a thread with nothing bound returns a
 *       snapshot that restores "nothing bound".
 *   <li>{@link Snapshot#restore()} runs on the thread that continues the work, possibly many
 *       times and on several threads (one restore per hop). It makes the captured context
 *       current, <em>replacing</em> whatever the thread had (so a pooled thread's stale value is
 *       not seen either), and returns a {@link Scope} whose {@link Scope#close()} puts back
 *       exactly what the thread had before.
 *   <li>The core closes every scope on the thread that opened it, in reverse order of opening,
 *       before that thread runs anything unrelated.
 *   <li>A propagator that throws from {@code restore()} or {@code close()} is logged (through
 *       {@code System.Logger}, at {@code ERROR}) and the hop goes on without that context: a
 *       broken propagator never hangs or kills a core thread. This holds for an {@code Error}
 *       too (a {@code NoClassDefFoundError} of a missing library, an {@code AssertionError}),
 *       except the JVM's own {@code VirtualMachineError}s (out of memory, stack overflow), which
 *       go on up. An exception from {@code capture()} is thrown to the caller that started the
 *       work; what the call had started before it captured is cancelled.
 * </ul>
 */
public interface ContextPropagator {

  /**
   * Captures the context bound to the calling thread.
   *
   * @return a snapshot of it, never null
   */
  Snapshot capture();

  /** What {@link #capture()} saw on the caller's thread; immutable, may be restored many times. */
  interface Snapshot {
    /**
     * Makes the captured context current on the calling thread.
     *
     * @return the scope that puts back what the thread had; closed on this thread
     */
    Scope restore();
  }

  /** A restored context; {@link #close()} puts back what the thread had before. */
  interface Scope extends AutoCloseable {
    /** Puts back the thread's previous context. Throws no checked exception. */
    @Override
    void close();
  }
}
