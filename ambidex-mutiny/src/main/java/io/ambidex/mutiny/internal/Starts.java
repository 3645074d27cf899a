package io.ambidex.mutiny.internal;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/** Starting a facade call, and the one unwrapping rule of failures. */
public final class Starts {
  private Starts() {}

  /** A call that may throw anything. */
  @FunctionalInterface
  public interface Start<R> {
    R start() throws Throwable;
  }

  /**
   * Runs {@code call}, rethrowing what it throws unchanged (checked ones too, for the operator
   * that catches it to signal), and refusing a null result with a message naming {@code what}.
   */
  public static <R> R start(Start<? extends R> call, String what) {
    R result;
    try {
      result = call.start();
    } catch (Throwable failure) {
      throw Starts.<RuntimeException>sneaky(failure);
    }
    return nonNull(result, what);
  }

  /** Returns {@code result}, refusing null with a message naming {@code what}. */
  public static <R> R nonNull(@Nullable R result, String what) {
    if (result == null) {
      throw new NullPointerException(
          "The facade call returned a null " + what + "; a facade method returns a " + what
              + " that fails instead of returning null");
    }
    return result;
  }

  /** The failure a subscriber sees: without the CompletionException a dependent stage adds. */
  public static Throwable unwrap(Throwable failure) {
    Throwable current = failure;
    while ((current instanceof CompletionException || current instanceof ExecutionException)
        && current.getCause() != null) {
      current = current.getCause();
    }
    return current;
  }

  @SuppressWarnings("unchecked")
  private static <X extends Throwable> X sneaky(Throwable failure) throws X {
    throw (X) failure;
  }
}
