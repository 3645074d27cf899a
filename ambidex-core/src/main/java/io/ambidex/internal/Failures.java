package io.ambidex.internal;

import io.ambidex.CallerStackTrace;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.jspecify.annotations.Nullable;

/**
 * The one exception-translation table of the bridges (documented in {@code io.ambidex}'s package
 * Javadoc). Not API.
 */
public final class Failures {
  private Failures() {}

  /**
   * Peels {@code CompletionException} and {@code ExecutionException} wrappers off a failure, and
   * the plain {@code CancellationException} that {@code CompletableFuture.join()}/{@code get()}
   * wrap around a {@code CancellationException} failure since JDK 23 (JDK 21 throws the original).
   */
  public static Throwable unwrap(Throwable failure) {
    Throwable t = failure;
    while (true) {
      Throwable cause = t.getCause();
      if (cause == null) {
        return t;
      }
      if (t instanceof CompletionException
          || t instanceof ExecutionException
          || (t.getClass() == CancellationException.class
              && cause instanceof CancellationException)) {
        t = cause;
      } else {
        return t;
      }
    }
  }

  /**
   * Throws {@code failure} on the blocking path following the translation table. Never returns
   * normally; declared to return an exception so callers can write {@code throw rethrow(...)}.
   *
   * @param declared the checked type the blocking method declares, or null if it declares none
   */
  public static <X extends Exception> RuntimeException rethrow(
      Throwable failure, String operation, @Nullable Class<X> declared) throws X {
    Throwable t = unwrap(failure);
    attachCallerStack(t, operation);
    if (t instanceof RuntimeException r) {
      throw r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (declared != null && declared.isInstance(t)) {
      throw declared.cast(t);
    }
    throw new UndeclaredThrowableException(
        t,
        "Operation '"
            + operation
            + "' failed with the checked exception "
            + t.getClass().getName()
            + ", which the blocking method does not declare; it is the cause of this exception.");
  }

  /** Adds a {@link CallerStackTrace} to {@code t}, unless it already carries one. */
  public static void attachCallerStack(Throwable t, String operation) {
    for (Throwable s : t.getSuppressed()) {
      if (s instanceof CallerStackTrace) {
        return;
      }
    }
    t.addSuppressed(new CallerStackTrace(operation));
  }
}
