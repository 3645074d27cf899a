package io.ambidex.reactor;

import io.ambidex.BlockingGuard;
import io.ambidex.facade.FlavourCalls;
import io.ambidex.reactor.internal.FutureMono;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.Exceptions;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * The adapters generated Reactor facades call: each turns one call of the async facade into a
 * lazy {@link Mono} or {@link Flux}.
 *
 * <p>Policies, the same for every method:
 *
 * <ul>
 *   <li><b>Laziness</b>: {@code call} runs at subscription, once per subscription; nothing runs
 *       before. So resubscribing (for example with {@code retry()}) makes a new call.
 *   <li><b>Cancellation</b>: cancelling the subscription cancels the future in flight (which, for
 *       an Ambidex {@code CallFuture}, cancels the core's stage down to the transport) or the
 *       stream's subscription (which closes the core's sequence). A future cancelled on the
 *       core's side signals {@code onError(CancellationException)}: Reactive Streams has no other
 *       downstream cancellation signal, and it is what {@code Mono.fromFuture} signals too.
 *   <li><b>Failures</b>: what {@code call} throws and what the future fails with arrive as {@code
 *       onError}, unwrapped from {@link java.util.concurrent.CompletionException}, so a subscriber
 *       sees the exception types the blocking facade throws.
 *   <li><b>Threads</b>: signals arrive on the thread that completes the future (or emits the
 *       item), or on the subscribing thread when it completed during {@code call}, or on the
 *       thread that calls {@code request(n)} when the value or item was ready before the demand.
 *   <li><b>Hooks</b>: every {@code Mono} and {@code Flux} passes through Reactor's assembly hooks
 *       ({@code Hooks.onEachOperator}, the debug mode's assembly traces), as the ones of Reactor's
 *       own factories do.
 *   <li><b>Blocking</b>: the first use of this class registers a non-blocking-thread predicate with
 *       Reactor ({@link Schedulers#registerNonBlockingThreadPredicate}), so {@code block()},
 *       {@code blockFirst()} and {@code blockLast()} refuse the threads Ambidex's {@link
 *       BlockingGuard} refuses in {@link BlockingGuard.Mode#FAIL} (an HTTP I/O thread, a
 *       Synchronizer's loop), where a facade's signals arrive; blocking there parks the thread the
 *       awaited call may need. {@code Schedulers.resetNonBlockingThreadPredicate()} removes it.
 * </ul>
 */
public final class ReactorFacades {
  static {
    Schedulers.registerNonBlockingThreadPredicate(ReactorFacades::refusesBlocking);
  }

  private ReactorFacades() {}

  /* Asked of the current thread by block(); another thread cannot be classified. */
  private static boolean refusesBlocking(Thread thread) {
    return thread == Thread.currentThread()
        && BlockingGuard.mode() == BlockingGuard.Mode.FAIL
        && BlockingGuard.nonBlockingKind() != null;
  }

  /**
   * One call of an async facade's method: what a lazy {@code Mono} or {@code Flux} runs at each
   * subscription.
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
   * A {@code Mono} that runs {@code call} at each subscription and emits the value its future
   * completes with, or completes empty when that value is null.
   *
   * @param call starts the operation and returns its future (an async facade's {@code CallFuture})
   * @param <T> the result type
   * @return a lazy, cancellable {@code Mono}
   * @throws NullPointerException if {@code call} is null (the only thing thrown rather than
   *     signalled)
   */
  public static <T> Mono<T> mono(Call<? extends CompletableFuture<? extends @Nullable T>> call) {
    Objects.requireNonNull(call, "call");
    return FutureMono.of(call);
  }

  /**
   * A {@code Flux} that runs {@code call} at each subscription and relays the items of the
   * publisher it returns, requesting from it exactly what is requested downstream; its failure
   * arrives unwrapped from {@link java.util.concurrent.CompletionException}, as the blocking
   * facade's stream throws it.
   *
   * @param call starts the operation and returns its publisher (an async facade's publisher, which
   *     accepts one subscriber and pulls the core's sequence on demand)
   * @param <T> the item type
   * @return a lazy, cancellable {@code Flux}
   * @throws NullPointerException if {@code call} is null
   */
  public static <T> Flux<T> flux(Call<? extends Flow.Publisher<? extends T>> call) {
    Objects.requireNonNull(call, "call");
    return Flux.defer(
        () -> {
          Flow.Publisher<? extends T> publisher;
          try {
            publisher = FlavourCalls.start(call::start, "publisher");
          } catch (Throwable failure) {
            // Flux.defer would signal it as thrown: a CompletionException, unlike mono()
            Exceptions.throwIfJvmFatal(failure);
            return Flux.error(FlavourCalls.unwrap(failure));
          }
          // A core's own publisher, relayed as it is, may fail with a stage's CompletionException,
          // which the blocking facade's stream unwraps.
          return JdkFlowAdapter.<T>flowPublisherToFlux(
              FlavourCalls.unwrappingFailures(narrow(publisher)));
        });
  }

  @SuppressWarnings("unchecked") // a publisher of ? extends T publishes Ts
  private static <T> Flow.Publisher<T> narrow(Flow.Publisher<? extends T> publisher) {
    return (Flow.Publisher<T>) publisher;
  }
}
