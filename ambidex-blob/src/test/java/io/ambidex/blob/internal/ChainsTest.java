package io.ambidex.blob.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * {@link Chains#recoverWith}: the fallback, cancellation passed on to whichever stage is in flight,
 * and a value that arrives after the caller cancelled handed to the release hook rather than lost
 * (a response dropped there keeps its pooled connection for good: choice 268).
 */
class ChainsTest {
  private final List<String> recovered = new ArrayList<>();
  private final List<String> late = new ArrayList<>();

  @Test
  void aValue_completesTheResult_andIsNotRecoveredOrLate() throws Exception {
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> result = recoverWith(first, f -> Chains.done("fallback"));
    first.complete("value");
    assertThat(result.get()).isEqualTo("value");
    assertThat(recovered).isEmpty();
    assertThat(late).isEmpty();
  }

  @Test
  void aFailure_completesTheResultAsTheFallbacksStage_afterRecoveredSawIt() throws Exception {
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    List<Throwable> seen = new ArrayList<>();
    List<CompletableFuture<String>> result = new ArrayList<>();
    List<Boolean> doneWhenRecovered = new ArrayList<>();
    result.add(
        Chains.recoverWith(
            first,
            f -> {
              seen.add(f);
              return second;
            },
            v -> {
              doneWhenRecovered.add(result.get(0).isDone());
              recovered.add(v);
            },
            late::add));
    IllegalStateException failure = new IllegalStateException("refused");
    first.completeExceptionally(new CompletionException(failure));
    assertThat(seen).containsExactly(failure); // unwrapped
    assertThat(result.get(0)).isNotDone();
    second.complete("again");
    assertThat(result.get(0).get()).isEqualTo("again");
    assertThat(recovered).containsExactly("again");
    // The caller, on seeing the result, already knows that the fallback worked.
    assertThat(doneWhenRecovered).containsExactly(false);
    assertThat(late).isEmpty();
  }

  @Test
  void aFailureOfTheFallbacksStage_isTheResults() {
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> result =
        recoverWith(first, f -> Chains.failed(new IllegalArgumentException("second")));
    first.completeExceptionally(new IllegalStateException("first"));
    assertThatThrownBy(result::get)
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("second");
    assertThat(recovered).isEmpty();
  }

  @Test
  void aCancellationOrAnError_isNotRecovered() {
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> result = recoverWith(first, f -> Chains.done("fallback"));
    first.cancel(true);
    assertThat(result).isCompletedExceptionally();
    assertThatThrownBy(result::join).isInstanceOf(CancellationException.class);

    CompletableFuture<String> second = new CompletableFuture<>();
    CompletableFuture<String> failed = recoverWith(second, f -> Chains.done("fallback"));
    second.completeExceptionally(new AssertionError("an error"));
    assertThatThrownBy(failed::join).cause().isInstanceOf(AssertionError.class);
  }

  @Test
  void cancellingTheResult_cancelsTheStageInFlight_firstOrFallbacks() {
    CompletableFuture<String> first = new CompletableFuture<>();
    recoverWith(first, f -> Chains.done("fallback")).cancel(true);
    assertThat(first).isCancelled();

    CompletableFuture<String> refused = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    CompletableFuture<String> result = recoverWith(refused, f -> second);
    refused.completeExceptionally(new IllegalStateException("refused"));
    assertThat(result.cancel(true)).isTrue();
    assertThat(second).isCancelled();
  }

  /* A cancel that lands while the fallback runs reaches the fallback's stage once it is made. */
  @Test
  void aCancelDuringTheFallback_reachesItsStage() {
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> second = new CompletableFuture<>();
    List<CompletableFuture<String>> results = new ArrayList<>();
    results.add(
        recoverWith(
            first,
            f -> {
              results.get(0).cancel(true);
              return second;
            }));
    first.completeExceptionally(new IllegalStateException("refused"));
    assertThat(second).isCancelled();
    assertThat(results.get(0)).isCancelled();
  }

  /*
   * The race that leaked connections: the stage underneath has its value, but its completion has
   * not reached the result yet, so the result's cancel succeeds while the stage's own fails. A
   * caller that cancelled the stage itself would have seen that and closed the value; through the
   * result it cannot, so the value must reach `late`.
   */
  @Test
  void aValueArrivingAfterTheResultWasCancelled_goesToLate() {
    ArrivedStage first = new ArrivedStage();
    CompletableFuture<String> result = recoverWith(first, f -> Chains.done("fallback"));
    assertThat(result.cancel(true)).isTrue();
    first.deliver("response");
    assertThat(late).containsExactly("response");

    ArrivedStage second = new ArrivedStage();
    CompletableFuture<String> refused = new CompletableFuture<>();
    CompletableFuture<String> afterFallback = recoverWith(refused, f -> second);
    refused.completeExceptionally(new IllegalStateException("refused"));
    assertThat(afterFallback.cancel(true)).isTrue();
    second.deliver("resent response");
    assertThat(late).containsExactly("response", "resent response");
    assertThat(recovered).containsExactly("resent response");
  }

  @Test
  void aThrowFromRecovered_failsTheResult_andReleasesTheValue() {
    CompletableFuture<String> first = new CompletableFuture<>();
    CompletableFuture<String> result =
        Chains.recoverWith(
            first,
            f -> Chains.done("fallback"),
            v -> {
              throw new IllegalStateException("recovered threw");
            },
            late::add);
    first.completeExceptionally(new IllegalStateException("refused"));
    assertThatThrownBy(result::join).cause().hasMessage("recovered threw");
    assertThat(late).containsExactly("fallback");
  }

  /* recover is recoverWith with a value for a fallback: the same rules. */
  @Test
  void recover_givesTheFallbacksValue_forAFailureOnly_andPassesACancelOn() {
    CompletableFuture<String> failing = new CompletableFuture<>();
    CompletableFuture<String> fellBack = Chains.recover(failing, f -> "for " + f.getMessage());
    failing.completeExceptionally(new CompletionException(new IllegalStateException("refused")));
    assertThat(fellBack.join()).isEqualTo("for refused");

    CompletableFuture<String> cancelled = new CompletableFuture<>();
    CompletableFuture<String> notRecovered = Chains.recover(cancelled, f -> "fallback");
    cancelled.cancel(true);
    assertThatThrownBy(notRecovered::join).isInstanceOf(CancellationException.class);

    CompletableFuture<String> inFlight = new CompletableFuture<>();
    assertThat(Chains.recover(inFlight, f -> "fallback").cancel(true)).isTrue();
    assertThat(inFlight).isCancelled();

    CompletableFuture<String> throwing = new CompletableFuture<>();
    CompletableFuture<String> failed =
        Chains.recover(
            throwing,
            f -> {
              throw new IllegalArgumentException("fallback threw");
            });
    throwing.completeExceptionally(new IllegalStateException("refused"));
    assertThatThrownBy(failed::join).cause().hasMessage("fallback threw");
  }

  private CompletableFuture<String> recoverWith(
      CompletableFuture<String> first,
      Function<Throwable, CompletionStage<String>> fallback) {
    return Chains.recoverWith(first, fallback, recovered::add, late::add);
  }

  /* A stage whose value has arrived underneath: its cancel fails, its completion comes later. */
  private static final class ArrivedStage extends CompletableFuture<String> {
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      return false;
    }

    void deliver(String value) {
      complete(value);
    }
  }
}
