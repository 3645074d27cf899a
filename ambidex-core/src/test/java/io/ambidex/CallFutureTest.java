package io.ambidex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class CallFutureTest {

  private static CallFuture<String> pending() {
    return new CallFuture<>("op");
  }

  @Test
  void completionMethods_areRefusedWithAdvice() {
    CallFuture<String> f = pending();
    assertThatThrownBy(() -> f.complete("forged"))
        .isInstanceOf(UnsupportedOperationException.class)
        .hasMessageContaining("cancel the future");
    assertThatThrownBy(() -> f.completeExceptionally(new RuntimeException()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> f.completeAsync(() -> "x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> f.obtrudeValue("x")).isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> f.obtrudeException(new RuntimeException()))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(f).isNotDone();
  }

  @Test
  void cancel_propagatesToTheStageItDependsOn() {
    CallFuture<String> f = pending();
    CompletableFuture<String> upstream = new CompletableFuture<>();
    f.dependOn(upstream);
    assertThat(f.cancel(true)).isTrue();
    assertThat(upstream).isCancelled();
  }

  @Test
  void dependOn_afterCancel_cancelsTheNewStageAtOnce() {
    CallFuture<String> f = pending();
    f.cancel(false);
    CompletableFuture<String> late = new CompletableFuture<>();
    f.dependOn(late);
    assertThat(late).isCancelled();
  }

  @Test
  void cancel_afterCompletion_doesNothing() {
    CallFuture<String> f = pending();
    CompletableFuture<String> upstream = new CompletableFuture<>();
    f.dependOn(upstream);
    f.succeed("done");
    assertThat(f.cancel(true)).isFalse();
    assertThat(upstream).isNotCancelled();
  }

  @Test
  void orTimeout_failsWithTimeoutException() {
    CallFuture<String> f = pending();
    f.orTimeout(10, TimeUnit.MILLISECONDS);
    assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void completeOnTimeout_completesWithTheValue() throws Exception {
    CallFuture<String> f = pending();
    f.completeOnTimeout("fallback", 10, TimeUnit.MILLISECONDS);
    assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo("fallback");
  }

  @Test
  void derivedStages_arePlainCompletableFutures() {
    CallFuture<String> f = pending();
    CompletableFuture<Integer> derived = f.thenApply(String::length);
    assertThat(derived.getClass()).isEqualTo(CompletableFuture.class);
    f.succeed("four");
    assertThat(derived).isCompletedWithValue(4);
  }

  @Test
  void toString_namesOperationAndState() {
    CallFuture<String> f = pending();
    assertThat(f.toString()).startsWith("CallFuture[op][").contains("Not completed");
    f.succeed("x");
    assertThat(f.toString()).contains("Completed normally");
    assertThat(f.operation()).isEqualTo("op");
  }

  @Test
  void of_followsTheStageAndCancelsIt() {
    CompletableFuture<String> stage = new CompletableFuture<>();
    CallFuture<String> f = CallFuture.of("blob.get", stage);
    assertThat(f).isNotDone();
    stage.complete("v");
    assertThat(f).isCompletedWithValue("v");

    CompletableFuture<String> other = new CompletableFuture<>();
    CallFuture<String> g = CallFuture.of("blob.get", other);
    g.cancel(true);
    assertThat(other).isCancelled();
  }

  @Test
  void of_unwrapsFailures() {
    IllegalStateException root = new IllegalStateException("root");
    CallFuture<String> f =
        CallFuture.of("op", CompletableFuture.<String>completedFuture("x").thenApply(v -> { throw root; }));
    assertThatThrownBy(f::join).isInstanceOf(java.util.concurrent.CompletionException.class).hasCause(root);
    assertThat(f.exceptionNow()).isSameAs(root);
  }

  @Test
  void of_valueArrivingAfterCancel_isHandedToTheDiscardHook() {
    java.util.List<String> discarded = new java.util.ArrayList<>();
    // A stage that completes normally despite the cancellation: the race the hook exists for.
    CompletableFuture<String> late = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        return false; // ignores cancellation, completes later
      }
    };
    CallFuture<String> h = CallFuture.of("op", late, discarded::add);
    h.cancel(true);
    late.complete("late response");
    assertThat(discarded).containsExactly("late response");
  }
}
