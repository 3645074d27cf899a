package io.ambidex.flavours.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.mutiny.MutinyFacades;
import io.ambidex.reactor.ReactorFacades;
import io.ambidex.rxjava3.RxJavaFacades;
import io.reactivex.rxjava3.core.Single;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

/**
 * What the one-line wrappers users write by hand over an async facade's future do on disposal and
 * resubscription, next to what the generated facades' adapters do. Each test pins one library
 * behaviour (Reactor 3.7, RxJava 3.1, Mutiny 2.9); a library upgrade that changes it fails here.
 *
 * <p>The future stands for an async facade's {@code CallFuture}: cancelling it is what cancels
 * the core's stage down to the transport.
 */
class IdiomaticWrappersTest {
  private final AtomicInteger calls = new AtomicInteger();

  /** One call of the "operation": counted, and never completing on its own. */
  private CompletableFuture<String> call() {
    calls.incrementAndGet();
    return new CompletableFuture<>();
  }

  // ---- Reactor ----

  @Test
  void monoFromFuture_dispose_cancelsTheFuture_butTheCallStartsAtAssembly() {
    CompletableFuture<String> future = call();
    Mono<String> mono = Mono.fromFuture(future);

    mono.subscribe().dispose();

    assertThat(future).isCancelled();
    mono.subscribe();
    assertThat(calls).hasValue(1); // resubscribing reads the same (cancelled) future
  }

  @Test
  void monoFromCompletionStage_dispose_cancelsAFutureToo_butTheCallStartsAtAssembly() {
    CompletableFuture<String> future = call();
    Mono<String> mono = Mono.fromCompletionStage(future);

    mono.subscribe().dispose();

    assertThat(future).isCancelled();
    mono.subscribe();
    assertThat(calls).hasValue(1);
  }

  @Test
  void generatedMono_dispose_cancelsTheFuture_andEachSubscriptionCalls() {
    CompletableFuture<?>[] last = new CompletableFuture<?>[1];
    Mono<String> mono =
        ReactorFacades.mono(
            () -> {
              CompletableFuture<String> f = call();
              last[0] = f;
              return f;
            });
    assertThat(calls).hasValue(0);

    mono.subscribe().dispose();
    assertThat(last[0]).isCancelled();
    mono.subscribe();

    assertThat(calls).hasValue(2);
  }

  // ---- RxJava 3 ----

  @Test
  void singleFromCompletionStage_dispose_leavesTheFutureRunning() {
    CompletableFuture<String> future = call();

    Single.fromCompletionStage(future).subscribe(v -> {}, e -> {}).dispose();

    assertThat(future).isNotCancelled().isNotDone();
  }

  @Test
  void generatedSingle_dispose_cancelsTheFuture_andEachSubscriptionCalls() {
    CompletableFuture<?>[] last = new CompletableFuture<?>[1];
    Single<String> single =
        RxJavaFacades.single(
            () -> {
              CompletableFuture<String> f = call();
              last[0] = f;
              return f;
            });
    assertThat(calls).hasValue(0);

    single.subscribe(v -> {}, e -> {}).dispose();
    assertThat(last[0]).isCancelled();
    single.subscribe(v -> {}, e -> {});

    assertThat(calls).hasValue(2);
  }

  // ---- Mutiny ----

  @Test
  void uniFromCompletionStage_cancel_cancelsTheFuture_butTheCallStartsAtAssembly() {
    CompletableFuture<String> future = call();
    Uni<String> uni = Uni.createFrom().completionStage(future);

    uni.subscribe().with(v -> {}, e -> {}).cancel();

    assertThat(future).isCancelled();
    uni.subscribe().with(v -> {}, e -> {});
    assertThat(calls).hasValue(1);
  }

  @Test
  void generatedUni_cancel_cancelsTheFuture_andEachSubscriptionCalls() {
    CompletableFuture<?>[] last = new CompletableFuture<?>[1];
    Uni<String> uni =
        MutinyFacades.uni(
            () -> {
              CompletableFuture<String> f = call();
              last[0] = f;
              return f;
            });
    assertThat(calls).hasValue(0);

    uni.subscribe().with(v -> {}, e -> {}).cancel();
    assertThat(last[0]).isCancelled();
    uni.subscribe().with(v -> {}, e -> {});

    assertThat(calls).hasValue(2);
  }
}
