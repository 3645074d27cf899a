package io.ambidex.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.testkit.engine.EventConditions.displayName;
import static org.junit.platform.testkit.engine.EventConditions.event;
import static org.junit.platform.testkit.engine.EventConditions.finishedSuccessfully;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.EventConditions.test;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import io.ambidex.test.Counters.AsyncCounter;
import io.ambidex.test.Counters.Counter;
import io.ambidex.test.Counters.Store;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/**
 * Runs small test classes through the JUnit engine and checks what the extension did: how many
 * runs, their names, what passed and failed, what was closed.
 */
class ParityExtensionTest {
  static final ExecutorService POOL = Executors.newFixedThreadPool(2);
  static final List<Store> STORES = new CopyOnWriteArrayList<>();
  static final List<Object> FACADES = new CopyOnWriteArrayList<>();

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  private static Events run(Class<?> testClass) {
    STORES.clear();
    FACADES.clear();
    return EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(testClass))
        .execute()
        .testEvents();
  }

  static Store store(java.util.concurrent.Executor executor) {
    Store store = new Store(executor);
    STORES.add(store);
    return store;
  }

  static <T> T track(T facade) {
    FACADES.add(facade);
    return facade;
  }

  /** The kit's documented use: one body, three runs. */
  static class Cases {
    @RegisterExtension
    static final ParityExtension<Counter, AsyncCounter> COUNTERS =
        ParityExtension.<Counter, AsyncCounter>builder()
            .blocking("sync store", () -> store(Runnable::run), s -> track(new Counter(s)))
            .async("async store", () -> store(POOL), s -> track(new AsyncCounter(s)))
            .async("sync store", () -> store(Runnable::run), s -> track(new AsyncCounter(s)))
            .build();

    @ParityTest
    void add_returnsTheSum(Parity<Counter, AsyncCounter> parity, Store store) throws Exception {
      store.value.set(40);
      assertThat(parity.call(c -> c.add(2)).async(a -> a.add(2))).isEqualTo(42);
      int sum = parity.call(c -> c.add(1), a -> a.add(1));
      assertThat(sum).isEqualTo(43);
      assertThat(store.value).hasValue(43);
    }

    @ParityTest
    void add_unlucky_failsWithTheSameCheckedException(Parity<Counter, AsyncCounter> parity) {
      assertThatThrownBy(() -> parity.call(c -> c.add(13), a -> a.add(13)))
          .isExactlyInstanceOf(IOException.class)
          .hasMessage("unlucky");
    }

    @ParityTest
    void add_negative_isRejectedAtTheCall(Parity<Counter, AsyncCounter> parity) {
      assertThatThrownBy(() -> parity.call(c -> c.add(-1), a -> a.add(-1)))
          .isExactlyInstanceOf(IllegalArgumentException.class);
    }

    @ParityTest
    void reset_setsZero(Parity<Counter, AsyncCounter> parity, Store store) throws Exception {
      store.value.set(5);
      parity.run(Counter::reset, AsyncCounter::reset);
      assertThat(store.value).hasValue(0);
      store.value.set(5);
      parity.run(c -> c.reset()).async(a -> a.reset());
      assertThat(store.value).hasValue(0);
    }

    @ParityTest
    void upTo_listsEveryItem(Parity<Counter, AsyncCounter> parity) throws Exception {
      List<Integer> items = parity.items(c -> c.upTo(3), a -> a.upTo(3));
      assertThat(items).containsExactly(1, 2, 3);
      assertThat(parity.items(c -> c.upTo(2)).async(a -> a.upTo(2))).containsExactly(1, 2);
    }

    @ParityTest
    void sideSpecificAccess_works(Parity<Counter, AsyncCounter> parity) {
      if (parity.isBlocking()) {
        assertThat(parity.blocking().name()).isEqualTo("counter");
        assertThatThrownBy(parity::async).isInstanceOf(IllegalStateException.class);
      } else {
        assertThat(parity.async().name()).isEqualTo("counter");
        assertThatThrownBy(parity::blocking).isInstanceOf(IllegalStateException.class);
      }
    }

    @ParityTest
    void failsOnlyOnAsync(Parity<Counter, AsyncCounter> parity) {
      assertThat(parity.side()).isEqualTo(Parity.Side.BLOCKING);
    }
  }

  @Test
  void parityTest_runsOncePerRegistrationWithReadableNames() {
    Events events = run(Cases.class);

    events.assertThatEvents()
        .haveExactly(
            7, event(test(), displayName("[blocking] sync store"), finishedSuccessfully()))
        .haveExactly(6, event(test(), displayName("[async] async store"), finishedSuccessfully()))
        .haveExactly(6, event(test(), displayName("[async] sync store"), finishedSuccessfully()))
        .haveExactly(
            2,
            event(
                test("failsOnlyOnAsync"),
                finishedWithFailure(instanceOf(AssertionError.class))));
    assertThat(events.started().count()).isEqualTo(21);
  }

  @Test
  void parityTest_createsAFreshFixtureAndFacadePerRunAndClosesBoth() {
    run(Cases.class);

    assertThat(STORES).hasSize(21).allMatch(store -> store.closed.get());
    assertThat(FACADES)
        .hasSize(21)
        .allMatch(
            facade ->
                facade instanceof Counter c ? c.closed : ((AsyncCounter) facade).closed);
  }

  /** The same kind of body through each flavour: the async lambdas run through its adapter. */
  static class Flavoured {
    @RegisterExtension
    static final ParityExtension<Counter, AsyncCounter> COUNTERS =
        ParityExtension.<Counter, AsyncCounter>builder()
            .flavour("async store", FlavourLenses.reactor(), () -> store(POOL), AsyncCounter::new)
            .flavour("async store", FlavourLenses.rxjava3(), () -> store(POOL), AsyncCounter::new)
            .flavour("async store", FlavourLenses.mutiny(), () -> store(POOL), AsyncCounter::new)
            .build();

    @ParityTest
    void add_reset_upTo(Parity<Counter, AsyncCounter> parity, Store store) throws Exception {
      store.value.set(40);
      assertThat(parity.call(c -> c.add(2)).async(a -> a.add(2))).isEqualTo(42);
      parity.run(c -> c.reset()).async(a -> a.reset());
      assertThat(store.value).hasValue(0);
      assertThat(parity.items(c -> c.upTo(3)).async(a -> a.upTo(3))).containsExactly(1, 2, 3);
      assertThat(parity.flavour()).isNotNull();
    }
  }

  @Test
  void flavour_runsTheBodyThroughEachFlavourUnderItsName() {
    run(Flavoured.class)
        .assertThatEvents()
        .haveExactly(1, event(test(), displayName("[reactor] async store"), finishedSuccessfully()))
        .haveExactly(1, event(test(), displayName("[rxjava3] async store"), finishedSuccessfully()))
        .haveExactly(1, event(test(), displayName("[mutiny] async store"), finishedSuccessfully()));
  }

  @Test
  void flavour_sameFlavourAndNameTwice_isRejected() {
    assertThatThrownBy(
            () ->
                ParityExtension.<Counter, AsyncCounter>builder()
                    .flavour("s", FlavourLenses.mutiny(), () -> store(POOL), AsyncCounter::new)
                    .flavour("s", FlavourLenses.mutiny(), () -> store(POOL), AsyncCounter::new))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("A mutiny facade named 's' is already registered.");
  }

  static class NotCompleting {
    @RegisterExtension
    static final ParityExtension<Counter, AsyncCounter> COUNTERS =
        ParityExtension.<Counter, AsyncCounter>builder()
            .async("stuck", () -> new AsyncCounter(new Store(Runnable::run)))
            .timeout(Duration.ofMillis(50))
            .build();

    @ParityTest
    void stuck(Parity<Counter, AsyncCounter> parity) throws Exception {
      parity.call(c -> 1, a -> new CompletableFuture<Integer>());
    }
  }

  @Test
  void call_asyncStageNeverCompletes_failsAfterTheTimeoutInsteadOfHanging() {
    run(NotCompleting.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test("stuck"),
                finishedWithFailure(
                    instanceOf(AssertionError.class),
                    message(m -> m.contains("[async] stuck") && m.contains("PT0.05S")))));
  }

  static class Empty {
    @RegisterExtension
    static final ParityExtension<Counter, AsyncCounter> COUNTERS =
        ParityExtension.<Counter, AsyncCounter>builder().build();

    @ParityTest
    void nothing(Parity<Counter, AsyncCounter> parity) {}
  }

  @Test
  void parityTest_noRegistrations_failsWithAClearMessage() {
    EngineTestKit.engine("junit-jupiter")
        .selectors(selectClass(Empty.class))
        .execute()
        .containerEvents()
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                finishedWithFailure(
                    instanceOf(IllegalStateException.class),
                    message(m -> m.contains("has no registrations")))));
  }

  @Test
  void builder_sameNameTwiceOnOneSide_isRejected() {
    assertThatThrownBy(
            () ->
                ParityExtension.<Counter, AsyncCounter>builder()
                    .blocking("sync", () -> new Counter(new Store(Runnable::run)))
                    .blocking("sync", () -> new Counter(new Store(Runnable::run))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'sync'");
  }

  /** An async facade whose close fails, or never completes, as the test's registration says. */
  record BadlyClosing(CompletableFuture<Void> closing) implements io.ambidex.AsyncCloseable {
    @Override
    public java.util.concurrent.CompletionStage<Void> close() {
      return closing;
    }
  }

  static class ClosesBadly {
    @RegisterExtension
    static final ParityExtension<Object, BadlyClosing> FACADES =
        ParityExtension.<Object, BadlyClosing>builder()
            .async(
                "failing close",
                () ->
                    new BadlyClosing(CompletableFuture.failedFuture(new IOException("disk gone"))))
            .async("stuck close", () -> new BadlyClosing(new CompletableFuture<>()))
            .timeout(Duration.ofMillis(50))
            .build();

    @ParityTest
    void body(Parity<Object, BadlyClosing> parity) {
      parity.async();
    }
  }

  @Test
  void asyncClose_failingOrStuck_failsTheTestWithTheCauseOrANamedTimeout() {
    run(ClosesBadly.class)
        .assertThatEvents()
        .haveExactly(
            1,
            event(
                test(),
                displayName("[async] failing close"),
                finishedWithFailure(instanceOf(IOException.class), message("disk gone"))))
        .haveExactly(
            1,
            event(
                test(),
                displayName("[async] stuck close"),
                finishedWithFailure(
                    instanceOf(AssertionError.class),
                    message(
                        m ->
                            m.contains("[async] stuck close")
                                && m.contains("close")
                                && m.contains("PT0.05S")))));
  }
}
