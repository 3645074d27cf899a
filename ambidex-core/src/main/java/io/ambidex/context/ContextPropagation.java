package io.ambidex.context;

import io.ambidex.context.internal.Registry;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The registry of {@link ContextPropagator}s the core applies on every thread hop, and the
 * operations the core (and code that hops by itself) uses to carry the caller's context.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>One registry per class loader, for every runtime</b>: producers, task groups, the
 *       Synchronizer and the shared timers hop without any runtime in sight, so the propagators
 *       are global, as Micrometer's {@code ContextRegistry} is. Register at start-up; a library
 *       does not register on its users' behalf.
 *   <li><b>Explicit</b>: nothing is discovered (no {@code ServiceLoader}): having a bridge on the
 *       class path changes no thread's behaviour until someone registers it.
 *   <li><b>Free when empty</b>: with nothing registered, {@link #capture()} returns one shared
 *       snapshot whose restore does nothing, and the core's immediate path does not call it at
 *       all.
 *   <li><b>When</b>: the core captures when work is handed to another thread (a sleep, a
 *       timeout, a producer, a task group's child, a Synchronizer call, a continuation of a
 *       combinator that must wait) and restores around that work on the other thread, closing
 *       the scope before the thread runs anything else; see {@code docs/context.md} for each
 *       path.
 * </ul>
 */
public final class ContextPropagation {
  private ContextPropagation() {}

  /**
   * Registers {@code propagator} for every later capture, in registration order (restores run in
   * that order, their scopes close in reverse). Thread-safe. Work already captured is unaffected.
   *
   * @param propagator the propagator
   * @return a handle whose {@code close()} unregisters it (idempotent)
   * @throws IllegalArgumentException if this propagator instance is registered already (each
   *     registration is undone by its own handle, so one instance is registered once; {@link
   *     #registerShared} counts the handles of a propagator registered from several places)
   */
  public static Registration register(ContextPropagator propagator) {
    Objects.requireNonNull(propagator, "propagator");
    Registry.add(propagator);
    return new Registration(propagator);
  }

  /**
   * Registers {@code propagator} once however many times it is called, for a propagator that
   * several independent parts of an application may each register (such as {@code
   * MicrometerContextPropagator.register()}): the first call registers it as {@link #register}
   * does; each later call returns a new handle and registers nothing more. The propagator stays
   * registered until every handle returned for it is closed. Thread-safe.
   *
   * @param propagator the propagator
   * @return a handle of its own whose {@code close()} gives up this registration (idempotent);
   *     the last one closed unregisters the propagator
   * @throws IllegalArgumentException if this propagator instance is registered already by {@link
   *     #register}
   */
  public static Registration registerShared(ContextPropagator propagator) {
    Objects.requireNonNull(propagator, "propagator");
    Registry.addShared(propagator);
    return new Registration(propagator);
  }

  /** Returns the propagators registered now, in registration order. */
  public static List<ContextPropagator> registered() {
    return Registry.registered();
  }

  /**
   * Captures the calling thread's context through every registered propagator.
   *
   * @return a snapshot to restore on another thread; a shared no-op snapshot when none is
   *     registered
   */
  public static ContextPropagator.Snapshot capture() {
    return Registry.capture();
  }

  /**
   * Returns {@code task} bound to the context captured now: running it restores that context
   * around {@code task.run()}. Returns {@code task} itself when nothing is registered.
   *
   * @param task the task
   * @return the bound task
   */
  public static Runnable wrap(Runnable task) {
    Objects.requireNonNull(task, "task");
    return Registry.bind(Registry.capture(), task);
  }

  /**
   * Returns an executor that runs each task in the context captured when the task was submitted
   * (for a transport or library that completes on threads of its own; compare OpenTelemetry's
   * {@code Context.taskWrapping}).
   *
   * @param executor where the tasks run
   * @return the wrapping executor
   */
  public static Executor wrap(Executor executor) {
    Objects.requireNonNull(executor, "executor");
    return task -> executor.execute(wrap(task));
  }

  /**
   * Unregisters the propagator it was returned for. Each handle undoes its own registration
   * only: once closed, closing it again does nothing, even after the same propagator was
   * registered anew (that registration belongs to the new handle).
   */
  public static final class Registration implements AutoCloseable {
    private final ContextPropagator propagator;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Registration(ContextPropagator propagator) {
      this.propagator = propagator;
    }

    /**
     * Unregisters the propagator; later captures no longer include it. Idempotent: only the
     * first close unregisters, so a stale handle never removes a later registration.
     */
    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        Registry.remove(propagator);
      }
    }

    @Override
    public String toString() {
      return "ContextPropagation.Registration[" + propagator + "]";
    }
  }
}
