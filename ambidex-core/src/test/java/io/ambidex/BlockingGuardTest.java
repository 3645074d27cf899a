package io.ambidex;

import io.ambidex.control.SyncRuntime;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.testing.OnThread;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.vertx.core.impl.VertxThread;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.scheduler.ReactorLikeThread;

/** Each thread kind the guard knows is simulated by a stand-in class of the same name. */
@Timeout(30)
class BlockingGuardTest {
  private final BlockingGuard.Mode initial = BlockingGuard.mode();

  @AfterEach
  void restoreMode() {
    BlockingGuard.setMode(initial);
  }

  private static Throwable outcomeOfCheck(Function<Runnable, Thread> factory) throws Exception {
    CompletableFuture<String> outcome =
        OnThread.run(
            factory,
            () -> {
              BlockingGuard.check("blob.get");
              return "allowed";
            });
    return outcome.handle((v, e) -> e == null ? null : e.getCause() != null ? e.getCause() : e)
        .get(10, TimeUnit.SECONDS);
  }

  /*
   * The mode property is read when the class initialises, so each value is tried on a fresh copy
   * of the class, loaded by a class loader of its own from the same classes.
   */
  private static String modeOfAFreshGuardWith(String value) throws Exception {
    java.net.URL classes = BlockingGuard.class.getProtectionDomain().getCodeSource().getLocation();
    String previous = System.getProperty(BlockingGuard.MODE_PROPERTY);
    System.setProperty(BlockingGuard.MODE_PROPERTY, value);
    try (java.net.URLClassLoader loader =
        new java.net.URLClassLoader(
            new java.net.URL[] {classes}, ClassLoader.getPlatformClassLoader())) {
      Class<?> guard = Class.forName(BlockingGuard.class.getName(), true, loader);
      assertThat(guard).isNotSameAs(BlockingGuard.class);
      return ((Enum<?>) guard.getMethod("mode").invoke(null)).name();
    } finally {
      if (previous == null) {
        System.clearProperty(BlockingGuard.MODE_PROPERTY);
      } else {
        System.setProperty(BlockingGuard.MODE_PROPERTY, previous);
      }
    }
  }

  @Test
  void modeProperty_validValues_setTheInitialMode() throws Exception {
    assertThat(modeOfAFreshGuardWith("warn")).isEqualTo("WARN");
    assertThat(modeOfAFreshGuardWith(" Off ")).isEqualTo("OFF");
    assertThat(modeOfAFreshGuardWith("fail")).isEqualTo("FAIL");
  }

  @Test
  void modeProperty_badOrEmptyValue_fallsBackToFail_withoutBreakingTheClass() throws Exception {
    assertThat(modeOfAFreshGuardWith("bogus")).isEqualTo("FAIL");
    assertThat(modeOfAFreshGuardWith("")).isEqualTo("FAIL");
    assertThat(BlockingGuard.parseMode("bogus")).isNull();
    assertThat(BlockingGuard.invalidModeMessage("bogus"))
        .contains(BlockingGuard.MODE_PROPERTY, "'bogus'", "fail, warn or off");
  }

  @Test
  void asyncRuntimeTimerThread_blockingOnItsOwnRuntime_isRefusedInsteadOfDeadlocking()
      throws Exception {
    io.ambidex.control.AsyncRuntime runtime = io.ambidex.control.AsyncRuntime.create();
    try {
      Throwable outcome = null;
      // The continuation runs on the timer thread unless the sleep completed before it was
      // attached (then it runs here, where blocking is fine): try until it ran there.
      for (int attempt = 0; attempt < 50 && outcome == null; attempt++) {
        outcome =
            runtime.sleep(Duration.ofMillis(20))
                .thenApply(v -> {
                  if (!Thread.currentThread().getName().startsWith("ambidex-async-timer-")) {
                    return (Throwable) null;
                  }
                  try {
                    BlockingWait.get(runtime.sleep(Duration.ofMillis(1)), "inner");
                    return new AssertionError("blocked on the timer thread, and was woken");
                  } catch (RuntimeException e) {
                    return (Throwable) e;
                  }
                })
                .toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
      }
      assertThat(outcome)
          .isInstanceOf(BlockingNotAllowedException.class)
          .hasMessageContaining("ambidex-async-timer-")
          .hasMessageContaining("timer thread of an AsyncRuntime")
          .hasMessageContaining("deadlock waiting for itself");
      // The timer is not stalled: later sleeps still fire.
      runtime.sleep(Duration.ofMillis(1)).toCompletableFuture().get(10, TimeUnit.SECONDS);
    } finally {
      runtime.close();
    }
  }

