package io.ambidex.reactor.internal;

import io.ambidex.facade.FlavourCalls;
import io.ambidex.reactor.ReactorFacades;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.Exceptions;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Operators;

/*
 * A Mono over the future of one facade call per subscription.
 *
 * The subscription is a small state machine in one int: REQUESTED (demand arrived), VALUE (the
 * future completed with a value, stored in `value`), DONE (a terminal signal was claimed, or the
 * subscriber cancelled). Whoever sets the second of REQUESTED and VALUE claims DONE and emits; a
 * failure or an empty result claims DONE at once (they need no demand, rule 1.4/1.5). cancel()
 * claims DONE and cancels the future, so the CancellationException that completion brings back is
 * dropped silently rather than reported as an undeliverable error.
 */
public final class FutureMono<T> extends Mono<T> {
  private final ReactorFacades.Call<? extends CompletableFuture<? extends @Nullable T>> call;

  private FutureMono(ReactorFacades.Call<? extends CompletableFuture<? extends @Nullable T>> call) {
    this.call = call;
  }

  /*
   * The Mono of `call`, through Mono.onAssembly as the Monos of Reactor's own factories are
   * (Hooks.onEachOperator decorations, the debug mode's assembly traces); the hook may return
   * another Mono than this one.
   */
  public static <T> Mono<T> of(
      ReactorFacades.Call<? extends CompletableFuture<? extends @Nullable T>> call) {
    return onAssembly(new FutureMono<>(call));
  }

  @Override
  public void subscribe(CoreSubscriber<? super T> actual) {
    CompletableFuture<? extends @Nullable T> future;
    try {
      future = FlavourCalls.nonNull(call.start(), "future");
    } catch (Throwable failure) {
      Exceptions.throwIfJvmFatal(failure);
      Operators.error(actual, FlavourCalls.unwrap(failure));
      return;
    }
    FutureSubscription<T> subscription = new FutureSubscription<>(actual, future);
    actual.onSubscribe(subscription);
    future.whenComplete(subscription);
  }

  @Override
  public String toString() {
    return "Mono over the future of " + call;
  }

  static final class FutureSubscription<T>
      implements Subscription, BiConsumer<@Nullable T, @Nullable Throwable> {
    private static final int REQUESTED = 1;
    private static final int VALUE = 2;
    private static final int DONE = 4;
    private static final VarHandle STATE;

    static {
      try {
        STATE = MethodHandles.lookup().findVarHandle(FutureSubscription.class, "state", int.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private final CoreSubscriber<? super T> actual;
    private final CompletableFuture<?> future;
    private volatile int state;
    // Written before the CAS that sets VALUE, read after the CAS that claims DONE.
    private @Nullable T value;

    FutureSubscription(CoreSubscriber<? super T> actual, CompletableFuture<?> future) {
      this.actual = actual;
      this.future = future;
    }

    @Override
    public void request(long n) {
      if (n <= 0) {
        if (claim()) {
          future.cancel(true);
          actual.onError(
              new IllegalArgumentException(
                  "Reactive Streams rule 3.9: request(n) must ask for a positive number of"
                      + " items, but n was " + n));
        }
        return;
      }
      for (; ; ) {
        int s = state;
        if ((s & (REQUESTED | DONE)) != 0) {
          return;
        }
        if ((s & VALUE) != 0) {
          if (STATE.compareAndSet(this, s, s | REQUESTED | DONE)) {
            emit();
            return;
          }
        } else if (STATE.compareAndSet(this, s, s | REQUESTED)) {
          return;
        }
      }
    }

    @Override
    public void cancel() {
      if (claim()) {
        value = null;
        future.cancel(true);
      }
    }

    /*
     * Runs in CompletableFuture.whenComplete, which keeps what its action throws in a future nobody
     * reads: a subscriber that throws from a signal (rule 2.13) would vanish without a trace, so
     * what it throws goes to Hooks.onErrorDropped, as Mono.fromFuture's does.
     */
    @Override
    public void accept(@Nullable T result, @Nullable Throwable failure) {
      try {
        complete(result, failure);
      } catch (Throwable thrown) {
        Operators.onErrorDropped(thrown, actual.currentContext());
      }
    }

    private void complete(@Nullable T result, @Nullable Throwable failure) {
      if (failure != null) {
        if (claim()) {
          actual.onError(FlavourCalls.unwrap(failure));
        }
        return;
      }
      if (result == null) {
        if (claim()) {
          actual.onComplete();
        }
        return;
      }
      value = result;
      for (; ; ) {
        int s = state;
        if ((s & DONE) != 0) {
          value = null;
          return;
        }
        if ((s & REQUESTED) != 0) {
          if (STATE.compareAndSet(this, s, s | VALUE | DONE)) {
            emit();
            return;
          }
        } else if (STATE.compareAndSet(this, s, s | VALUE)) {
          return;
        }
      }
    }

    private boolean claim() {
      for (; ; ) {
        int s = state;
        if ((s & DONE) != 0) {
          return false;
        }
        if (STATE.compareAndSet(this, s, s | DONE)) {
          return true;
        }
      }
    }

    private void emit() {
      T result = value;
      value = null;
      actual.onNext(result);
      actual.onComplete();
    }
  }
}
