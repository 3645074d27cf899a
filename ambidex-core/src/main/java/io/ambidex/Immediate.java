package io.ambidex;

import io.ambidex.internal.Done;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The zero-hop bridge: returns the outcome of a stage that has <em>already completed</em>, on the
 * caller's thread. It is what a blocking facade uses over a core built on a sync transport and
 * {@link io.ambidex.control.SyncRuntime}, where every stage completes during the call.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Thread</b>: everything happens on the calling thread; no executor, no park, no hop.
 *   <li><b>Never waits</b>: if the stage is incomplete, it is cancelled (when it is a {@code
 *       CompletableFuture}) and an {@link IncompleteStageException} naming the operation is thrown
 *       at once.
 *   <li><b>Failures</b>: translated by the <a href="package-summary.html#translation">package's
 *       exception table</a>; the sync path throws what the async path fails with.
 *   <li><b>Guard</b>: not consulted, since nothing blocks.
 * </ul>
 */
public final class Immediate {
  private Immediate() {}

  /**
   * Returns the value of a completed stage, or throws its failure.
   *
   * @param stage the stage returned by the core
   * @param operation the operation's name, used in error messages
   * @return the stage's value
   * @throws IncompleteStageException if the stage has not completed (it is cancelled first)
   * @throws java.lang.reflect.UndeclaredThrowableException if it failed with a checked exception
   */
  public static <T extends @Nullable Object> T get(
      CompletionStage<T> stage, String operation) {
    return get(stage, operation, null);
  }

  /**
   * Returns the value of a completed stage, or throws its failure; a checked failure of type
   * {@code declared} is thrown as it is.
   *
   * @param stage the stage returned by the core
   * @param operation the operation's name, used in error messages
   * @param declared the checked exception type the blocking method declares, or null
   * @return the stage's value
   * @throws X if the stage failed with an exception of the declared type
   * @throws IncompleteStageException if the stage has not completed (it is cancelled first)
   */
  public static <T extends @Nullable Object, X extends Exception> T get(
      CompletionStage<T> stage, String operation, @Nullable Class<X> declared) throws X {
    Objects.requireNonNull(stage, "stage");
    Objects.requireNonNull(operation, "operation");
    CompletableFuture<T> future = Stages.asFuture(stage);
    // One read of the result (getNow with a private mark) rather than isDone() then join(): the
    // JIT can then scalar-replace a boxed value the caller unboxes at once.
    @SuppressWarnings("unchecked")
    CompletableFuture<Object> raw = (CompletableFuture<Object>) (CompletableFuture<?>) future;
    Object value;
    try {
      value = raw.getNow(INCOMPLETE);
    } catch (CompletionException | CancellationException failure) {
      throw Failures.rethrow(Done.failureOf(future, failure), operation, declared);
    }
    if (value == INCOMPLETE) {
      return incomplete(future, operation, declared);
    }
    @SuppressWarnings("unchecked")
    T result = (T) value;
    return result;
  }

  private static final Object INCOMPLETE = new Object();

  private static <T extends @Nullable Object, X extends Exception> T incomplete(
      CompletableFuture<T> future, String operation, @Nullable Class<X> declared) throws X {
    // If cancel() loses a race with a completion, the stage is done and its outcome is returned.
    if (future.cancel(true)) {
      throw new IncompleteStageException(operation);
    }
    try {
      return future.join();
    } catch (CompletionException | CancellationException failure) {
      throw Failures.rethrow(Done.failureOf(future, failure), operation, declared);
    }
  }
}
