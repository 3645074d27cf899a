package io.ambidex.rxjava3;

import io.ambidex.rxjava3.internal.FutureSources;
import io.ambidex.facade.FlavourCalls;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Flowable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.exceptions.Exceptions;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.FlowAdapters;

/**
 * The adapters generated RxJava 3 facades call: each turns one call of the async facade into a
 * lazy {@link Single}, {@link Maybe}, {@link Completable} or {@link Flowable}.
 *
 * <p>Policies, the same for every method:
 *
 * <ul>
 *   <li><b>Laziness</b>: {@code call} runs at subscription, once per subscription; nothing runs
 *       before. So resubscribing (for example with {@code retry()}) makes a new call.
 *   <li><b>Cancellation</b>: disposing the subscription cancels the future in flight (which, for
 *       an Ambidex {@code CallFuture}, cancels the core's stage down to the transport) or the
 *       stream's subscription (which closes the core's sequence). A future cancelled on the
 *       core's side signals {@code onError(CancellationException)}, RxJava having no other
 *       downstream cancellation signal. A failure that arrives after disposal is dropped, not
 *       routed to {@code RxJavaPlugins.onError}: the subscriber asked for nothing more.
 *   <li><b>Failures</b>: what {@code call} throws and what the future fails with arrive as {@code
 *       onError}, unwrapped from {@link java.util.concurrent.CompletionException}, so a subscriber
 *       sees the exception types the blocking facade throws; except a fatal error of the call
 *       (RxJava's {@code Exceptions.throwIfFatal}: a {@code VirtualMachineError}, a {@code
 *       LinkageError}), which {@code subscribe} throws, as RxJava's own sources do.
 *   <li><b>Nulls</b>: RxJava forbids null items, so a {@link #single} whose future completes with
 *       null fails with a {@code NullPointerException} saying so; cores whose result may be null
 *       declare it {@code @Nullable}, and their facade method returns a {@link #maybe}.
 *   <li><b>Threads</b>: signals arrive on the thread that completes the future (or emits the
 *       item), or on the subscribing thread when it completed during {@code call}.
 *   <li><b>Plugins</b>: every source passes through the {@code RxJavaPlugins} assembly hook of its
 *       type ({@code onAssembly}), as the sources of RxJava's own factories do, so assembly
 *       tracking and instrumentations that install such hooks see them.
 * </ul>
 */
public final class RxJavaFacades {
  private RxJavaFacades() {}

  /**
   * One call of an async facade's method: what a lazy source runs at each subscription.
   *
   * @param <R> what the call returns: a future or a publisher
   */
  @FunctionalInterface
  public interface Call<R> {
    /**
     * Makes the call.
     *
     * @return the call's future or publisher, not null
     * @throws Throwable whatever the call throws; it is signalled as {@code onError}
     */
    R start() throws Throwable;
  }

  /**
   * A {@code Single} that runs {@code call} at each subscription and emits the value its future
   * completes with.
   *
   * @param call starts the operation and returns its future (an async facade's {@code CallFuture})
   * @param <T> the result type
   * @return a lazy, cancellable {@code Single}; it fails with a {@code NullPointerException} if the
   *     future completes with null
   * @throws NullPointerException if {@code call} is null
   */
  public static <T> Single<T> single(Call<? extends CompletableFuture<? extends T>> call) {
    Objects.requireNonNull(call, "call");
    return RxJavaPlugins.onAssembly(new FutureSources.FutureSingle<>(call));
  }

  /**
   * A {@code Maybe} that runs {@code call} at each subscription and emits the value its future
   * completes with, or completes empty when that value is null.
   *
   * @param call starts the operation and returns its future
   * @param <T> the result type
   * @return a lazy, cancellable {@code Maybe}
   * @throws NullPointerException if {@code call} is null
   */
  public static <T> Maybe<T> maybe(
      Call<? extends CompletableFuture<? extends @Nullable T>> call) {
    Objects.requireNonNull(call, "call");
    return RxJavaPlugins.onAssembly(new FutureSources.FutureMaybe<>(call));
  }

  /**
   * A {@code Completable} that runs {@code call} at each subscription and completes when its
   * future does, ignoring the value.
   *
   * @param call starts the operation and returns its future
   * @return a lazy, cancellable {@code Completable}
   * @throws NullPointerException if {@code call} is null
   */
  public static Completable completable(Call<? extends CompletableFuture<?>> call) {
    Objects.requireNonNull(call, "call");
    return RxJavaPlugins.onAssembly(new FutureSources.FutureCompletable(call));
  }

  /**
   * A {@code Flowable} that runs {@code call} at each subscription and relays the items of the
   * publisher it returns, requesting from it exactly what is requested downstream; its failure
   * arrives unwrapped from {@link java.util.concurrent.CompletionException}, as the blocking
   * facade's stream throws it.
   *
   * @param call starts the operation and returns its publisher (an async facade's publisher, which
   *     accepts one subscriber and pulls the core's sequence on demand)
   * @param <T> the item type
   * @return a lazy, cancellable {@code Flowable}
   * @throws NullPointerException if {@code call} is null
   */
  public static <T> Flowable<T> flowable(Call<? extends Flow.Publisher<? extends T>> call) {
    Objects.requireNonNull(call, "call");
    return Flowable.defer(
        () -> {
          Flow.Publisher<? extends T> publisher;
          try {
            publisher = FlavourCalls.start(call::start, "publisher");
          } catch (Throwable failure) {
            Exceptions.throwIfFatal(failure); // thrown from subscribe(), as by the other sources
            return Flowable.error(FlavourCalls.unwrap(failure));
          }
          // A core's own publisher, relayed as it is, may fail with a stage's CompletionException,
          // which the blocking facade's stream unwraps.
          return Flowable.fromPublisher(
              FlowAdapters.toPublisher(FlavourCalls.unwrappingFailures(publisher)));
        });
  }
}
