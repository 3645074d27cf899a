package io.ambidex.facade;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The failure a flavour's subscriber sees is the one the blocking facade throws: the same
 * unwrapping, the JDK's own wrappers removed.
 */
class FlavourCallsTest {

  @Test
  void unwrap_removesCompletionAndExecutionExceptions() {
    IOException cause = new IOException("disk");
    assertThat(FlavourCalls.unwrap(new CompletionException(new ExecutionException(cause))))
        .isSameAs(cause);
  }

  /*
   * Found by the exploration of the flavour adapters: since JDK 23, join() and get() of a
   * cancelled future throw a new CancellationException("join"/"get") whose cause is the stored
   * one. A core that joins a cancelled stage fails with that wrapper; the blocking facade showed
   * the core's own exception (Failures.unwrap), the flavours the wrapper.
   */
  @Test
  void unwrap_removesTheCancellationExceptionThatJoinWrapsAroundTheStoredOne() {
    CancellationException closed = new CancellationException("the client was closed");
    CompletableFuture<String> cancelled = new CompletableFuture<>();
    cancelled.completeExceptionally(closed);
    Throwable joined;
    try {
      cancelled.join();
      throw new AssertionError("join() returned");
    } catch (CancellationException e) {
      joined = e; // JDK 21: closed itself; JDK 23 and later: CancellationException("join")
    }

    assertThat(FlavourCalls.unwrap(new CompletionException(joined))).isSameAs(closed);
  }

  @Test
  void unwrap_keepsACancellationExceptionThatIsTheCauseOfSomethingElse() {
    CancellationException inner = new CancellationException("inner");
    IllegalStateException outer = new IllegalStateException("outer", inner);
    assertThat(FlavourCalls.unwrap(new CompletionException(outer))).isSameAs(outer);
  }

  @Test
  void unwrappingFailures_relaysItemsAndTheSubscription_andUnwrapsTheFailure() throws Exception {
    IOException cause = new IOException("refused");
    java.util.concurrent.SubmissionPublisher<String> source =
        new java.util.concurrent.SubmissionPublisher<>(Runnable::run, 4);
    java.util.List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    java.util.concurrent.CompletableFuture<Throwable> failed = new CompletableFuture<>();
    java.util.concurrent.atomic.AtomicReference<java.util.concurrent.Flow.Subscription> handed =
        new java.util.concurrent.atomic.AtomicReference<>();
    FlavourCalls.unwrappingFailures(source)
        .subscribe(
            new java.util.concurrent.Flow.Subscriber<String>() {
              @Override
              public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                handed.set(s);
                s.request(10);
              }

              @Override
              public void onNext(String item) {
                seen.add(item);
              }

              @Override
              public void onError(Throwable failure) {
                failed.complete(failure);
              }

              @Override
              public void onComplete() {
                failed.complete(null);
              }
            });
    source.submit("a");
    source.closeExceptionally(new CompletionException(cause));

    assertThat(failed.get(10, java.util.concurrent.TimeUnit.SECONDS)).isSameAs(cause);
    assertThat(seen).containsExactly("a");
    assertThat(handed.get().getClass().getName()).contains("SubmissionPublisher");
  }

}
