package io.ambidex.mutiny;

import io.ambidex.BlockingGuard;
import io.ambidex.facade.FlavourCalls;
import io.ambidex.mutiny.internal.FutureUni;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;

/**
 * The adapters generated Mutiny facades call: each turns one call of the async facade into a lazy
 * {@link Uni} or {@link Multi}.
 *
 * <p>Policies, the same for every method:
 *
 * <ul>
 *   <li><b>Laziness</b>: {@code call} runs at subscription, once per subscription; nothing runs
 *       before. So resubscribing (for example with {@code onFailure().retry()}) makes a new call.
 *   <li><b>Cancellation</b>: cancelling the subscription cancels the future in flight (which, for
 *       an Ambidex {@code CallFuture}, cancels the core's stage down to the transport) or the
 *       stream's subscription (which closes the core's sequence). A future cancelled on the
 *       core's side fails the {@code Uni} with a {@code CancellationException}, Mutiny having no
 *       other downstream cancellation signal.
 *   <li><b>Failures</b>: what {@code call} throws and what the future fails with arrive as
 *       failures, unwrapped from {@link java.util.concurrent.CompletionException}, so a subscriber
 *       sees the exception types the blocking facade throws.
 *   <li><b>Threads</b>: events arrive on the thread that completes the future (or emits the
 *       item), or on the subscribing thread when it completed during {@code call}; a {@code
 *       Multi}'s item that was ready before the demand arrives on the thread that requests it.
 *   <li><b>Interceptors</b>: every {@code Uni} and {@code Multi} passes through {@code
 *       Infrastructure.onUniCreation} or {@code onMultiCreation}, as the ones of Mutiny's own
 *       factories do, so the registered interceptors (context propagation's) decorate it.
 *   <li><b>Blocking</b>: nothing is installed into Mutiny's globals. Mutiny's {@code await()}
 *       asks one replaceable check ({@link Infrastructure#setCanCallerThreadBeBlockedSupplier}),
 *       which frameworks such as Quarkus set for their own threads, so the check that refuses
 *       the threads Ambidex's {@link BlockingGuard} refuses, {@link #callerThreadMayBlock()}, is
 *       installed by the application, alone or combined with the framework's.
 * </ul>
 */
public final class MutinyFacades {
  private MutinyFacades() {}

  /**
   * One call of an async facade's method: what a lazy {@code Uni} or {@code Multi} runs at each
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
     * @throws Throwable whatever the call throws; it fails the {@code Uni} or {@code Multi}
     */
    R start() throws Throwable;
  }

  /**
   * A {@code Uni} that runs {@code call} at each subscription and emits the value (possibly null)
   * its future completes with.
   *
   * @param call starts the operation and returns its future (an async facade's {@code CallFuture})
   * @param <T> the result type
   * @return a lazy, cancellable {@code Uni}
   * @throws NullPointerException if {@code call} is null
   */
  public static <T> Uni<T> uni(Call<? extends CompletableFuture<? extends @Nullable T>> call) {
    Objects.requireNonNull(call, "call");
    return Infrastructure.onUniCreation(new FutureUni<>(call));
  }

  /**
   * A {@code Multi} that runs {@code call} at each subscription and relays the items of the
   * publisher it returns, requesting from it exactly what is requested downstream; its failure
   * arrives unwrapped from {@link java.util.concurrent.CompletionException}, as the blocking
   * facade's stream throws it.
   *
   * @param call starts the operation and returns its publisher (an async facade's publisher, which
   *     accepts one subscriber and pulls the core's sequence on demand)
   * @param <T> the item type
   * @return a lazy, cancellable {@code Multi}
   * @throws NullPointerException if {@code call} is null
   */
  public static <T> Multi<T> multi(Call<? extends Flow.Publisher<? extends T>> call) {
    Objects.requireNonNull(call, "call");
    return Multi.createFrom()
        .deferred(
            () -> {
              Flow.Publisher<? extends T> publisher;
              try {
                publisher = FlavourCalls.start(call::start, "publisher");
              } catch (Throwable failure) {
                return Multi.createFrom().failure(FlavourCalls.unwrap(failure));
              }
              // A core's own publisher, relayed as it is, may fail with a stage's
              // CompletionException, which the blocking facade's stream unwraps.
              return Multi.createFrom().publisher(FlavourCalls.unwrappingFailures(narrow(publisher)));
            });
  }

  /**
   * Whether the current thread may block, as Ambidex's {@link BlockingGuard} judges it: false in
   * {@link BlockingGuard.Mode#FAIL} on a thread it refuses (an HTTP I/O thread, a Synchronizer's
   * loop, a caller-drained loop, a registered kind), true otherwise. A facade's {@code Uni}
   * signals on the thread that completes the call, for the blob client an HTTP I/O thread, and an
   * {@code await()} there parks the thread the awaited call may need.
   *
   * <p>It is a {@link java.util.function.BooleanSupplier} for Mutiny's own check, which {@code
   * await()} asks before blocking and which fails it with an {@code IllegalStateException} naming
   * the thread:
   *
   * <pre>{@code
   * Infrastructure.setCanCallerThreadBeBlockedSupplier(MutinyFacades::callerThreadMayBlock);
   * // or, beside a framework's own check:
   * BooleanSupplier framework = ...;
   * Infrastructure.setCanCallerThreadBeBlockedSupplier(
   *     () -> MutinyFacades.callerThreadMayBlock() && framework.getAsBoolean());
   * }</pre>
   *
   * <p>The setter replaces the check in force and Mutiny has no getter for it, so this module
   * installs nothing by itself: installing it would silently remove a framework's check.
   *
   * @return false when Ambidex would refuse to block the current thread, true otherwise
   */
  public static boolean callerThreadMayBlock() {
    return BlockingGuard.mode() != BlockingGuard.Mode.FAIL
        || BlockingGuard.nonBlockingKind() == null;
  }

  @SuppressWarnings("unchecked") // a publisher of ? extends T publishes Ts
  private static <T> Flow.Publisher<T> narrow(Flow.Publisher<? extends T> publisher) {
    return (Flow.Publisher<T>) publisher;
  }
}
