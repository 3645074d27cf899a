package io.ambidex.synchronizer;

/**
 * Implemented by cores that run on a {@link Synchronizer}: the facades the annotation processor
 * generates for a core annotated {@code @AsyncCore(bridge = Bridge.SYNCHRONIZER)} route every
 * call through it. Each async method of the core then runs on the Synchronizer's loop thread;
 * the blocking facade waits for it there, and the async facade's futures complete on the
 * Synchronizer's callback executor, never on the loop.
 *
 * <p>The facades never call these methods from the loop, and do not expose them to users.
 */
public interface SynchronizerBound {
  /**
   * Returns the Synchronizer whose loop this core runs on. Must return the same one every time.
   *
   * @return the core's Synchronizer
   */
  Synchronizer synchronizer();

  /**
   * Whether this core owns its Synchronizer. If it does (the default), closing a generated facade
   * closes the Synchronizer after the core's own {@code close()} has completed on the loop.
   * Return false when the Synchronizer is shared with other cores, or owned by whoever built the
   * core: then the facades leave it open.
   *
   * <p>A core should not close its own Synchronizer from inside its {@code close()}: that would
   * cancel the facade's close call that is waiting for it.
   *
   * @return true if closing the facade closes the Synchronizer
   */
  default boolean ownsSynchronizer() {
    return true;
  }
}
