package io.ambidex.context;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.CallFuture;
import io.ambidex.control.Async;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.SyncRuntime;
import io.ambidex.producer.AsyncProducerIterator;
import io.ambidex.producer.Producer;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.testing.ThreadLocalPropagator;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The registry's contract and its misuse errors. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@SuppressWarnings("try") // registrations are closed, never read
class ContextPropagationTest {

  @Test
  void register_sameInstanceTwice_namesTheRule() {
    ThreadLocalPropagator p = new ThreadLocalPropagator();
    try (ContextPropagation.Registration r = ContextPropagation.register(p)) {
      assertThatThrownBy(() -> ContextPropagation.register(p))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a propagator is registered once");
      assertThat(ContextPropagation.registered()).containsExactly(p);
    }
    assertThat(ContextPropagation.registered()).isEmpty();
  }

  @Test
  void registrationClose_isIdempotent_andLaterCapturesRestoreNothing() {
    ThreadLocalPropagator p = new ThreadLocalPropagator();
    ContextPropagation.Registration r = ContextPropagation.register(p);
    r.close();
    r.close();
    p.local.set("v");
    try {
      ContextPropagation.capture().restore().close();
      assertThat(p.restores).hasValue(0);
    } finally {
      p.local.remove();
    }
  }

  /*
   * A handle closed twice used to remove the propagator again by identity, so a stale handle
   * (closed once already, say in a finally block and again by a shutdown hook) unregistered the
   * registration someone made after it.
   */
  @Test
  void registrationClosedAgain_afterTheSamePropagatorIsRegisteredAnew_leavesTheNewRegistration() {
    ThreadLocalPropagator p = new ThreadLocalPropagator();
    ContextPropagation.Registration first = ContextPropagation.register(p);
    first.close();
    try (ContextPropagation.Registration second = ContextPropagation.register(p)) {
      first.close();
      assertThat(ContextPropagation.registered()).containsExactly(p);
    }
    assertThat(ContextPropagation.registered()).isEmpty();
  }

  @Test
  void registerShared_countsItsHandles_andRefusesAPlainRegistrationOfTheSameInstance() {
    ThreadLocalPropagator p = new ThreadLocalPropagator();
    ContextPropagation.Registration first = ContextPropagation.registerShared(p);
    ContextPropagation.Registration second = ContextPropagation.registerShared(p);
    try {
      assertThat(ContextPropagation.registered()).containsExactly(p);
      assertThatThrownBy(() -> ContextPropagation.register(p))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("a propagator is registered once");
      first.close();
      first.close();
      assertThat(ContextPropagation.registered())
          .as("the second handle holds it; a handle closed twice counts once")
          .containsExactly(p);
    } finally {
      second.close();
    }
    assertThat(ContextPropagation.registered()).isEmpty();
  }

  @Test
  void scope_closedOnAnotherThread_namesBothThreads() throws Exception {
    ThreadLocalPropagator p = new ThreadLocalPropagator();
    try (ContextPropagation.Registration r = ContextPropagation.register(p)) {
      ContextPropagator.Scope scope = ContextPropagation.capture().restore();
      CompletableFuture<Throwable> thrown = new CompletableFuture<>();
      Thread t = Thread.ofPlatform().name("other").start(() -> {
        try {
          scope.close();
          thrown.complete(null);
        } catch (Throwable e) {
          thrown.complete(e);
        }
      });
      t.join(10_000);
      assertThat(thrown.join())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed on thread 'other'")
          .hasMessageContaining("a scope is closed on the thread that restored it");
      scope.close();
    }
  }

  @Test
  void wrap_runsTheTaskInsideTheContextCapturedAtWrap_andPutsBackTheThreadsOwn() {
    ThreadLocalPropagator p = new ThreadLocalPropagator();
    try (ContextPropagation.Registration r = ContextPropagation.register(p)) {
      p.local.set("at wrap");
      StringBuilder seen = new StringBuilder();
      Runnable task = ContextPropagation.wrap(() -> seen.append(p.local.get()));
      p.local.set("at run");
      task.run();
      assertThat(seen).hasToString("at wrap");
      assertThat(p.local.get()).isEqualTo("at run");
    } finally {
      p.local.remove();
    }
  }

  @Test
  void restoreThatThrows_isLogged_andTheHopGoesOn() {
    ThreadLocalPropagator good = new ThreadLocalPropagator();
    ContextPropagator broken =
        () -> () -> {
          throw new IllegalStateException("broken propagator");
        };
    AsyncRuntime runtime = AsyncRuntime.create();
    try (ContextPropagation.Registration r1 = ContextPropagation.register(broken);
        ContextPropagation.Registration r2 = ContextPropagation.register(good)) {
      good.local.set("v");
      String seen =
          runtime
              .sleep(Duration.ofMillis(1))
              .thenApply(x -> good.local.get())
              .toCompletableFuture()
              .join();
      assertThat(seen).isEqualTo("v");
    } finally {
      good.local.remove();
      runtime.close();
    }
  }

