package io.ambidex;

import java.util.concurrent.CompletionStage;

/**
 * Something whose close is asynchronous: {@link #close()} returns a stage that completes when the
 * resources are released.
 *
 * <p>The lifecycle rule: a core, a runtime and an async facade implement {@code AsyncCloseable};
 * the <em>blocking</em> facade implements {@link AutoCloseable}, whose {@code close()} waits for
 * the core's close stage through its bridge, so it can be used in try-with-resources. Both facades
 * name the method {@code close()}. An object never implements both interfaces, since their
 * {@code close()} methods differ in return type.
 */
@FunctionalInterface
public interface AsyncCloseable {
  /**
   * Starts releasing this object's resources and returns a stage that completes when they are
   * released. Implementations make it idempotent: a second call returns a stage that completes
   * when the first close has.
   *
   * @return a stage that completes, normally or with the failure of the close, when done
   */
  CompletionStage<Void> close();
}
