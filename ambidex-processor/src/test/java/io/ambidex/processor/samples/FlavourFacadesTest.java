package io.ambidex.processor.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reactivex.rxjava3.disposables.Disposable;
import io.smallrye.mutiny.subscription.Cancellable;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.reactivestreams.FlowAdapters;
import reactor.adapter.JdkFlowAdapter;

/**
 * The contracts of the flavour facades generated from {@link StoreCore} (Reactor, RxJava 3,
 * Mutiny), one test body per contract run on each: laziness, a new call per subscription,
 * cancellation in both directions, failure types, empty results, demand-driven streams, close.
 * Each flavour is reached through a small {@link Store} adapter that subscribes the way a user
 * would ({@code subscribe(...)} returning a {@code Disposable}/{@code Cancellable}).
 */
class FlavourFacadesTest {
  private static final ExecutorService POOL = Executors.newFixedThreadPool(2);

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  /** A subscription made through a flavour: its outcome, and how to cancel it. */
  record Handle<T>(CompletableFuture<@Nullable T> outcome, Runnable cancel) {
    @Nullable T await() throws Exception {
      try {
        return outcome.get(10, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        throw (Exception) e.getCause();
      }
    }
  }

  /** A lazy result of a flavour facade, not yet subscribed to. */
  interface Lazy<T> {
    Handle<T> subscribe();
  }

  /** The operations under test, on one flavour facade. */
  interface Store {
    Lazy<String> get(String key);

    Lazy<String> find(String key);

    Lazy<?> put(String key, String value);

    Flow.Publisher<String> keys(String prefix);

    Lazy<?> close();
  }

  record Flavour(String name, Function<Backend, Store> open) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Flavour> flavours() {
    return Stream.of(
        new Flavour("reactor", FlavourFacadesTest::reactor),
        new Flavour("rxjava3", FlavourFacadesTest::rxjava),
        new Flavour("mutiny", FlavourFacadesTest::mutiny));
  }

  private static Store reactor(Backend backend) {
    ReactorStoreClient client = new ReactorStoreClient(backend, POOL);
    return new Store() {
      @Override
      public Lazy<String> get(String key) {
        return mono(client.get(key));
      }

      @Override
      public Lazy<String> find(String key) {
        return mono(client.find(key));
      }

      @Override
      public Lazy<?> put(String key, String value) {
        return mono(client.put(key, value));
      }

      @Override
      public Flow.Publisher<String> keys(String prefix) {
        return JdkFlowAdapter.publisherToFlowPublisher(client.keys(prefix));
      }

      @Override
      public Lazy<?> close() {
        return mono(client.close());
      }
    };
  }

  private static <T> Lazy<T> mono(reactor.core.publisher.Mono<T> mono) {
    return () -> {
      CompletableFuture<@Nullable T> outcome = new CompletableFuture<>();
      reactor.core.Disposable d =
          mono.subscribe(outcome::complete, outcome::completeExceptionally, () -> outcome.complete(null));
      return new Handle<>(outcome, d::dispose);
    };
  }

  private static Store rxjava(Backend backend) {
    Rx3StoreClient client = new Rx3StoreClient(backend, POOL);
    return new Store() {
      @Override
      public Lazy<String> get(String key) {
        return () -> {
          CompletableFuture<@Nullable String> outcome = new CompletableFuture<>();
          Disposable d = client.get(key).subscribe(outcome::complete, outcome::completeExceptionally);
          return new Handle<>(outcome, d::dispose);
        };
      }

      @Override
      public Lazy<String> find(String key) {
        return () -> {
          CompletableFuture<@Nullable String> outcome = new CompletableFuture<>();
          Disposable d =
              client
                  .find(key)
                  .subscribe(
                      outcome::complete,
                      outcome::completeExceptionally,
                      () -> outcome.complete(null));
          return new Handle<>(outcome, d::dispose);
        };
      }

      @Override
      public Lazy<?> put(String key, String value) {
        return completable(client.put(key, value));
      }

      @Override
      public Flow.Publisher<String> keys(String prefix) {
        return FlowAdapters.toFlowPublisher(client.keys(prefix));
      }

      @Override
      public Lazy<?> close() {
        return completable(client.close());
      }
    };
  }

