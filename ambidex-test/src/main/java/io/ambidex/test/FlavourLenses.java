package io.ambidex.test;

import io.ambidex.CallFuture;
import io.ambidex.kotlin.KotlinCalls;
import io.ambidex.kotlin.KotlinFlows;
import io.ambidex.mutiny.MutinyFacades;
import io.ambidex.reactor.ReactorFacades;
import io.ambidex.rxjava3.RxJavaFacades;
import io.ambidex.stream.AsyncIterators;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import kotlinx.coroutines.CoroutineScope;
import kotlinx.coroutines.CoroutineScopeKt;
import kotlinx.coroutines.CoroutineStart;
import kotlinx.coroutines.Dispatchers;
import kotlinx.coroutines.GlobalScope;
import kotlinx.coroutines.SupervisorKt;
import kotlinx.coroutines.future.FutureKt;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.FlowAdapters;
import reactor.adapter.JdkFlowAdapter;

/**
 * The {@link FlavourLens} of each flavour Ambidex generates, and of the Kotlin extension functions. Each needs its flavour module and
 * library on the test class path (they are optional dependencies of this kit); a lens whose
 * library is missing fails with {@code NoClassDefFoundError} when first used.
 */
public final class FlavourLenses {
  private FlavourLenses() {}

  /**
   * Reactor: {@code ReactorFacades.mono} read with {@code toFuture()}, {@code ReactorFacades.flux}
   * as a {@code Flow.Publisher}.
   *
   * @return the Reactor lens
   */
  public static FlavourLens reactor() {
    return new FlavourLens() {
      @Override
      public String name() {
        return "reactor";
      }

      @Override
      public <T> CompletionStage<@Nullable T> single(
          Call<? extends CompletableFuture<? extends @Nullable T>> call) {
        return ReactorFacades.<T>mono(call::start).toFuture();
      }

      @Override
      public <T> Flow.Publisher<T> stream(Call<? extends Flow.Publisher<? extends T>> call) {
        return JdkFlowAdapter.publisherToFlowPublisher(ReactorFacades.<T>flux(call::start));
      }
    };
  }

  /**
   * RxJava 3: {@code RxJavaFacades.maybe} (so that null results read as null, as a generated
   * {@code Maybe} method gives them) read with {@code toCompletionStage(null)}, {@code
   * RxJavaFacades.flowable} as a {@code Flow.Publisher}.
   *
   * @return the RxJava 3 lens
   */
  public static FlavourLens rxjava3() {
    return new FlavourLens() {
      @Override
      public String name() {
        return "rxjava3";
      }

      @Override
      public <T> CompletionStage<@Nullable T> single(
          Call<? extends CompletableFuture<? extends @Nullable T>> call) {
        return RxJavaFacades.<T>maybe(call::start).toCompletionStage(null);
      }

      @Override
      public <T> Flow.Publisher<T> stream(Call<? extends Flow.Publisher<? extends T>> call) {
        return FlowAdapters.toFlowPublisher(RxJavaFacades.<T>flowable(call::start));
      }
    };
  }

  /**
   * Mutiny: {@code MutinyFacades.uni} read with {@code subscribeAsCompletionStage()}, {@code
   * MutinyFacades.multi} (a {@code Flow.Publisher} already).
   *
   * @return the Mutiny lens
   */
  public static FlavourLens mutiny() {
    return new FlavourLens() {
      @Override
      public String name() {
        return "mutiny";
      }

      @Override
      public <T> CompletionStage<@Nullable T> single(
          Call<? extends CompletableFuture<? extends @Nullable T>> call) {
        return MutinyFacades.<@Nullable T>uni(call::start).subscribeAsCompletionStage();
      }

      @Override
      public <T> Flow.Publisher<T> stream(Call<? extends Flow.Publisher<? extends T>> call) {
        return MutinyFacades.<T>multi(call::start);
      }
    };
  }

  /**
   * Kotlin coroutines: the call awaited with {@code awaitCall()} in a coroutine ({@code future {
   * call().awaitCall() }} on the unconfined dispatcher), and the stream as {@code publisherFlow {
   * call() }} collected back into an {@code AsyncIterator} ({@code asAsyncIterator}, no buffer)
   * and published by {@code AsyncIterators.toPublisher}. So a test body checks that the Kotlin
   * path gives the other flavours' results and failure types, and that a stream's iterator is
   * closed at its end. Needs ambidex-kotlin, kotlin-stdlib and kotlinx-coroutines-core.
   *
   * @return the Kotlin lens
   */
  public static FlavourLens kotlin() {
    return new KotlinLens();
  }

  /*
   * Java calls the Kotlin functions through their JVM form: a suspend function takes a
   * Continuation and returns its value or COROUTINE_SUSPENDED, which is what a suspend lambda
   * (Function2<CoroutineScope, Continuation, Object>) passed to `future` must do. What a call
   * throws is rethrown unchanged inside the coroutine, where it fails the future (the other
   * flavours signal it at subscription too).
   */
  private static final class KotlinLens implements FlavourLens {
    // Each iterator's collection runs in this scope; a failing flow never fails it.
    private final CoroutineScope streams =
        CoroutineScopeKt.CoroutineScope(
            SupervisorKt.SupervisorJob(null).plus(Dispatchers.getUnconfined()));

    @Override
    public String name() {
      return "kotlin";
    }

    @Override
    public <T> CompletionStage<@Nullable T> single(
        Call<? extends CompletableFuture<? extends @Nullable T>> call) {
      return FutureKt.<@Nullable T>future(
          GlobalScope.INSTANCE,
          Dispatchers.getUnconfined(),
          CoroutineStart.DEFAULT,
          (scope, continuation) -> KotlinCalls.awaitCall(callFuture(start(call)), continuation));
    }

    @Override
    public <T> Flow.Publisher<T> stream(Call<? extends Flow.Publisher<? extends T>> call) {
      return AsyncIterators.<T>toPublisher(
          () ->
              KotlinFlows.asAsyncIterator(
                  KotlinFlows.<T>publisherFlow(() -> start(call)), streams, 0));
    }

    @SuppressWarnings("unchecked") // a CallFuture of ? extends T delivers Ts
    private static <T> CallFuture<@Nullable T> callFuture(
        CompletableFuture<? extends @Nullable T> future) {
      return future instanceof CallFuture<?> callFuture
          ? (CallFuture<@Nullable T>) callFuture
          : CallFuture.of("FlavourLenses.kotlin", future);
    }

    private static <R> R start(Call<? extends R> call) {
      try {
        return call.start();
      } catch (Exception failure) {
        throw KotlinLens.<RuntimeException>sneaky(failure);
      }
    }

    @SuppressWarnings("unchecked")
    private static <X extends Throwable> X sneaky(Throwable failure) throws X {
      throw (X) failure;
    }
  }
}
