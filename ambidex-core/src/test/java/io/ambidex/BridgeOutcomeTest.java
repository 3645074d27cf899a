package io.ambidex;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The outcome matrix of the three bridges: every way a stage can end, read through every bridge,
 * must give the same, documented result on the caller's thread.
 */
@Timeout(30)
class BridgeOutcomeTest {
  private static ExecutorService other;

  @BeforeAll
  static void start() {
    other = Executors.newSingleThreadExecutor(r -> new Thread(r, "other-thread"));
  }

  @AfterAll
  static void stop() throws InterruptedException {
    other.shutdownNow();
    assertThat(other.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /** A bridge under test: given how the outcome is produced, read it on this thread. */
  enum Bridge {
    IMMEDIATE {
      @Override
      <T> T read(Function<Executor, CompletionStage<T>> op) throws IOException {
        return Immediate.get(op.apply(Runnable::run), "op", IOException.class);
      }
    },
    BLOCKING_WAIT {
      @Override
      <T> T read(Function<Executor, CompletionStage<T>> op) throws IOException {
        return BlockingWait.get(op.apply(other), "op", Duration.ofSeconds(10), IOException.class);
      }
    },
    CALLER_DRAINED {
      @Override
      <T> T read(Function<Executor, CompletionStage<T>> op) throws IOException {
        return CallerDrained.get("op", Duration.ofSeconds(10), IOException.class, op::apply);
      }
    };

    abstract <T> T read(Function<Executor, CompletionStage<T>> op) throws IOException;
  }

  /** An operation whose outcome is produced on the given executor. */
  private static <T> Function<Executor, CompletionStage<T>> producing(Outcome<T> outcome) {
    return executor -> {
      CompletableFuture<T> f = new CompletableFuture<>();
      executor.execute(
          () -> {
            try {
              f.complete(outcome.produce());
            } catch (Throwable t) {
              f.completeExceptionally(t);
            }
          });
      return f.thenApply(v -> v); // a dependent stage, as a real core would return
    };
  }

  @FunctionalInterface
  interface Outcome<T> {
    T produce() throws Throwable;
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void success_returnsValue(Bridge bridge) throws IOException {
    assertThat(bridge.read(producing(() -> "value"))).isEqualTo("value");
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void nullValue_returnsNull(Bridge bridge) throws IOException {
    assertThat(bridge.<Object>read(producing(() -> null))).isNull();
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void uncheckedFailure_throwsSameInstanceWithCallerStack(Bridge bridge) {
    IllegalArgumentException failure = new IllegalArgumentException("bad key");
    Throwable thrown = catchThrowable(() -> bridge.read(producing(() -> { throw failure; })));
    assertThat(thrown).isSameAs(failure);
    assertThat(thrown.getSuppressed()).hasSize(1);
    Throwable callerStack = thrown.getSuppressed()[0];
    assertThat(callerStack).isInstanceOf(CallerStackTrace.class).hasMessageContaining("'op'");
    assertThat(Arrays.stream(callerStack.getStackTrace()).map(StackTraceElement::getMethodName))
        .contains("uncheckedFailure_throwsSameInstanceWithCallerStack");
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void declaredCheckedFailure_throwsSameInstance(Bridge bridge) {
    IOException failure = new IOException("disk");
    assertThat(catchThrowable(() -> bridge.read(producing(() -> { throw failure; }))))
        .isSameAs(failure);
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void undeclaredCheckedFailure_isWrappedInUndeclaredThrowable(Bridge bridge) {
    Exception failure = new Exception("checked, undeclared");
    assertThatThrownBy(() -> bridge.read(producing(() -> { throw failure; })))
        .isInstanceOf(UndeclaredThrowableException.class)
        .hasCause(failure)
        .hasMessageContaining("'op'")
        .hasMessageContaining("does not declare");
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void error_isNeverWrapped(Bridge bridge) {
    AssertionError failure = new AssertionError("an Error");
    assertThat(catchThrowable(() -> bridge.read(producing(() -> { throw failure; }))))
        .isSameAs(failure);
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void nestedCompletionExceptions_areUnwrapped(Bridge bridge) {
    IllegalStateException root = new IllegalStateException("root");
    Throwable wrapped = new CompletionException(new CompletionException(root));
    assertThat(catchThrowable(() -> bridge.read(producing(() -> { throw wrapped; }))))
        .isSameAs(root);
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void cancelledStage_throwsCancellationException(Bridge bridge) {
    Function<Executor, CompletionStage<String>> cancelled =
        executor -> {
          CompletableFuture<String> f = new CompletableFuture<>();
          executor.execute(() -> f.cancel(true));
          return f;
        };
    assertThatThrownBy(() -> bridge.read(cancelled)).isInstanceOf(CancellationException.class);
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void minimalStage_isRead(Bridge bridge) throws IOException {
    Function<Executor, CompletionStage<String>> minimal =
        executor -> producing(() -> "minimal").apply(executor).toCompletableFuture()
            .minimalCompletionStage();
    assertThat(bridge.read(minimal)).isEqualTo("minimal");
  }

  @Test
  void immediate_incompleteStage_failsAtOnceAndCancelsIt() {
    CompletableFuture<String> never = new CompletableFuture<>();
    assertThatThrownBy(() -> Immediate.get(never, "blob.put"))
        .isInstanceOf(IncompleteStageException.class)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'blob.put'")
        .hasMessageContaining("async transport");
    assertThat(never).isCancelled();
  }

  @Test
  void immediate_interruptedCaller_stillReturnsAndKeepsFlag() {
    Thread.currentThread().interrupt();
    try {
      assertThat(Immediate.get(CompletableFuture.completedFuture(1), "op")).isEqualTo(1);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void immediate_nullArguments_failWithParameterName() {
    assertThatThrownBy(() -> Immediate.get(null, "op"))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("stage");
    assertThatThrownBy(() -> Immediate.get(CompletableFuture.completedFuture(1), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("operation");
  }

  @Test
  void callerStack_isAttachedOnlyOnce() {
    RuntimeException shared = new RuntimeException("shared failure");
    CompletableFuture<String> failed = CompletableFuture.failedFuture(shared);
    catchThrowable(() -> Immediate.get(failed, "first"));
    catchThrowable(() -> Immediate.get(failed, "second"));
    assertThat(shared.getSuppressed()).hasSize(1);
  }

  @Test
  void blockingWait_interrupted_cancelsStageRestoresFlagAndThrows() {
    CompletableFuture<String> never = new CompletableFuture<>();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> BlockingWait.get(never, "slow.op"))
          .isInstanceOf(CallInterruptedException.class)
          .isInstanceOf(CancellationException.class)
          .hasMessageContaining("'slow.op'");
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
      assertThat(never).isCancelled();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void blockingWait_interruptedWhileParked_cancelsStage() throws Exception {
    CompletableFuture<String> never = new CompletableFuture<>();
    CompletableFuture<Throwable> seen = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicBoolean flagRestored = new java.util.concurrent.atomic.AtomicBoolean();
    Thread waiter =
        new Thread(
            () -> {
              try {
                BlockingWait.get(never, "op");
              } catch (Throwable t) {
                flagRestored.set(Thread.currentThread().isInterrupted());
                seen.complete(t);
              }
            });
    waiter.start();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> waiter.getState() == Thread.State.WAITING);
    waiter.interrupt();
    waiter.join(10_000);
    assertThat(seen.get(10, TimeUnit.SECONDS)).isInstanceOf(CallInterruptedException.class);
    assertThat(flagRestored).isTrue();
    assertThat(never).isCancelled();
  }

  @Test
  void blockingWait_timeout_cancelsStageAndThrows() {
    CompletableFuture<String> never = new CompletableFuture<>();
    assertThatThrownBy(() -> BlockingWait.get(never, "slow.op", Duration.ofMillis(20)))
        .isInstanceOf(OperationTimeoutException.class)
        .hasMessageContaining("'slow.op'")
        .hasMessageContaining("PT0.02S");
    assertThat(never).isCancelled();
  }

  @Test
  void blockingWait_nonPositiveTimeout_isRejected() {
    CompletableFuture<String> f = CompletableFuture.completedFuture("x");
    assertThatThrownBy(() -> BlockingWait.get(f, "op", Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("timeout must be positive");
  }

  @Test
  void callerDrained_timeout_cancelsAndThrows() {
    CompletableFuture<String> never = new CompletableFuture<>();
    assertThatThrownBy(() -> CallerDrained.get("slow.op", Duration.ofMillis(20), e -> never))
        .isInstanceOf(OperationTimeoutException.class)
        .hasMessageContaining("'slow.op'");
    assertThat(never).isCancelled();
  }

  @Test
  void callerDrained_interrupted_cancelsRestoresFlagAndThrows() {
    CompletableFuture<String> never = new CompletableFuture<>();
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(() -> CallerDrained.get("op", e -> never))
          .isInstanceOf(CallInterruptedException.class);
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
      assertThat(never).isCancelled();
    } finally {
      Thread.interrupted();
    }
  }

  @Test
  void callerDrained_exceptionFromCall_propagatesUnchanged() {
    IllegalArgumentException bad = new IllegalArgumentException("key must not be empty");
    assertThatThrownBy(
            () ->
                CallerDrained.get(
                    "op",
                    e -> {
                      throw bad;
                    }))
        .isSameAs(bad);
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void cancellationSubtype_keepsItsTypeAndIdentity(Bridge bridge) {
    CallInterruptedException stored = new CallInterruptedException("inner");
    assertThat(catchThrowable(() -> bridge.read(producing(() -> { throw stored; })))).isSameAs(stored);
  }

  @ParameterizedTest
  @EnumSource(Bridge.class)
  void directlyFailedWithCancellationSubtype_keepsItsTypeAndIdentity(Bridge bridge) {
    CallInterruptedException stored = new CallInterruptedException("inner");
    Function<Executor, CompletionStage<String>> op =
        executor -> {
          CompletableFuture<String> f = new CompletableFuture<>();
          executor.execute(() -> f.completeExceptionally(stored));
          return f;
        };
    assertThat(catchThrowable(() -> bridge.read(op))).isSameAs(stored);
  }
}
