package io.ambidex.facade;

import io.ambidex.internal.Failures;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * What the flavour runtimes (ambidex-reactor, ambidex-rxjava3, ambidex-mutiny) share when a
 * subscription starts a facade call: running the call, refusing a null result, and the one rule
 * for the failure a subscriber sees. Support for generated code and those modules; not meant to
 * be called by applications.
 */
public final class FlavourCalls {
  private FlavourCalls() {}

  /**
   * A facade call, started by a subscription; it may throw anything.
   *
   * @param <R> what the call returns (a future or a publisher)
   */
  @FunctionalInterface
  public interface Start<R> {
    /**
     * Starts the call.
     *
     * @return the call's future or publisher
     * @throws Throwable whatever the call throws
     */
    R start() throws Throwable;
  }

  /**
   * Runs {@code call}, rethrowing what it throws unchanged (checked exceptions too, for the
   * operator that catches it to signal them), and refusing a null result.
   *
   * @param call the facade call
   * @param what what the call returns, for the message ("future", "publisher")
   * @return the call's result
   * @throws NullPointerException if the call returned null, naming {@code what}
   */
  public static <R> R start(Start<? extends R> call, String what) {
    R result;
    try {
      result = call.start();
    } catch (Throwable failure) {
      throw FlavourCalls.<RuntimeException>sneaky(failure);
    }
    return nonNull(result, what);
  }

  /**
   * Returns {@code result}, refusing null.
   *
   * @param result a facade call's result
   * @param what what it is, for the message
   * @return {@code result}
   * @throws NullPointerException if {@code result} is null, naming {@code what} and the rule
   */
  public static <R> R nonNull(@Nullable R result, String what) {
    if (result == null) {
      throw new NullPointerException(
          "The facade call returned a null " + what + "; a facade method returns a " + what
              + " that fails instead of returning null");
    }
    return result;
  }

  /**
   * Returns the failure a subscriber sees, unwrapped as the blocking facade unwraps what it
   * throws: without the {@link CompletionException} or {@link ExecutionException} wrappers a
   * dependent stage adds, nor the {@link java.util.concurrent.CancellationException} that {@code
   * join()} and {@code get()} wrap around a stored one since JDK 23, so every flavour fails with
   * the exception types of the other facades.
   *
   * @param failure a stage's failure
   * @return the innermost failure that is not such a wrapper
   */
  public static Throwable unwrap(Throwable failure) {
    return Failures.unwrap(failure); // the blocking facade's rule, so the two cannot drift
  }

  @SuppressWarnings("unchecked")
  private static <X extends Throwable> X sneaky(Throwable failure) throws X {
    throw (X) failure;
  }
}
