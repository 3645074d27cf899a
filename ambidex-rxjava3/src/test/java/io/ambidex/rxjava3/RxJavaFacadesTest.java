package io.ambidex.rxjava3;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.facade.FacadeSupport;
import io.ambidex.stream.AsyncIterators;
import io.reactivex.rxjava3.core.Completable;
import io.reactivex.rxjava3.core.Maybe;
import io.reactivex.rxjava3.core.Single;
import io.reactivex.rxjava3.plugins.RxJavaPlugins;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The sources {@link RxJavaFacades} makes, used as an RxJava application uses them. */
@Timeout(30)
class RxJavaFacadesTest {
  @AfterEach
  void resetPlugins() {
    RxJavaPlugins.reset();
  }

  /**
   * Every source RxJava's own factories make passes through the {@code RxJavaPlugins} assembly
   * hooks, which assembly tracking and tracing instrumentations (context propagation into the
   * callbacks) install; a facade's sources must too.
   */
  @Test
  void everySource_passesThroughTheAssemblyHooks() {
    Single<String> trackedSingle = Single.just("tracked");
    Maybe<String> trackedMaybe = Maybe.just("tracked");
    Completable trackedCompletable = Completable.complete();
    RxJavaPlugins.setOnSingleAssembly(single -> trackedSingle);
    RxJavaPlugins.setOnMaybeAssembly(maybe -> trackedMaybe);
    RxJavaPlugins.setOnCompletableAssembly(completable -> trackedCompletable);

    assertThat(RxJavaFacades.single(() -> CompletableFuture.completedFuture("v")))
        .isSameAs(trackedSingle);
    assertThat(RxJavaFacades.maybe(() -> CompletableFuture.completedFuture("v")))
        .isSameAs(trackedMaybe);
    assertThat(RxJavaFacades.completable(() -> CompletableFuture.completedFuture("v")))
        .isSameAs(trackedCompletable);
  }

  @Test
  void flowable_passesThroughTheAssemblyHook() {
    int[] assembled = {0};
    RxJavaPlugins.setOnFlowableAssembly(
        flowable -> {
          assembled[0]++;
          return flowable;
        });

    RxJavaFacades.flowable(() -> FacadeSupport.publisher("list", AsyncIterators.fromIterable(List.of(1))));

    assertThat(assembled[0]).isPositive();
  }
}
