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

  /**
   * Returns a publisher that relays {@code source} and signals its failure {@linkplain #unwrap
   * unwrapped}, as the blocking facade's stream throws it (a core's own publisher, which the async
   * facade passes through, may fail with a stage's {@link CompletionException}). Everything else,
   * the subscription included, is handed through untouched: unlike a flavour's error-mapping
   * operator, it adds no request checks of its own, so the source's answer to {@code request(n)}
   * with {@code n <= 0} (Reactive Streams rule 3.9) reaches the subscriber as the source gives it.
   *
   * @param source the publisher to relay
   * @param <T> the item type
   * @return the relaying publisher
   * @throws NullPointerException if {@code source} is null
   */
  public static <T> java.util.concurrent.Flow.Publisher<T> unwrappingFailures(
      java.util.concurrent.Flow.Publisher<T> source) {
    java.util.Objects.requireNonNull(source, "source");
    return subscriber -> {
      java.util.Objects.requireNonNull(subscriber, "subscriber"); // rule 1.9
      source.subscribe(
          new java.util.concurrent.Flow.Subscriber<T>() {
            @Override
            public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
              subscriber.onSubscribe(subscription);
            }

            @Override
            public void onNext(T item) {
              subscriber.onNext(item);
            }

            @Override
            public void onError(Throwable failure) {
              subscriber.onError(unwrap(failure));
            }

            @Override
            public void onComplete() {
              subscriber.onComplete();
            }
          });
    };
  }

  @SuppressWarnings("unchecked")
  private static <X extends Throwable> X sneaky(Throwable failure) throws X {
    throw (X) failure;
  }
}
