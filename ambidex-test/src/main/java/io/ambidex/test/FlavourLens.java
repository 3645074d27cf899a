package io.ambidex.test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * How a {@link ParityExtension} run reaches an async facade through a flavour (Reactor, RxJava 3,
 * Mutiny): each async call of a test body is handed to the flavour's support adapter, exactly as
 * the generated flavour facade's method hands it ({@code ReactorFacades.mono(() ->
 * async.get(key))}), then subscribed to and read back. So one test body checks, on every flavour,
 * the laziness, failure types and stream demand of the path a flavour facade runs. (That the
 * generated method is that one line is what the processor's golden files pin.)
 *
 * <p>{@link FlavourLenses} has one for each flavour Ambidex generates.
 */
public interface FlavourLens {
  /**
   * One async call of a test body.
   *
   * @param <R> the call's future or publisher
   */
  @FunctionalInterface
  interface Call<R> {
    /**
     * Makes the call on the async facade.
     *
     * @return its future or publisher
     * @throws Exception what the call throws
     */
    R start() throws Exception;
  }

  /**
   * Returns the flavour's name, shown in the run's name ({@code [reactor] async backend}).
   *
   * @return a short lower-case name
   */
  String name();

  /**
   * Runs a single-result call through the flavour: subscribes to the flavour's lazy result over
   * {@code call} and returns its outcome (null for an empty one).
   *
   * @param call the async facade's call, made at subscription
   * @param <T> the result type
   * @return a stage of the flavour's outcome, failed with its error as signalled
   */
  <T> CompletionStage<@Nullable T> single(
      Call<? extends CompletableFuture<? extends @Nullable T>> call);

  /**
   * Runs a streaming call through the flavour: the flavour's lazy stream over {@code call}, as a
   * {@code Flow.Publisher}.
   *
   * @param call the async facade's call, made at subscription
   * @param <T> the item type
   * @return the flavour's stream
   */
  <T> Flow.Publisher<T> stream(Call<? extends Flow.Publisher<? extends T>> call);
}
