package io.ambidex.context.micrometer;

import static io.ambidex.testsupport.ForeignCompletion.completedByForeignThread;
import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.Immediate;
import io.ambidex.context.ContextPropagation;
import io.ambidex.control.Async;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.producer.Producer;
import io.ambidex.reactor.ReactorFacades;
import io.ambidex.synchronizer.Synchronizer;
import io.ambidex.taskgroup.TaskGroup;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;
import reactor.core.publisher.Hooks;
import reactor.core.publisher.Mono;
import reactor.util.context.Context;

/**
 * The Micrometer bridge on every path: an SLF4J MDC entry (through Micrometer's {@link
 * Slf4jThreadLocalAccessor}) and a plain thread-local registered in the {@link ContextRegistry}
 * are both seen inside the core after each hop, and a Reactor {@code ContextView} reaches the core
 * through Reactor's automatic context propagation. Each test checks that the code ran on another
 * thread. See docs/context.md.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MicrometerPathsTest {
  static final String USER_KEY = "ambidex.test.user";
  static final ThreadLocal<@Nullable String> USER = new ThreadLocal<>();

  private ContextPropagation.Registration registration;

  /** Where the observed code ran and what it saw. */
  record Seen(String thread, @Nullable String mdc, @Nullable String user) {}

  static Seen seen() {
    return new Seen(Thread.currentThread().getName(), MDC.get("requestId"), USER.get());
  }

  @BeforeAll
  static void registerAccessors() {
    ContextRegistry.getInstance().registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
    ContextRegistry.getInstance()
        .registerThreadLocalAccessor(USER_KEY, USER::get, USER::set, USER::remove);
  }

  @AfterAll
  static void removeAccessors() {
    ContextRegistry.getInstance().removeThreadLocalAccessor(Slf4jThreadLocalAccessor.KEY);
    ContextRegistry.getInstance().removeThreadLocalAccessor(USER_KEY);
  }

  @BeforeEach
  void bind() {
    registration = MicrometerContextPropagator.register();
    MDC.put("requestId", "r-1");
    USER.set("alice");
  }

  @AfterEach
  void unbind() {
    MDC.clear();
    USER.remove();
    registration.close();
  }

  private static void assertHoppedWithContext(Seen s) {
    assertThat(s.thread()).as("ran on another thread").isNotEqualTo(Thread.currentThread().getName());
    assertThat(s).as("the caller's MDC entry and thread-local").isEqualTo(new Seen(s.thread(), "r-1", "alice"));
  }

  /*
   * A continuation registered after a sleep returns runs on the caller if the timer fired first (a
   * loaded machine); such a run proves nothing, so it is tried again with a longer delay.
   */
  private static Seen afterTimer(java.util.function.LongFunction<Seen> attempt) {
    String caller = Thread.currentThread().getName();
    for (long delay = 5; ; delay *= 4) {
      Seen s = attempt.apply(delay);
      if (!s.thread().equals(caller) || delay > 5_000) {
        return s;
      }
    }
  }

  @Test
  void immediatePath_seesTheCallersValues() {
    Seen s = Immediate.get(Async.then(CompletableFuture.completedFuture(1),
        v -> CompletableFuture.completedFuture(seen())), "immediate");
    assertThat(s).isEqualTo(new Seen(Thread.currentThread().getName(), "r-1", "alice"));
  }

  @Test
  void asyncRuntimeTimer_continuationSeesTheCallersValues_andTheTimerKeepsNothing() {
    AsyncRuntime runtime = AsyncRuntime.create();
    try {
      Seen s = afterTimer(ms ->
          runtime.sleep(Duration.ofMillis(ms)).thenApply(v -> seen()).toCompletableFuture().join());
      assertThat(s.thread()).startsWith("ambidex-async-timer-");
      assertHoppedWithContext(s);

      registration.close();
      MDC.clear();
      USER.remove();
      Seen after = afterTimer(ms ->
          runtime.sleep(Duration.ofMillis(ms)).thenApply(v -> seen()).toCompletableFuture().join());
      assertThat(after).isEqualTo(new Seen(s.thread(), null, null));
    } finally {
      runtime.close();
    }
  }

  @Test
  void permits_taskReleasedByAnotherCompletion_seesTheCallersValues() {
    List<Seen> starts = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<@Nullable Void> release = new CompletableFuture<>();
    CompletableFuture<List<Integer>> all =
        Async.parallel(List.of(1, 2, 3), 1, i -> {
          starts.add(seen());
          return completedByForeignThread(release, i);
        }).toCompletableFuture();
    MDC.clear();
    USER.remove();
    release.complete(null); // task 1's continuation is registered: tasks 2 and 3 start off main
    assertThat(all.join()).containsExactly(1, 2, 3);
    assertThat(starts.subList(1, 3)).allSatisfy(s -> {
      assertThat(s.thread()).isEqualTo("foreign-completer");
      assertThat(s).isEqualTo(new Seen("foreign-completer", "r-1", "alice"));
    });
  }

  @Test
  void synchronizer_loopThreadAndTheWayBack_seeTheCallersValues() {
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "caller-pool"));
    try (Synchronizer sync = Synchronizer.create("micrometer")) {
      CompletableFuture<Seen> onLoop = new CompletableFuture<>();
      CompletableFuture<@Nullable Void> release = new CompletableFuture<>();
      CompletableFuture<Seen> back =
          sync.async("seen", pool, () -> {
                onLoop.complete(seen());
                return completedByForeignThread(release, "v");
              })
              .thenApply(v -> seen());
      release.complete(null);
      assertThat(onLoop.join().thread()).startsWith("ambidex-synchronizer-");
      assertHoppedWithContext(onLoop.join());
      assertThat(back.join().thread()).isEqualTo("caller-pool");
      assertHoppedWithContext(back.join());
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void producer_bodyOnItsVirtualThread_seesTheConsumersValues() {
    List<Seen> got = new ArrayList<>();
    try (var it = Producer.<Seen, @Nullable Void>of(ctx -> {
      ctx.started();
      ctx.send(seen());
    }).iterator()) {
      it.forEachRemaining(got::add);
    }
    assertThat(got).singleElement().satisfies(MicrometerPathsTest::assertHoppedWithContext);
  }

  @Test
  void taskGroup_childThread_seesTheStartersValues() throws Exception {
    List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    try (TaskGroup group = TaskGroup.open()) {
      group.startSoon(() -> seen.add(seen()));
    }
    assertThat(seen).singleElement().satisfies(MicrometerPathsTest::assertHoppedWithContext);
  }

  @Test
  void reactorContextView_reachesTheCoreAfterATimerHop() {
    Hooks.enableAutomaticContextPropagation();
    AsyncRuntime runtime = AsyncRuntime.create();
    try {
      MDC.clear();
      USER.remove(); // the value comes from the subscriber's Context only
      Seen s = afterTimer(ms -> {
        Mono<Seen> mono =
            ReactorFacades.mono(() -> runtime.sleep(Duration.ofMillis(ms))
                .thenApply(v -> seen())
                .toCompletableFuture());
        return mono.contextWrite(Context.of(USER_KEY, "from-reactor")).block(Duration.ofSeconds(10));
      });
      assertThat(s).isNotNull();
      assertThat(s.thread()).startsWith("ambidex-async-timer-");
      assertThat(s.user()).isEqualTo("from-reactor");
      assertThat(USER.get()).as("nothing left on the subscribing thread").isNull();
    } finally {
      Hooks.disableAutomaticContextPropagation();
      runtime.close();
    }
  }
}