  @Test
  void nettyEventLoop_isRefusedWithThreadNameAndAdvice() throws Exception {
    Throwable t =
        outcomeOfCheck(r -> new FastThreadLocalThread(r, "nioEventLoopGroup-2-1", false));
    assertThat(t)
        .isInstanceOf(BlockingNotAllowedException.class)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("'blob.get'")
        .hasMessageContaining("'nioEventLoopGroup-2-1'")
        .hasMessageContaining("a Netty event-loop thread")
        .hasMessageContaining("Use the async API");
  }

  @Test
  void nettyThreadThatPermitsBlocking_isAllowed() throws Exception {
    assertThat(outcomeOfCheck(r -> new FastThreadLocalThread(r, "pool-worker", true))).isNull();
  }

  @Test
  void vertxEventLoop_isRefused() throws Exception {
    assertThat(outcomeOfCheck(r -> new VertxThread(r, "vert.x-eventloop-thread-0", false)))
        .isInstanceOf(BlockingNotAllowedException.class)
        .hasMessageContaining("a Vert.x event-loop thread");
  }

  @Test
  void vertxWorker_isAllowed() throws Exception {
    assertThat(outcomeOfCheck(r -> new VertxThread(r, "vert.x-worker-thread-0", true))).isNull();
  }

  @Test
  void reactorNonBlockingThread_isRefused() throws Exception {
    assertThat(outcomeOfCheck(r -> new ReactorLikeThread(r, "parallel-1")))
        .isInstanceOf(BlockingNotAllowedException.class)
        .hasMessageContaining("a Reactor non-blocking scheduler thread");
  }

  @Test
  void plainPlatformThread_isAllowed() throws Exception {
    assertThat(outcomeOfCheck(r -> new Thread(r, "worker"))).isNull();
  }

  @Test
  void virtualThread_isNeverFlagged_evenByARegisteredPredicate() throws Exception {
    BlockingGuard.Registration reg = BlockingGuard.register("anything", t -> true);
    try {
      assertThat(outcomeOfCheck(r -> Thread.ofVirtual().unstarted(r))).isNull();
    } finally {
      reg.close();
    }
  }

  @Test
  void registeredPredicate_flagsItsThreads_untilClosed() throws Exception {
    Function<Runnable, Thread> akka = r -> new Thread(r, "akka-dispatcher-7");
    BlockingGuard.Registration reg =
        BlockingGuard.register(
            "an Akka dispatcher thread", t -> t.getName().startsWith("akka-dispatcher"));
    try {
      assertThat(outcomeOfCheck(akka))
          .isInstanceOf(BlockingNotAllowedException.class)
          .hasMessageContaining("an Akka dispatcher thread");
    } finally {
      reg.close();
    }
    assertThat(outcomeOfCheck(akka)).isNull();
  }

  @Test
  void warnMode_letsTheCallThrough() throws Exception {
    BlockingGuard.setMode(BlockingGuard.Mode.WARN);
    assertThat(outcomeOfCheck(r -> new FastThreadLocalThread(r, "nioEventLoopGroup-1-1", false)))
        .isNull();
  }

  @Test
  void offMode_skipsDetection() throws Exception {
    BlockingGuard.setMode(BlockingGuard.Mode.OFF);
    assertThat(outcomeOfCheck(r -> new ReactorLikeThread(r, "parallel-2"))).isNull();
  }

  @Test
  void blockingWaitOnEventLoop_incompleteStage_isRefusedAndCancelled() throws Exception {
    CompletableFuture<String> pending = new CompletableFuture<>();
    CompletableFuture<String> outcome =
        OnThread.run(
            r -> new FastThreadLocalThread(r, "epollEventLoopGroup-3-1", false),
            () -> BlockingWait.get(pending, "blob.get", Duration.ofSeconds(5)));
    assertThat(outcome).isCompletedExceptionally();
    assertThatThrownBy(outcome::join).hasCauseInstanceOf(BlockingNotAllowedException.class);
    assertThat(pending).isCancelled();
  }

  @Test
  void blockingWaitOnEventLoop_completedStage_isReturnedSinceNothingBlocks() throws Exception {
    CompletableFuture<String> outcome =
        OnThread.run(
            r -> new FastThreadLocalThread(r, "nioEventLoopGroup-4-1", false),
            () -> BlockingWait.get(CompletableFuture.completedFuture("ready"), "op"));
    assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo("ready");
  }

  @Test
  void syncRuntimeSleepOnEventLoop_isRefused() throws Exception {
    CompletableFuture<Object> outcome =
        OnThread.run(
            r -> new ReactorLikeThread(r, "parallel-3"),
            () -> SyncRuntime.create().sleep(Duration.ofMillis(1)));
    assertThatThrownBy(outcome::join).hasCauseInstanceOf(BlockingNotAllowedException.class);
  }

  @Test
  void setMode_null_isRejected() {
    assertThatThrownBy(() -> BlockingGuard.setMode(null)).hasMessage("newMode");
  }
}
