package io.ambidex.annotations;

/**
 * The bridge a generated blocking facade uses to turn the core's {@code CompletionStage} into a
 * result on the calling thread. Each constant names a class of {@code io.ambidex}; the generated
 * method is a single call to it. {@link #SYNCHRONIZER} is a mode of both facades: it also routes
 * the async facade's calls through the core's Synchronizer.
 */
public enum Bridge {
  /**
   * {@code io.ambidex.Immediate}: reads a stage that completed during the call, with no wait and no
   * thread hop; an incomplete stage is cancelled and fails the call at once. For cores built on a
   * sync transport and {@code SyncRuntime}. The default.
   */
  IMMEDIATE,

  /**
   * {@code io.ambidex.CallerDrained}: the calling thread runs the operation's scheduled work
   * itself until it completes. For cores on an {@code AsyncRuntime} whose continuations can run
   * on the caller.
   */
  CALLER_DRAINED,

  /**
   * {@code io.ambidex.BlockingWait}: parks the calling thread until another thread completes the
   * stage. For cores whose stages genuinely complete elsewhere.
   */
  BLOCKING_WAIT,

  /**
   * {@code io.ambidex.synchronizer.Synchronizer}: both facades run each of the core's async methods on the
   * loop thread of the core's Synchronizer. For cores that are async for real: their I/O
   * completes on threads they own and their state is confined to one thread. The core must
   * implement {@code io.ambidex.synchronizer.SynchronizerBound}, which hands the facades its Synchronizer.
   *
   * <p>The blocking facade waits for each call with {@code Synchronizer.call} (an interrupt
   * cancels the task on the loop and waits for its cleanup) and pulls streams in batches with
   * {@code Synchronizer.stream}; the async facade starts each call with {@code
   * Synchronizer.async}, whose futures complete on the Synchronizer's callback executor, never on
   * the loop, and returns streams as {@code Synchronizer.publisher}. Arguments are evaluated on
   * the caller's thread; everything the core method throws, argument validation included, is
   * thrown by the blocking call or fails the async future. Synchronous methods of the core run on
   * the caller's thread, as in the other modes. Closing a facade closes the core on the loop,
   * then the Synchronizer if the core owns it.
   */
  SYNCHRONIZER
}
