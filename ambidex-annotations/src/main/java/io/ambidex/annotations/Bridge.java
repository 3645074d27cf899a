package io.ambidex.annotations;

/**
 * The bridge a generated blocking facade uses to turn the core's {@code CompletionStage} into a
 * result on the calling thread. Each constant names a class of {@code io.ambidex}; the generated
 * method is a single call to it.
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
  BLOCKING_WAIT
}
