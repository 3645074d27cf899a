package io.ambidex.context.internal;

import io.ambidex.context.ContextPropagation;
import io.ambidex.context.ContextPropagator;
import io.ambidex.context.ContextPropagator.Scope;
import io.ambidex.context.ContextPropagator.Snapshot;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Future;

/**
 * The registered propagators and the composite snapshot over them. Not API: the core's hops call
 * {@link #capture()}, {@link #bind} and {@link Snapshot#restore()}.
 */
/*
 * Copy-on-write array behind a volatile field: a capture is one volatile read (a plain load on
 * x86) and a length check when nothing is registered, and returns the shared EMPTY snapshot, so
 * a hop costs neither an allocation nor a restore. Registration is rare and synchronized.
 */
public final class Registry {
  private static final System.Logger LOG = System.getLogger(ContextPropagation.class.getName());
  private static final ContextPropagator[] NONE = {};
  private static volatile ContextPropagator[] propagators = NONE;
  /* The open handles of each propagator registered through addShared; guarded by Registry.class. */
  private static final Map<ContextPropagator, Integer> shares = new IdentityHashMap<>();

  /** The scope of a snapshot that restores nothing. */
  public static final Scope NO_SCOPE = () -> {};

  /** The snapshot taken when nothing is registered: restoring it does nothing. */
  public static final Snapshot EMPTY =
      new Snapshot() {
        @Override
        public Scope restore() {
          return NO_SCOPE;
        }

        @Override
        public String toString() {
          return "ContextSnapshot[empty]";
        }
      };

  private Registry() {}

  public static synchronized void add(ContextPropagator propagator) {
    ContextPropagator[] ps = propagators;
    for (ContextPropagator p : ps) {
      if (p == propagator) {
        throw new IllegalArgumentException(
            "The context propagator " + propagator + " is registered already; a propagator is"
                + " registered once (close its Registration before registering it again)");
      }
    }
    ContextPropagator[] more = Arrays.copyOf(ps, ps.length + 1);
    more[ps.length] = propagator;
    propagators = more;
  }

  /**
   * Registers {@code propagator} unless {@link #addShared} registered it already, and counts one
   * more handle of it; {@link #remove} takes the propagator out when its last handle goes.
   */
  public static synchronized void addShared(ContextPropagator propagator) {
    Integer handles = shares.get(propagator);
    if (handles == null) {
      add(propagator); // throws if it was registered by add()
      shares.put(propagator, 1);
    } else {
      shares.put(propagator, handles + 1);
    }
  }

  public static synchronized void remove(ContextPropagator propagator) {
    Integer handles = shares.get(propagator);
    if (handles != null) {
      if (handles > 1) {
        shares.put(propagator, handles - 1);
        return;
      }
      shares.remove(propagator);
    }
    ContextPropagator[] ps = propagators;
    for (int i = 0; i < ps.length; i++) {
      if (ps[i] == propagator) {
        ContextPropagator[] fewer = new ContextPropagator[ps.length - 1];
        System.arraycopy(ps, 0, fewer, 0, i);
        System.arraycopy(ps, i + 1, fewer, i, ps.length - i - 1);
        propagators = fewer.length == 0 ? NONE : fewer;
        return;
      }
    }
  }

  public static List<ContextPropagator> registered() {
    return List.of(propagators);
  }

  /** Captures the current thread's context; {@link #EMPTY} when nothing is registered. */
  public static Snapshot capture() {
    ContextPropagator[] ps = propagators;
    if (ps.length == 0) {
      return EMPTY;
    }
    Snapshot[] parts = new Snapshot[ps.length];
    for (int i = 0; i < ps.length; i++) {
      ContextPropagator p = ps[i];
      parts[i] =
          Objects.requireNonNull(
              p.capture(), () -> "The context propagator " + p + " returned a null snapshot");
    }
    return new Composite(ps, parts);
  }

  /**
   * Captures as {@link #capture()} does, for a hop taken after {@code started} was started: if a
   * propagator's capture throws, {@code started} is cancelled before the exception goes on to the
   * caller, who gets the exception instead of a handle on that work and could never stop it.
   */
  public static Snapshot capture(Future<?> started) {
    try {
      return capture();
    } catch (RuntimeException | Error e) {
      started.cancel(true);
      throw e;
    }
  }

  /** Returns {@code task} run inside {@code snapshot}; {@code task} itself for {@link #EMPTY}. */
  public static Runnable bind(Snapshot snapshot, Runnable task) {
    if (snapshot == EMPTY) {
      return task;
    }
    return new Bound(snapshot, task);
  }

  /*
   * A broken propagator (its exception, or an Error such as the NoClassDefFoundError of a missing
   * tracing library, or an AssertionError) is logged and skipped: thrown on, it would end inside
   * the CompletableFuture callback that resumed the work, which would then never complete. The
   * JVM's own failures (out of memory, stack overflow) are not the propagator's: they go on.
   */
  private static void rethrowIfFatal(Throwable t) {
    if (t instanceof VirtualMachineError fatal) {
      throw fatal;
    }
  }

  private record Bound(Snapshot snapshot, Runnable task) implements Runnable {
    @Override
    @SuppressWarnings("try") // a context scope is closed, never read
    public void run() {
      try (Scope scope = snapshot.restore()) {
        task.run();
      }
    }
  }

  private record Composite(ContextPropagator[] propagators, Snapshot[] parts)
      implements Snapshot {
    @Override
    public Scope restore() {
      Scope[] scopes = new Scope[parts.length];
      for (int i = 0; i < parts.length; i++) {
        try {
          scopes[i] = parts[i].restore();
        } catch (RuntimeException | Error e) {
          rethrowIfFatal(e);
          LOG.log(
              System.Logger.Level.ERROR,
              "The context propagator " + propagators[i] + " failed to restore its context on"
                  + " thread '" + Thread.currentThread().getName() + "'; the work goes on"
                  + " without it",
              e);
        }
      }
      return new CompositeScope(this, Thread.currentThread(), scopes);
    }

    @Override
    public String toString() {
      return "ContextSnapshot" + Arrays.toString(parts);
    }
  }

  private static final class CompositeScope implements Scope {
    private final Composite snapshot;
    private final Thread thread;
    private final @org.jspecify.annotations.Nullable Scope[] scopes;
    private boolean closed;

    CompositeScope(Composite snapshot, Thread thread, Scope[] scopes) {
      this.snapshot = snapshot;
      this.thread = thread;
      this.scopes = scopes;
    }

    @Override
    public void close() {
      if (Thread.currentThread() != thread) {
        throw new IllegalStateException(
            "A context scope was closed on thread '" + Thread.currentThread().getName()
                + "' but restored on '" + thread.getName() + "'; a scope is closed on the thread"
                + " that restored it");
      }
      if (closed) {
        return;
      }
      closed = true;
      for (int i = scopes.length - 1; i >= 0; i--) {
        Scope s = scopes[i];
        if (s == null) {
          continue;
        }
        try {
          s.close();
        } catch (RuntimeException | Error e) {
          rethrowIfFatal(e);
          LOG.log(
              System.Logger.Level.ERROR,
              "The context propagator " + snapshot.propagators()[i] + " failed to put back the"
                  + " context of thread '" + thread.getName() + "'",
              e);
        }
      }
    }
  }
}
