package io.ambidex.context.micrometer;

import io.ambidex.context.ContextPropagation;
import io.ambidex.context.ContextPropagator;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.ContextSnapshot;
import io.micrometer.context.ContextSnapshotFactory;
import java.util.Objects;

/**
 * A {@link ContextPropagator} over Micrometer's {@code context-propagation}: a capture reads
 * every {@code ThreadLocalAccessor} registered in the {@link ContextRegistry} (an MDC accessor,
 * a tracer's, a user's thread-local, the ones Reactor's automatic context propagation restores
 * from a subscriber's {@code ContextView}); a restore sets them all on the hopping thread.
 *
 * <p>Register it once, at start-up:
 *
 * <pre>{@code
 * ContextPropagation.Registration registration = MicrometerContextPropagator.register();
 * }</pre>
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Exact</b>: a restore clears, for its duration, every registered thread-local that the
 *       caller did not have set ({@code clearMissing}), so work on a pooled thread sees exactly
 *       the caller's values, not a value left by someone else; closing the scope puts back what
 *       the thread had.
 *   <li><b>Live registry</b>: accessors registered in the {@code ContextRegistry} later are
 *       captured from then on; nothing is copied at construction.
 *   <li>Thread-safe; one instance serves every runtime of the process.
 * </ul>
 */
public final class MicrometerContextPropagator implements ContextPropagator {
  private final ContextRegistry registry;
  private final ContextSnapshotFactory snapshots;

  private MicrometerContextPropagator(ContextRegistry registry) {
    this.registry = registry;
    this.snapshots =
        ContextSnapshotFactory.builder().contextRegistry(registry).clearMissing(true).build();
  }

  /**
   * Returns a new propagator over {@link ContextRegistry#getInstance()}, the process's registry
   * (each instance registered is one more propagator; {@link #register()} shares one).
   */
  public static MicrometerContextPropagator create() {
    return new MicrometerContextPropagator(ContextRegistry.getInstance());
  }

  /**
   * Returns a propagator over {@code registry}.
   *
   * @param registry the registry whose thread-local accessors are captured
   * @return the propagator
   */
  public static MicrometerContextPropagator of(ContextRegistry registry) {
    return new MicrometerContextPropagator(Objects.requireNonNull(registry, "registry"));
  }

  /**
   * Registers the one shared propagator over the process's {@link ContextRegistry} with {@link
   * ContextPropagation#registerShared}: called again (by another library, another start-up
   * path), it returns another handle and registers nothing more, so every hop captures and
   * restores the accessors once. The propagator stays registered until every handle is closed.
   *
   * @return the registration; closing the last one unregisters the propagator
   */
  public static ContextPropagation.Registration register() {
    return ContextPropagation.registerShared(Shared.INSTANCE);
  }

  /* The instance register() shares, made on first use. */
  private static final class Shared {
    static final MicrometerContextPropagator INSTANCE = create();
  }

  /** Captures the values of every registered thread-local accessor on the calling thread. */
  @Override
  public Snapshot capture() {
    ContextSnapshot captured = snapshots.captureAll();
    return () -> {
      ContextSnapshot.Scope scope = captured.setThreadLocals();
      return scope::close;
    };
  }

  @Override
  public String toString() {
    return "MicrometerContextPropagator[" + registry + "]";
  }
}