  private static Lazy<Void> completable(io.reactivex.rxjava3.core.Completable completable) {
    return () -> {
      CompletableFuture<@Nullable Void> outcome = new CompletableFuture<>();
      Disposable d =
          completable.subscribe(() -> outcome.complete(null), outcome::completeExceptionally);
      return new Handle<>(outcome, d::dispose);
    };
  }

  private static Store mutiny(Backend backend) {
    MutinyStoreClient client = new MutinyStoreClient(backend, POOL);
    return new Store() {
      @Override
      public Lazy<String> get(String key) {
        return uni(client.get(key));
      }

      @Override
      public Lazy<String> find(String key) {
        return uni(client.find(key));
      }

      @Override
      public Lazy<?> put(String key, String value) {
        return uni(client.put(key, value));
      }

      @Override
      public Flow.Publisher<String> keys(String prefix) {
        return client.keys(prefix);
      }

      @Override
      public Lazy<?> close() {
        return uni(client.close());
      }
    };
  }

  private static <T> Lazy<T> uni(io.smallrye.mutiny.Uni<T> uni) {
    return () -> {
      CompletableFuture<@Nullable T> outcome = new CompletableFuture<>();
      Cancellable c = uni.subscribe().with(outcome::complete, outcome::completeExceptionally);
      return new Handle<>(outcome, c::cancel);
    };
  }

  // ---- results and failures ----

  @ParameterizedTest
  @MethodSource("flavours")
  void get_existingKey_emitsTheValue(Flavour flavour) throws Exception {
    Backend backend = Backend.async(POOL).seed("k", "v");

    assertThat(flavour.open().apply(backend).get("k").subscribe().await()).isEqualTo("v");
  }

  @ParameterizedTest
  @MethodSource("flavours")
  void get_missingKey_signalsTheDeclaredCheckedExceptionUnwrapped(Flavour flavour) {
    Backend backend = Backend.async(POOL);

    Handle<String> handle = flavour.open().apply(backend).get("nope").subscribe();

    assertThat(failureOf(handle)).isExactlyInstanceOf(StoreException.class);
  }

  @ParameterizedTest
  @MethodSource("flavours")
  void get_emptyKey_isSignalledAtSubscriptionNotThrownByTheCall(Flavour flavour) {
    Store store = flavour.open().apply(Backend.async(POOL));

    Lazy<String> lazy = store.get(""); // the call itself throws nothing

    assertThat(failureOf(lazy.subscribe()))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessage("key must not be empty");
  }

  @ParameterizedTest
  @MethodSource("flavours")
  void find_missingKey_completesEmpty(Flavour flavour) throws Exception {
    Store store = flavour.open().apply(Backend.async(POOL));

    assertThat(store.find("nope").subscribe().await()).isNull();
  }

  // ---- laziness ----

  @ParameterizedTest
  @MethodSource("flavours")
  void put_notSubscribed_startsNothing_andEachSubscriptionMakesACall(Flavour flavour)
      throws Exception {
    Backend backend = Backend.async(POOL);
    Store store = flavour.open().apply(backend);

    Lazy<?> put = store.put("pending", "x"); // "pending" stores never complete: they are counted
    assertThat(backend.pending()).isEmpty();

    put.subscribe();
    put.subscribe();

    assertThat(backend.pending()).hasSize(2);
  }

  @ParameterizedTest
  @MethodSource("flavours")
  void keys_notSubscribed_opensNothing(Flavour flavour) {
    Backend backend = Backend.async(POOL).seed("a", "1");

    flavour.open().apply(backend).keys("");

    assertThat(backend.openedIterators()).isZero();
  }

  // ---- cancellation, both ways ----

  @ParameterizedTest
  @MethodSource("flavours")
  void cancel_whileInFlight_cancelsTheCoreStage(Flavour flavour) {
    Backend backend = Backend.async(POOL);
    Handle<String> handle = flavour.open().apply(backend).get("pending").subscribe();
    assertThat(backend.pending()).hasSize(1);

    handle.cancel().run();

    assertThat(backend.pending().get(0).isCancelled()).isTrue();
    assertThat(handle.outcome()).isNotDone(); // a cancelled subscriber is told nothing more
  }

