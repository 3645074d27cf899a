package io.ambidex.processor.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.control.AsyncCallback;
import io.ambidex.CallFuture;
import io.ambidex.CallerStackTrace;
import io.ambidex.IncompleteStageException;
import io.ambidex.test.ApiParity;
import io.ambidex.test.FlavourLenses;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.io.IOException;
import java.lang.reflect.UndeclaredThrowableException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runs the facades generated from {@link StoreCore}, which covers every row of the mapping, end to
 * end: one test body per operation, run on the blocking facade over a sync backend, on the
 * async facade over an async and a sync backend, and through each flavour the core is generated
 * for (Reactor, RxJava 3, Mutiny) over an async backend, and through the Kotlin extension
 * functions (not generated: a Kotlin facade is written by hand, one line per method).
 */
class StoreFacadesTest {
  static final ExecutorService POOL = Executors.newFixedThreadPool(2);

  @RegisterExtension
  static final ParityExtension<StoreClient, AsyncStoreClient> STORES =
      ParityExtension.<StoreClient, AsyncStoreClient>builder()
          .blocking("sync backend", Backend::sync, StoreClient::new)
          .async("async backend", () -> Backend.async(POOL), b -> new AsyncStoreClient(b, POOL))
          .async("sync backend", Backend::sync, b -> new AsyncStoreClient(b, POOL))
          .flavour("async backend", FlavourLenses.reactor(), () -> Backend.async(POOL),
              b -> new AsyncStoreClient(b, POOL))
          .flavour("async backend", FlavourLenses.rxjava3(), () -> Backend.async(POOL),
              b -> new AsyncStoreClient(b, POOL))
          .flavour("async backend", FlavourLenses.mutiny(), () -> Backend.async(POOL),
              b -> new AsyncStoreClient(b, POOL))
          .flavour("async backend", FlavourLenses.kotlin(), () -> Backend.async(POOL),
              b -> new AsyncStoreClient(b, POOL))
          .build();

  /*
   * Calls the facade of this run, for what the call itself throws (not through the future, on the
   * async facade).
   */
  private static ThrowingCallable atTheCall(
      Parity<StoreClient, AsyncStoreClient> parity,
      Call<StoreClient> blocking,
      Call<AsyncStoreClient> async) {
    return () -> {
      if (parity.isBlocking()) {
        blocking.on(parity.blocking());
      } else {
        async.on(parity.async());
      }
    };
  }

  /** One call on a facade, which may throw what the facade declares. */
  @FunctionalInterface
  private interface Call<C> {
    void on(C client) throws Exception;
  }

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  // ---- CompletionStage<T> -> T / CallFuture<T> ----

  @ParityTest
  void get_existingKey_returnsTheValue(Parity<StoreClient, AsyncStoreClient> parity, Backend backend)
      throws Exception {
    backend.seed("k", "v");

    assertThat(parity.call(c -> c.get("k")).async(a -> a.get("k"))).isEqualTo("v");
  }

  @ParityTest
  void get_missingKey_failsWithTheDeclaredCheckedException(
      Parity<StoreClient, AsyncStoreClient> parity) {
    assertThatThrownBy(() -> parity.call(c -> c.get("nope")).async(a -> a.get("nope")))
        .isExactlyInstanceOf(StoreException.class)
        .hasMessage("no such key: nope");
  }

  @ParityTest
  void get_emptyKey_isRejectedAtTheCallOnBothFacades(Parity<StoreClient, AsyncStoreClient> parity) {
    assertThatThrownBy(atTheCall(parity, c -> c.get(""), a -> a.get("")))
        .isExactlyInstanceOf(IllegalArgumentException.class);
  }

  @ParityTest
  void getWithDefault_overload_returnsTheDefaultForAMissingKey(
      Parity<StoreClient, AsyncStoreClient> parity) throws Exception {
    assertThat(parity.call(c -> c.get("nope", "d")).async(a -> a.get("nope", "d"))).isEqualTo("d");
  }

  @ParityTest
  void find_missingKey_returnsNull(Parity<StoreClient, AsyncStoreClient> parity) throws Exception {
    assertThat(parity.call(c -> c.find("nope")).async(a -> a.find("nope"))).isNull();
  }

  @ParityTest
  void contains_completableFutureResult_isMappedLikeAStage(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    backend.seed("k", "v");

    assertThat(parity.call(c -> c.contains("k")).async(a -> a.contains("k"))).isTrue();
    assertThat(parity.call(c -> c.contains("x")).async(a -> a.contains("x"))).isFalse();
  }

  @ParityTest
  void getAll_varargs_returnsTheValuesInOrder(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    backend.seed("a", "1").seed("b", "2");

    assertThat(parity.call(c -> c.getAll("b", "a")).async(a -> a.getAll("b", "a")))
        .containsExactly("2", "1");
  }

  @ParityTest
  void maxOf_genericMethod_keepsItsTypeParameter(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    backend.seed("a", "7").seed("b", "12");

    Optional<Integer> max =
        parity.call(c -> c.maxOf(Integer::valueOf, "a", "b"))
            .async(a -> a.maxOf(Integer::valueOf, "a", "b"));

    assertThat(max).contains(12);
  }

