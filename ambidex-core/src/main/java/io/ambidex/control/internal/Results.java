package io.ambidex.control.internal;

import io.ambidex.internal.Calls;
import io.ambidex.CallFuture;
import io.ambidex.control.Async;
import org.jspecify.annotations.Nullable;

/** Shared completed stages. A CallFuture refuses completion, so sharing one is safe. */
public final class Results {
  private Results() {}

  public static final CallFuture<@Nullable Void> DONE = Calls.completed("done", null);

  /**
   * The answers of {@link AsyncIterator#hasNext()} for a source that knows at once: shared, so a
   * sync source allocates nothing per item.
   */
  public static final CallFuture<Boolean> TRUE = Calls.completed("hasNext", true);

  public static final CallFuture<Boolean> FALSE = Calls.completed("hasNext", false);
}
