package io.ambidex;

import org.jspecify.annotations.Nullable;

/** Shared completed stages. A CallFuture refuses completion, so sharing one is safe. */
final class Results {
  private Results() {}

  static final CallFuture<@Nullable Void> DONE = Async.completed("done", null);
}