  @ParameterizedTest
  @MethodSource("flavours")
  void coreStageCancelled_reachesTheSubscriberAsCancellationException(Flavour flavour) {
    Backend backend = Backend.async(POOL);
    Handle<String> handle = flavour.open().apply(backend).get("pending").subscribe();

    backend.pending().get(0).cancel(true);

    assertThat(failureOf(handle)).isInstanceOf(CancellationException.class);
  }

  // ---- streams ----

  @ParameterizedTest
  @MethodSource("flavours")
  void keys_emitsInOrder_onlyAsRequested(Flavour flavour) throws Exception {
    Backend backend = Backend.async(POOL).seed("a1", "1").seed("a2", "2").seed("a3", "3");
    Recorder<String> recorder = new Recorder<>();

    flavour.open().apply(backend).keys("a").subscribe(recorder);
    recorder.request(1);
    recorder.awaitItems(1);

    assertThat(recorder.items).containsExactly("a1");
    recorder.request(5);
    assertThat(recorder.done.get(10, TimeUnit.SECONDS)).isNull();
    assertThat(recorder.items).containsExactly("a1", "a2", "a3");
  }

  @ParameterizedTest
  @MethodSource("flavours")
  void keys_cancelledAfterOneItem_closesTheCoreSequence(Flavour flavour) {
    Backend backend = Backend.async(POOL).seed("a1", "1").seed("a2", "2").seed("a3", "3");
    Recorder<String> recorder = new Recorder<>();

    flavour.open().apply(backend).keys("a").subscribe(recorder);
    recorder.request(1);
    recorder.awaitItems(1);
    recorder.subscription.cancel();

    await().atMost(10, TimeUnit.SECONDS).until(() -> backend.closedIterators() == 1);
    assertThat(recorder.items).containsExactly("a1");
    assertThat(recorder.done).isNotDone();
  }

  // ---- close ----

  @ParameterizedTest
  @MethodSource("flavours")
  void close_closesTheCoreOnlyWhenSubscribed(Flavour flavour) throws Exception {
    Backend backend = Backend.async(POOL);
    Lazy<?> close = flavour.open().apply(backend).close();
    assertThat(backend.isClosed()).isFalse();

    close.subscribe().await();

    assertThat(backend.isClosed()).isTrue();
  }

  // ---- shape ----

  @ParameterizedTest
  @MethodSource("flavourClasses")
  void flavourFacade_hasEveryPublicMethodOfTheAsyncFacade_withTheSameParameters(Class<?> flavour) {
    List<String> missing = new ArrayList<>();
    for (java.lang.reflect.Method method : AsyncStoreClient.class.getDeclaredMethods()) {
      if (!java.lang.reflect.Modifier.isPublic(method.getModifiers())) {
        continue;
      }
      Class<?>[] parameters = method.getParameterTypes().clone();
      for (int i = 0; i < parameters.length; i++) {
        if (parameters[i] == AsyncStoreClient.class) {
          parameters[i] = flavour; // the core's own type: each facade takes its own
        }
      }
      try {
        flavour.getMethod(method.getName(), parameters);
      } catch (NoSuchMethodException e) {
        missing.add(method.getName() + java.util.Arrays.toString(parameters));
      }
    }
    assertThat(missing).isEmpty();
  }

  static Stream<Class<?>> flavourClasses() {
    return Stream.of(ReactorStoreClient.class, Rx3StoreClient.class, MutinyStoreClient.class);
  }

  private static Throwable failureOf(Handle<?> handle) {
    try {
      handle.await();
    } catch (Exception e) {
      return e;
    }
    throw new AssertionError("the subscription did not fail");
  }

  /** A Flow subscriber that requests only when told to and records what it receives. */
  static final class Recorder<T> implements Flow.Subscriber<T> {
    final List<T> items = new ArrayList<>();
    final CompletableFuture<@Nullable Void> done = new CompletableFuture<>();
    volatile Flow.Subscription subscription;

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
    }

    void request(long n) {
      await().atMost(10, TimeUnit.SECONDS).until(() -> subscription != null);
      subscription.request(n);
    }

    void awaitItems(int n) {
      await().atMost(10, TimeUnit.SECONDS).until(() -> size() >= n);
    }

    synchronized int size() {
      return items.size();
    }

    @Override
    public synchronized void onNext(T item) {
      items.add(item);
    }

    @Override
    public void onError(Throwable failure) {
      done.completeExceptionally(failure);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }
  }

}