  @ParityTest
  void read_twoDeclaredCheckedExceptions_eachIsThrownAsItIs(
      Parity<StoreClient, AsyncStoreClient> parity) {
    assertThatThrownBy(() -> parity.call(c -> c.read("slow")).async(a -> a.read("slow")))
        .isExactlyInstanceOf(TimeoutException.class);
    assertThatThrownBy(() -> parity.call(c -> c.read("nope")).async(a -> a.read("nope")))
        .isExactlyInstanceOf(StoreException.class);
  }

  @Test
  void read_undeclaredCheckedFailure_blockingWrapsItAsUndeclaredAndAsyncFailsWithIt() {
    StoreClient blocking = new StoreClient(Backend.sync());
    AsyncStoreClient async = new AsyncStoreClient(Backend.sync(), POOL);

    assertThatThrownBy(() -> blocking.read("broken"))
        .isExactlyInstanceOf(UndeclaredThrowableException.class)
        .hasMessageContaining("StoreCore.read")
        .cause()
        .isExactlyInstanceOf(IOException.class);
    assertThatThrownBy(() -> async.read("broken").get(10, TimeUnit.SECONDS))
        .cause()
        .isExactlyInstanceOf(IOException.class);
  }

  @Test
  void get_blockingFailure_carriesTheCallersStack() {
    StoreClient blocking = new StoreClient(Backend.sync());

    assertThatThrownBy(() -> blocking.get("nope"))
        .satisfies(
            failure ->
                assertThat(failure.getSuppressed())
                    .anySatisfy(
                        suppressed ->
                            assertThat(suppressed)
                                .isInstanceOf(CallerStackTrace.class)
                                .hasMessageContaining("StoreCore.get")));
  }

  // ---- CompletionStage<Void> -> void / CallFuture<Void> ----

  @ParityTest
  void put_thenGet_returnsTheStoredValue(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    parity.run(c -> c.put("k", "v")).async(a -> a.put("k", "v"));

    assertThat(backend.contents()).containsEntry("k", "v");
    assertThat(parity.call(c -> c.get("k")).async(a -> a.get("k"))).isEqualTo("v");
  }

  // ---- callbacks: AsyncCallback<E> -> Consumer<E>, Function<K, CompletionStage<V>> -> Function<K, V> ----

  @ParityTest
  void putAll_progressCallback_receivesTheSameEventsOnBothFacades(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    Map<String, String> entries = new LinkedHashMap<>();
    entries.put("a", "1");
    entries.put("b", "2");
    List<Progress> events = Collections.synchronizedList(new ArrayList<>());

    int stored =
        parity.call(c -> c.putAll(entries, events::add))
            .async(a -> a.putAll(entries, AsyncCallback.of(events::add)));

    assertThat(stored).isEqualTo(2);
    assertThat(events).containsExactly(new Progress(1, 2), new Progress(2, 2));
    assertThat(backend.contents()).containsEntry("a", "1").containsEntry("b", "2");
  }

  /*
   * A null callback reaches the core on both facades, which decides what it means (StoreCore
   * rejects it, naming its parameter). The blocking facade used to adapt it first and fail in the
   * adapter with NullPointerException("consumer"), where the async facade's caller got the core's
   * "progress" (found by following the docs as a newcomer).
   */
  @ParityTest
  void putAll_nullCallback_meetsTheCoresOwnCheckOnBothFacades(
      Parity<StoreClient, AsyncStoreClient> parity) {
    Map<String, String> entries = Map.of("a", "1");
    assertThatThrownBy(
            atTheCall(parity, c -> c.putAll(entries, null), a -> a.putAll(entries, null)))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("progress");
  }

  /* The same for a mapped function: the core sees the null, not a lambda around it. */
  @ParityTest
  void getOrLoad_nullLoader_reachesTheCoreOnBothFacades(
      Parity<StoreClient, AsyncStoreClient> parity) {
    assertThatThrownBy(atTheCall(parity, c -> c.getOrLoad("k", null), a -> a.getOrLoad("k", null)))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("loader");
  }

  /* And for a facade passed where the core takes a core: the core sees the null. */
  @ParityTest
  void copyFrom_nullSource_reachesTheCoreOnBothFacades(
      Parity<StoreClient, AsyncStoreClient> parity) {
    assertThatThrownBy(atTheCall(parity, c -> c.copyFrom(null, "k"), a -> a.copyFrom(null, "k")))
        .isExactlyInstanceOf(NullPointerException.class)
        .hasMessage("source");
  }

  @ParityTest
  void getOrLoad_loaderFunction_isCalledForAMissingKey(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    String loaded =
        parity.call(c -> c.getOrLoad("k", key -> key + "!"))
            .async(a -> a.getOrLoad("k", key -> CompletableFuture.completedFuture(key + "!")));

    assertThat(loaded).isEqualTo("k!");
    assertThat(backend.contents()).containsEntry("k", "k!");
  }

