package io.ambidex;

import org.jspecify.annotations.Nullable;

/** Shared completed stages. A CallFuture refuses completion, so sharing one is safe. */
final class Results {
  private Results() {}

  static final CallFuture<@Nullable Void> DONE = Async.completed("done", null);

  /**
   * The answers of {@link AsyncIterator#hasNext()} for a source that knows at once: shared, so a
   * sync source allocates nothing per item.
   */
  static final CallFuture<Boolean> TRUE = Async.completed("hasNext", true);

  static final CallFuture<Boolean> FALSE = Async.completed("hasNext", false);
}
