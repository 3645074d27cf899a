package io.ambidex.processor.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.BlockingNotAllowedException;
import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.CallerStackTrace;
import io.ambidex.synchronizer.Synchronizer;
import io.ambidex.test.ApiParity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The facades generated in Synchronizer mode, run end to end on a real loop. */
@Timeout(20)
class SynchronizerFacadesTest {
  private static final String LOOP = "ambidex-synchronizer-";
  private final ExecutorService callbacks =
      Executors.newSingleThreadExecutor(Thread.ofPlatform().daemon().name("callbacks").factory());
  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      c.close();
    }
    callbacks.shutdownNow();
  }

  private LoopClient blocking(String name) {
    LoopClient client = new LoopClient(name);
    open.add(client);
    return client;
  }

  private Synchronizer synchronizer(String name) {
    Synchronizer synchronizer = Synchronizer.builder(name).callbackExecutor(callbacks).build();
    open.add(synchronizer);
    return synchronizer;
  }

  @Test
  void blocking_runsTheCoreMethodOnTheLoop_andReturnsItsValue() throws Exception {
    LoopClient client = blocking("sf-value");

    assertThat(client.echo("hi")).isEqualTo("hi@" + LOOP + "sf-value");
    client.remember("r");
    assertThat(client.calls()).isEqualTo(1);
    assertThat(client.threads()).containsExactly(LOOP + "sf-value", "r:" + LOOP + "sf-value");
  }

  @Test
  void async_runsOnTheLoop_andCompletesOnTheCallbackExecutor() throws Exception {
    Synchronizer synchronizer = synchronizer("sf-async");
    AsyncLoopClient client = new AsyncLoopClient(synchronizer);
    CountDownLatch release = new CountDownLatch(1);
    synchronizer.executor().execute(() -> awaitQuietly(release)); // holds the loop

    CallFuture<String> echoed = client.echo("hi");
    CompletableFuture<String> continuation = echoed.thenApply(v -> Thread.currentThread().getName());
    release.countDown();

    // Wait on the continuation, not on `echoed`: a thread waiting in get() of a future helps run
    // its dependents, so the continuation could run on this thread instead.
    assertThat(continuation.get(10, TimeUnit.SECONDS)).isEqualTo("callbacks");
    assertThat(echoed.get(10, TimeUnit.SECONDS)).isEqualTo("hi@" + LOOP + "sf-async");
    assertThat(client.threads()).containsExactly(LOOP + "sf-async");
  }

  @Test
  void failures_keepTheirTypeAndIdentity_onBothFacades() throws Exception {
    LoopClient client = blocking("sf-failures");
    AsyncLoopClient async = new AsyncLoopClient(synchronizer("sf-failures-async"));

    assertThatThrownBy(() -> client.echo("missing"))
        .isExactlyInstanceOf(StoreException.class)
        .satisfies(
            e -> assertThat(e.getSuppressed()).hasAtLeastOneElementOfType(CallerStackTrace.class));
    assertThatThrownBy(() -> client.echo("thrown")).isSameAs(client.thrown().get(0));
    assertThatThrownBy(() -> async.echo("thrown").get(10, TimeUnit.SECONDS))
        .isExactlyInstanceOf(ExecutionException.class)
        .cause()
        .isSameAs(async.thrown().get(0));
  }

  @Test
  void argumentValidation_runsOnTheLoop_throwsOnBlocking_failsTheAsyncFuture() {
    LoopClient client = blocking("sf-args");
    AsyncLoopClient async = new AsyncLoopClient(synchronizer("sf-args-async"));

    assertThatThrownBy(() -> client.echo("")).isExactlyInstanceOf(IllegalArgumentException.class);
    CallFuture<String> future = async.echo("");
    assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
        .cause()
        .isExactlyInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void interruptingABlockedCaller_cancelsOnTheLoop_afterItsCleanup() throws Exception {
    LoopClient client = blocking("sf-interrupt");
    AtomicReference<Throwable> failure = new AtomicReference<>();
    AtomicReference<List<String>> seenAtFailure = new AtomicReference<>();
    AtomicReference<Boolean> flag = new AtomicReference<>();
    Thread caller =
        Thread.ofPlatform()
            .start(
                () -> {
                  try {
                    client.hang();
                  } catch (Throwable t) {
                    seenAtFailure.set(List.copyOf(client.threads()));
                    flag.set(Thread.currentThread().isInterrupted());
                    failure.set(t);
                  }
                });
    await().atMost(Duration.ofSeconds(10)).until(() -> !client.hanging().isEmpty());

    caller.interrupt();
    caller.join(10_000);

    assertThat(failure.get()).isInstanceOf(CallInterruptedException.class);
    assertThat(flag.get()).isTrue();
    assertThat(client.hanging().get(0)).isCancelled();
    assertThat(seenAtFailure.get()).contains("cleanup:" + LOOP + "sf-interrupt");
  }

  @Test
  void cancellingAnAsyncFuture_cancelsTheCoresStageOnTheLoop() {
    AsyncLoopClient async = new AsyncLoopClient(synchronizer("sf-cancel"));

    CallFuture<CharSequence> future = async.hang();
    await().atMost(Duration.ofSeconds(10)).until(() -> !async.hanging().isEmpty());
    future.cancel(true);

    await().atMost(Duration.ofSeconds(10)).until(() -> async.hanging().get(0).isCancelled());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> async.threads().contains("cleanup:" + LOOP + "sf-cancel"));
  }

  @Test
  void blockingStream_isPulledOnTheLoopInBatches() {
    LoopClient client = blocking("sf-stream");

    try (Stream<Integer> numbers = client.count(10)) {
      Iterator<Integer> it = numbers.iterator();
      assertThat(it.next()).isEqualTo(1);
      assertThat(client.pulled()).as("one round trip fetched a batch of 4").isEqualTo(4);
      List<Integer> rest = new ArrayList<>();
      it.forEachRemaining(rest::add);
      assertThat(rest).containsExactly(2, 3, 4, 5, 6, 7, 8, 9, 10);
    }
    assertThat(client.threads()).containsExactly("count:" + LOOP + "sf-stream");
    try (Stream<String> letters = client.letters()) {
      assertThat(letters.toList()).containsExactly("a", "b", "c");
    }
  }

  @Test
  void asyncPublisher_isOpenedOnTheLoop_andSignalsOffTheLoop() throws Exception {
    Synchronizer synchronizer = synchronizer("sf-publisher");
    AsyncLoopClient client = new AsyncLoopClient(synchronizer);

    Collected<Integer> numbers = Collected.from(client.count(10));
    Collected<String> letters = Collected.from(client.letters());

    assertThat(numbers.done.get(10, TimeUnit.SECONDS))
        .containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
    assertThat(numbers.threads).noneMatch(name -> name.startsWith(LOOP));
    assertThat(letters.done.get(10, TimeUnit.SECONDS)).containsExactly("a", "b", "c");
    assertThat(client.threads()).containsExactly("count:" + LOOP + "sf-publisher");
  }

  @Test
  void blockingCallOnTheLoopItself_failsAtOnce() {
    Synchronizer synchronizer = synchronizer("sf-guard");
    LoopClient client = new LoopClient(synchronizer);

    Class<?> failure =
        synchronizer.call(
            "probe",
            () -> {
              try {
                client.echo("hi");
                return CompletableFuture.completedFuture(null);
              } catch (RuntimeException | StoreException e) {
                return CompletableFuture.completedFuture(e.getClass());
              }
            });

    assertThat(failure).isEqualTo(BlockingNotAllowedException.class);
  }

  @Test
  void close_closesTheCoreOnTheLoop_thenTheOwnedSynchronizer() {
    LoopClient client = new LoopClient("sf-close");

    client.close();

    assertThat(client.threads()).containsExactly("close:" + LOOP + "sf-close");
    assertThatThrownBy(() -> client.echo("hi")).isInstanceOf(IllegalStateException.class);
    assertThat(Thread.getAllStackTraces().keySet())
        .noneMatch(t -> t.getName().equals(LOOP + "sf-close"));
    client.close(); // again: nothing to do
    assertThat(client.threads()).hasSize(1);
  }

  @Test
  void asyncClose_completesOffTheLoop_andClosesTheOwnedSynchronizer() throws Exception {
    AsyncLoopClient client = new AsyncLoopClient("sf-async-close");

    client.close().get(10, TimeUnit.SECONDS);

    assertThat(client.threads()).containsExactly("close:" + LOOP + "sf-async-close");
    assertThatThrownBy(() -> client.echo("hi")).isInstanceOf(IllegalStateException.class);
    assertThat(client.close().isDone()).isTrue();
  }

  @Test
  void close_leavesASynchronizerTheCoreDoesNotOwn_open() throws Exception {
    Synchronizer synchronizer = synchronizer("sf-shared");
    LoopClient first = new LoopClient(synchronizer);
    AsyncLoopClient second = new AsyncLoopClient(synchronizer);

    first.close();
    second.close().get(10, TimeUnit.SECONDS);

    assertThat(synchronizer.call("probe", () -> CompletableFuture.completedFuture(1))).isEqualTo(1);
  }

  @Test
  void facades_haveParallelShapes() {
    ApiParity.assertParallel(LoopClient.class, AsyncLoopClient.class);
  }

  // ---- helpers ----

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Subscribes, requests everything, and records the items and the threads of onNext. */
  private static final class Collected<T> implements Flow.Subscriber<T> {
    final List<T> items = new ArrayList<>();
    final List<String> threads = new ArrayList<>();
    final CompletableFuture<List<T>> done = new CompletableFuture<>();

    static <T> Collected<T> from(Flow.Publisher<T> publisher) {
      Collected<T> collected = new Collected<>();
      publisher.subscribe(collected);
      return collected;
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public synchronized void onNext(T item) {
      items.add(item);
      threads.add(Thread.currentThread().getName());
    }

    @Override
    public synchronized void onError(Throwable throwable) {
      done.completeExceptionally(throwable);
    }

    @Override
    public synchronized void onComplete() {
      done.complete(List.copyOf(items));
    }
  }
}
