package io.ambidex.stream.internal;

import io.ambidex.internal.Calls;
import io.ambidex.AsyncCloseable;
import io.ambidex.CallFuture;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/** Small helpers shared by the async iterators of this package. Not API. */
final class Iteration {
  private Iteration() {}

  /** The exception for a call on a closed async iterator: the rule, and the call that broke it. */
  static IllegalStateException closed(String iterator, String method) {
    return closed("An AsyncIterator", iterator, method);
  }

  /** The exception for a call on a closed iterator of the given kind ("A CloseableIterator"). */
  static IllegalStateException closed(String kind, String iterator, String method) {
    return new IllegalStateException(
        kind
            + " must not be used after close(), but "
            + method
            + "() was called on the closed "
            + iterator);
  }

  /** The exception for next() without an item made available by hasNext(). */
  static NoSuchElementException noItem(String iterator) {
    return new NoSuchElementException(
        "next() was called on "
            + iterator
            + " but no item is available: call next() once after each hasNext() that completed"
            + " with true");
  }

  /** Reads the outcome of a source's hasNext() stage, refusing null. */
  static boolean has(@Nullable Object value) {
    if (value instanceof Boolean b) {
      return b;
    }
    throw new NullPointerException(
        "The source's hasNext() stage completed with " + value + ", but it must complete with"
            + " true or false");
  }

  /** Returns the stage a source returned, refusing null. */
  static <S extends CompletionStage<?>> S stage(@Nullable S stage, String method) {
    if (stage == null) {
      throw new NullPointerException("The source's " + method + "() returned null, not a stage");
    }
    return stage;
  }

  /** Calls {@code source.close()}, turning a throw or a null stage into a failed stage. */
  static CompletionStage<?> closeQuietly(AsyncCloseable source) {
    try {
      return stage(source.close(), "close");
    } catch (Throwable t) {
      return CompletableFuture.failedFuture(t);
    }
  }

  /** Completes {@code target} with the outcome of {@code stage}, unwrapped, when it completes. */
  static void forward(CompletionStage<?> stage, CallFuture<@Nullable Void> target) {
    Stages.asFuture(stage).whenComplete((v, e) -> Calls.settle(target, null, e));
  }

  /**
   * Returns a stage that completes when both stages have: normally if both succeeded, otherwise
   * with the first one's failure (the second's attached as suppressed) or the second one's.
   */
  static CompletionStage<?> both(CompletionStage<?> first, CompletionStage<?> second) {
    CompletableFuture<?> a = Stages.asFuture(first);
    CompletableFuture<?> b = Stages.asFuture(second);
    CallFuture<@Nullable Void> result = Calls.create("close");
    a.whenComplete(
        (ignored, failureA) ->
            b.whenComplete(
                (ignored2, failureB) -> {
                  Throwable fa = failureA == null ? null : Failures.unwrap(failureA);
                  Throwable fb = failureB == null ? null : Failures.unwrap(failureB);
                  if (fa != null) {
                    if (fb != null && fb != fa) {
                      fa.addSuppressed(fb);
                    }
                    Calls.fail(result, fa);
                  } else if (fb != null) {
                    Calls.fail(result, fb);
                  } else {
                    Calls.succeed(result, null);
                  }
                }));
    return result;
  }
}