  @ParityTest
  void getOrLoad_loaderThrows_failsWithItsException(Parity<StoreClient, AsyncStoreClient> parity) {
    IllegalStateException broken = new IllegalStateException("loader broke");

    assertThatThrownBy(
            () ->
                parity.call(
                        c ->
                            c.getOrLoad(
                                "k",
                                key -> {
                                  throw broken;
                                }))
                    .async(a -> a.getOrLoad("k", key -> CompletableFuture.failedFuture(broken))))
        .isSameAs(broken);
  }

  // ---- AsyncIterator<T> / Flow.Publisher<T> -> Stream<T> / Flow.Publisher<T> ----

  @ParityTest
  void keys_asyncIterator_listsTheMatchingKeysAndClosesTheIterator(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    backend.seed("a1", "x").seed("a2", "y").seed("b1", "z");

    List<String> keys = parity.items(c -> c.keys("a")).async(a -> a.keys("a"));

    assertThat(keys).containsExactly("a1", "a2");
    assertThat(backend.closedIterators()).isEqualTo(backend.openedIterators()).isEqualTo(1);
  }

  @Test
  void keys_blockingStreamClosedEarly_closesTheIterator() {
    Backend backend = Backend.sync().seed("a1", "x").seed("a2", "y");
    StoreClient client = new StoreClient(backend);

    try (Stream<String> keys = client.keys("a")) {
      assertThat(keys.findFirst()).contains("a1");
    }

    assertThat(backend.closedIterators()).isEqualTo(1);
  }

  @ParityTest
  void watch_publisher_deliversEveryValue(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    backend.seed("k", "v");

    assertThat(parity.items(c -> c.watch("k")).async(a -> a.watch("k"))).containsExactly("v", "v");
  }

  // ---- the core's own type -> the facade's own type ----

  @ParityTest
  void withPrefix_returnsAFacadeOverTheDerivedCore(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    backend.seed("tenant/k", "v");

    String value =
        parity.call(c -> c.withPrefix("tenant/").get("k"))
            .async(a -> a.withPrefix("tenant/").get("k"));

    assertThat(value).isEqualTo("v");
  }

  @ParityTest
  void copyFrom_facadeParameter_passesItsCore(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    backend.seed("src/k", "v");

    parity.run(c -> c.copyFrom(c.withPrefix("src/"), "k"))
        .async(a -> a.copyFrom(a.withPrefix("src/"), "k"));

    assertThat(backend.contents()).containsEntry("k", "v");
  }

  // ---- synchronous methods, deprecated ones, close ----

  @ParityTest
  void prefix_synchronousMethod_isPassedThrough(Parity<StoreClient, AsyncStoreClient> parity) {
    String prefix =
        parity.isBlocking()
            ? parity.blocking().withPrefix("p/").prefix()
            : parity.async().withPrefix("p/").prefix();

    assertThat(prefix).isEqualTo("p/");
  }

  @ParityTest
  @SuppressWarnings("deprecation")
  void fetch_deprecatedMethod_stillWorks(
      Parity<StoreClient, AsyncStoreClient> parity, Backend backend) throws Exception {
    backend.seed("k", "v");

    assertThat(parity.call(c -> c.fetch("k")).async(a -> a.fetch("k"))).isEqualTo("v");
  }

  @ParityTest
  void close_closesTheCore(Parity<StoreClient, AsyncStoreClient> parity, Backend backend)
      throws Exception {
    parity.run(StoreClient::close).async(AsyncStoreClient::close);

    assertThat(backend.isClosed()).isTrue();
  }

  @Test
  void inMemory_staticFactory_buildsTheBlockingFacade() throws Exception {
    try (StoreClient client = StoreClient.inMemory(Map.of("k", "v"))) {
      assertThat(client.get("k")).isEqualTo("v");
      assertThat(client.toString()).startsWith("StoreClient[");
    }
  }

  // ---- cancellation and incomplete stages ----

  @Test
  void asyncGet_cancelled_cancelsTheCoresStage() throws Exception {
    Backend backend = Backend.sync();
    AsyncStoreClient client = new AsyncStoreClient(backend, POOL);

    CallFuture<String> future = client.get("pending");
    assertThat(future.cancel(true)).isTrue();

    assertThat(backend.pending()).hasSize(1);
    assertThat(backend.pending().get(0)).isCancelled();
    assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
  }

  @Test
  void asyncFuture_cannotBeCompletedByTheCaller() throws Exception {
    AsyncStoreClient client = new AsyncStoreClient(Backend.sync(), POOL);

    CallFuture<String> future = client.get("pending");

    assertThatThrownBy(() -> future.complete("forged"))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThatThrownBy(() -> future.obtrudeValue("forged"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void blockingGet_incompleteStageUnderTheImmediateBridge_failsAtOnceAndCancelsIt() {
    Backend backend = Backend.sync();
    StoreClient client = new StoreClient(backend);

    assertThatThrownBy(() -> client.get("pending"))
        .isInstanceOf(IncompleteStageException.class)
        .hasMessageContaining("StoreCore.get");
    assertThat(backend.pending().get(0)).isCancelled();
  }

  // ---- shape ----

  @Test
  void facades_haveParallelShapes() {
    ApiParity.assertParallel(StoreClient.class, AsyncStoreClient.class);
  }
}