  /*
   * An Error from a propagator used to end inside the CompletableFuture callback that resumed the
   * driver, so the operation never completed: a missing tracing library's NoClassDefFoundError
   * would hang every async call.
   */
  @Test
  void restoreThatThrowsAnError_isLogged_andTheDriverGoesOn() throws Exception {
    ContextPropagator broken =
        () -> () -> {
          throw new NoClassDefFoundError("io/example/tracing/Span");
        };
    try (ContextPropagation.Registration r = ContextPropagation.register(broken)) {
      CompletableFuture<String> first = new CompletableFuture<>();
      CallFuture<String> chained =
          Async.then(first, v -> CompletableFuture.completedFuture(v + " then"));
      // Completed from another thread: the driver resumes there, inside the captured context.
      Thread other = new Thread(() -> first.complete("first"));
      other.start();
      other.join();
      assertThat(chained.get(10, TimeUnit.SECONDS)).isEqualTo("first then");
    }
  }

  @Test
  void restoreThatRunsOutOfMemory_goesOnUp() {
    ContextPropagator exhausted =
        () -> () -> {
          throw new OutOfMemoryError("simulated");
        };
    try (ContextPropagation.Registration r = ContextPropagation.register(exhausted)) {
      ContextPropagator.Snapshot snapshot = ContextPropagation.capture();
      assertThatThrownBy(snapshot::restore)
          .isInstanceOf(OutOfMemoryError.class)
          .hasMessage("simulated");
    }
  }

  /*
   * A capture() that throws reaches the caller, as documented; but withTimeout and a combinator
   * capture after they started the operation (the immediate path captures nothing), and the
   * started operation was left running: the caller got the exception instead of a future, so
   * nobody could ever cancel it.
   */
  @Test
  void captureThatThrows_afterTheOperationStarted_cancelsIt_andReachesTheCaller() {
    ContextPropagator broken =
        () -> {
          throw new IllegalStateException("broken capture");
        };
    AsyncRuntime async = AsyncRuntime.create();
    SyncRuntime sync = SyncRuntime.create();
    try (ContextPropagation.Registration r = ContextPropagation.register(broken)) {
      CompletableFuture<String> timed = new CompletableFuture<>();
      assertThatThrownBy(() -> async.withTimeout(Duration.ofMinutes(1), "op", () -> timed))
          .hasMessage("broken capture");
      assertThat(timed).as("AsyncRuntime.withTimeout's operation").isCancelled();

      CompletableFuture<String> syncTimed = new CompletableFuture<>();
      assertThatThrownBy(() -> sync.withTimeout(Duration.ofMinutes(1), "op", () -> syncTimed))
          .hasMessage("broken capture");
      assertThat(syncTimed).as("SyncRuntime.withTimeout's operation").isCancelled();

      CompletableFuture<String> attempt = new CompletableFuture<>();
      assertThatThrownBy(() -> Async.retry((n, f) -> null, async, () -> attempt))
          .hasMessage("broken capture");
      assertThat(attempt).as("the combinator's awaited attempt").isCancelled();

      CompletableFuture<Boolean> answer = new CompletableFuture<>();
      AsyncIterator<String> resumed =
          AsyncIterators.resumeOn(
              new AsyncIterator<String>() {
                @Override
                public CompletionStage<Boolean> hasNext() {
                  return answer;
                }

                @Override
                public String next() {
                  throw new AssertionError("not reached");
                }

                @Override
                public CompletionStage<@Nullable Void> close() {
                  return CompletableFuture.completedFuture(null);
                }
              },
              Runnable::run);
      assertThatThrownBy(resumed::hasNext).hasMessage("broken capture");
      assertThat(answer).as("resumeOn's source's hasNext()").isCancelled();
    } finally {
      async.close();
      sync.close();
    }
  }

  /*
   * An AsyncProducerIterator's close() captured for its cleanup-grace timer after it had marked
   * itself closing and cancelled the body: a capture that threw reached the caller, but the
   * timer was never armed, so a later close() returned the same stage, which waited for a body
   * that ignores its cancellation for as long as that body ran.
   */
  @Test
  void captureThatThrowsInAProducersClose_changesNothing_soAnotherCloseKeepsTheGrace()
      throws Exception {
    AtomicBoolean broken = new AtomicBoolean();
    ContextPropagator brokenOnClose =
        () -> {
          if (broken.get()) {
            throw new IllegalStateException("broken capture");
          }
          return () -> () -> {};
        };
    CountDownLatch inBody = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    Producer<String, @Nullable Void> producer =
        Producer.builder()
            .cleanupGrace(Duration.ofMillis(10))
            .build(
                ctx -> {
                  ctx.started();
                  inBody.countDown();
                  while (true) { // deaf to its cancellation until released
                    try {
                      release.await();
                      return;
                    } catch (InterruptedException ignored) {
                      // stays
                    }
                  }
                });
    try (ContextPropagation.Registration r = ContextPropagation.register(brokenOnClose)) {
      AsyncProducerIterator<String, @Nullable Void> it = producer.asyncIterator();
      it.hasNext();
      inBody.await();
      broken.set(true);
      assertThatThrownBy(it::close).hasMessage("broken capture");
      broken.set(false);
      // The grace (10 ms) bounds this close, although the body never ends while it waits.
      it.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      release.countDown();
    }
  }
}
