package io.ambidex.blob.internal;

import io.ambidex.control.Async;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Sequencing of stages that keeps cancellation flowing down: {@code thenCompose} returns a stage
 * whose cancellation does not reach the stage in flight, so a cancelled download would keep its
 * connection. {@link #then} does what {@code thenCompose} does, and cancelling its result cancels
 * whichever stage it is waiting on. Not API.
 */
public final class Chains {
  private Chains() {}

  /**
   * Returns {@code first.thenCompose(next)}, whose cancellation cancels {@code first} or the stage
   * {@code next} returned, whichever is in flight. A throw from {@code next} fails the result.
   */
  public static <T extends @Nullable Object, R extends @Nullable Object> CompletableFuture<R> then(
      CompletionStage<T> first, Function<? super T, ? extends CompletionStage<R>> next) {
    return Async.then(first, next);
  }

  /**
   * Returns a stage that completes as {@code first} does, except that a failure other than a
   * cancellation or an {@link Error} completes it with {@code fallback}'s value for the failure
   * (unwrapped) instead. Cancelling the result cancels {@code first}.
   */
  public static <T extends @Nullable Object> CompletableFuture<T> recover(
      CompletionStage<T> first, Function<? super Throwable, ? extends T> fallback) {
    return recoverWith(first, f -> done(fallback.apply(f)), value -> {}, value -> {});
  }

  /**
   * Returns a stage that completes as {@code first} does, except that a failure other than a
   * cancellation or an {@link Error} completes it as the stage {@code fallback} returns for the
   * failure (unwrapped). Cancelling the result cancels {@code first}, or the fallback's stage once
   * it runs. {@code recovered} sees a value of the fallback's stage before the result completes
   * with it (what a caller then does already knows that the fallback worked).
   *
   * <p>The result's cancel succeeds even when the stage underneath has already produced its value
   * (its completion may still be on its way here), so a value that arrives once the result is
   * complete is given to {@code late}: a value that holds a resource (a response and its
   * connection) is released there, as a caller that cancelled the stage underneath itself would
   * have released it on seeing its cancel fail.
   */
  public static <T extends @Nullable Object> CompletableFuture<T> recoverWith(
      CompletionStage<T> first,
      Function<? super Throwable, ? extends CompletionStage<T>> fallback,
      Consumer<? super T> recovered,
      Consumer<? super T> late) {
    AtomicReference<CompletionStage<T>> current = new AtomicReference<>(first);
    CompletableFuture<T> result =
        new CompletableFuture<>() {
          @Override
          public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            current.get().toCompletableFuture().cancel(mayInterruptIfRunning);
            return cancelled;
          }
        };
    first.whenComplete(
        (value, failure) -> {
          if (failure == null) {
            if (!result.complete(value)) {
              late.accept(value);
            }
            return;
          }
          Throwable f = unwrap(failure);
          if (f instanceof CancellationException || f instanceof Error) {
            result.completeExceptionally(f);
            return;
          }
          CompletionStage<T> next;
          try {
            next = fallback.apply(f);
          } catch (RuntimeException e) {
            result.completeExceptionally(e);
            return;
          }
          current.set(next);
          if (result.isCancelled()) {
            next.toCompletableFuture().cancel(true);
          }
          next.whenComplete(
              (v, f2) -> {
                if (f2 == null) {
                  try {
                    recovered.accept(v);
                  } catch (RuntimeException e) {
                    late.accept(v);
                    result.completeExceptionally(e);
                    return;
                  }
                  if (!result.complete(v)) {
                    late.accept(v);
                  }
                } else {
                  result.completeExceptionally(unwrap(f2));
                }
              });
        });
    return result;
  }

  /**
   * Returns a stage that completes as {@code first} does, after {@code action} has seen its
   * failure (unwrapped), unless that is a cancellation: a failure can be given details before
   * anyone else sees it. Cancelling the result cancels {@code first}.
   */
  public static <T extends @Nullable Object> CompletableFuture<T> onFailure(
      CompletionStage<T> first, java.util.function.Consumer<? super Throwable> action) {
    return recover(
        first,
        failure -> {
          action.accept(failure);
          throw failure instanceof RuntimeException r ? r : new CompletionException(failure);
        });
  }

  /** Returns a completed stage. */
  public static <T extends @Nullable Object> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  /** Returns a failed stage. */
  public static <T extends @Nullable Object> CompletableFuture<T> failed(Throwable failure) {
    return CompletableFuture.failedFuture(failure);
  }

  /** Removes {@code CompletionException} and {@code ExecutionException} wrappers. */
  public static Throwable unwrap(Throwable t) {
    Throwable x = t;
    while ((x instanceof CompletionException || x instanceof ExecutionException)
        && x.getCause() != null) {
      x = x.getCause();
    }
    return x;
  }

  /** Returns true if {@code t} is a cancellation, however wrapped. */
  public static boolean isCancellation(Throwable t) {
    return unwrap(t) instanceof CancellationException;
  }
}
