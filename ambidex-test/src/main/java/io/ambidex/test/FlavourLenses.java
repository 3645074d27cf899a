package io.ambidex.test;

import io.ambidex.mutiny.MutinyFacades;
import io.ambidex.reactor.ReactorFacades;
import io.ambidex.rxjava3.RxJavaFacades;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.FlowAdapters;
import reactor.adapter.JdkFlowAdapter;

/**
 * The {@link FlavourLens} of each flavour Ambidex generates. Each needs its flavour module and
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
}
