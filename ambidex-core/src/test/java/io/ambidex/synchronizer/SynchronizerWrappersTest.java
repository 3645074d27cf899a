package io.ambidex.synchronizer;

import io.ambidex.AsyncCloseable;
import io.ambidex.BlockingWait;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.synchronizer.Synchronizer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Wrapping whole objects through interfaces, with the reflective fallback. */
@Timeout(60)
class SynchronizerWrappersTest {
  /** The library's async API. */
  public interface AsyncDb extends AsyncCloseable {
    CompletionStage<String> query(String q) throws IOException;

    CompletionStage<AsyncTable> table(String name);

    CompletionStage<Integer> count(AsyncTable table);

    AsyncIterator<String> rows(String table);

    String name();
  }

  /** A sub-object of the async API. */
  public interface AsyncTable {
    CompletionStage<String> describe();
  }

  /** The blocking mirror a user programs against. */
  public interface Db extends AutoCloseable {
    String query(String q) throws IOException;

    Table table(String name);

    int count(Table table);

    Stream<String> rows(String table);

    String name();

    @Override
    void close();
  }

  /** The blocking mirror of the sub-object. */
  public interface Table {
    String describe();
  }

  static final class FakeDb implements AsyncDb {
    final List<Thread> threads = new CopyOnWriteArrayList<>();
    final AtomicInteger closes = new AtomicInteger();
    final AsyncTable users = () -> CompletableFuture.completedFuture("users(id, name)");

    @Override
    public CompletionStage<String> query(String q) throws IOException {
      threads.add(Thread.currentThread());
      if (q.equals("bad")) {
        throw new IOException("syntax error near 'bad'");
      }
      return CompletableFuture.completedFuture("result of " + q);
    }

    @Override
    public CompletionStage<AsyncTable> table(String name) {
      return CompletableFuture.completedFuture(users);
    }

    @Override
    public CompletionStage<Integer> count(AsyncTable table) {
      threads.add(Thread.currentThread());
      return CompletableFuture.completedFuture(table == users ? 42 : -1);
    }

    @Override
    public AsyncIterator<String> rows(String table) {
      List<String> rows = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        rows.add(table + "#" + i);
      }
      Iterator<String> it = rows.iterator();
      return new AsyncIterator<>() {
        @Override
        public CompletionStage<Boolean> hasNext() {
          return CompletableFuture.completedFuture(it.hasNext());
        }

        @Override
        public String next() {
          return it.next();
        }

        @Override
        public CompletionStage<Void> close() {
          return CompletableFuture.completedFuture(null);
        }
      };
    }

    @Override
    public String name() {
      threads.add(Thread.currentThread());
      return "fake";
    }

    @Override
    public CompletionStage<Void> close() {
      closes.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    }
  }

  private final Synchronizer sync = Synchronizer.create("wrappers");
  private final ExecutorService user = Executors.newSingleThreadExecutor();
  private final FakeDb fake = new FakeDb();

  @AfterEach
  void tearDown() throws InterruptedException {
    sync.close();
    user.shutdownNow();
    assertThat(user.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void blockingWrapper_callsRunOnTheLoopAndReturnValues() throws IOException {
    Db db = sync.blocking(Db.class, fake);
    assertThat(db.query("select 1")).isEqualTo("result of select 1");
    assertThat(db.name()).isEqualTo("fake");
    assertThat(fake.threads).allMatch(t -> t.getName().equals("ambidex-synchronizer-wrappers"));
  }

  @Test
  void blockingWrapper_declaredCheckedException_keepsTypeAndIdentity() {
    Db db = sync.blocking(Db.class, fake);
    assertThatThrownBy(() -> db.query("bad"))
        .isInstanceOf(IOException.class)
        .hasMessage("syntax error near 'bad'");
  }

  @Test
  void sameTarget_alwaysMapsToTheSameWrapper() {
    Db db = sync.blocking(Db.class, fake);
    assertThat(sync.blocking(Db.class, fake)).isSameAs(db);
    assertThat(db.table("users")).isSameAs(db.table("users"));
  }

  @Test
  void wrappedArguments_areUnwrappedForTheLibrary() {
    Db db = sync.blocking(Db.class, fake);
    Table users = db.table("users");
    assertThat(db.count(users)).isEqualTo(42);
  }

  @Test
  void asyncIteratorResult_becomesABatchedBlockingStream() {
    Db db = sync.blocking(Db.class, fake);
    try (Stream<String> rows = db.rows("t")) {
      assertThat(rows.count()).isEqualTo(600);
    }
  }

  /** A cursor API whose blocking mirror declares a plain {@code Iterator}: no way to close it. */
  public interface AsyncRows {
    AsyncIterator<Integer> rows(int n);
  }

  /** The blocking mirror of {@link AsyncRows}. */
  public interface Rows {
    Iterator<Integer> rows(int n);
  }

  /** Cursors over 1..n that count their closes. */
  static final class CountingRows implements AsyncRows {
    final AtomicInteger closes = new AtomicInteger();

    @Override
    public AsyncIterator<Integer> rows(int n) {
      return new AsyncIterator<>() {
        private int i;

        @Override
        public CompletionStage<Boolean> hasNext() {
          return CompletableFuture.completedFuture(i < n);
        }

        @Override
        public Integer next() {
          return ++i;
        }

        @Override
        public CompletionStage<Void> close() {
          closes.incrementAndGet();
          return CompletableFuture.completedFuture(null);
        }
      };
    }
  }

  @Test
  void iteratorResult_readToTheEnd_closesTheSource() {
    CountingRows target = new CountingRows();
    Iterator<Integer> it = sync.blocking(Rows.class, target).rows(5);
    List<Integer> seen = new ArrayList<>();
    it.forEachRemaining(seen::add);
    assertThat(seen).containsExactly(1, 2, 3, 4, 5);
    assertThat(target.closes).hasValue(1);
  }

  @Test
  void iteratorResult_leftOpen_isClosedByTheSynchronizersClose() {
    CountingRows target = new CountingRows();
    Iterator<Integer> it = sync.blocking(Rows.class, target).rows(1000);
    assertThat(it.next()).isEqualTo(1);
    sync.close();
    assertThat(target.closes).hasValue(1);
  }

  @Test
  void loopDeath_closesTheSourcesLeftOpen_blockingAndAsync() throws Exception {
    CountingRows target = new CountingRows();
    Iterator<Integer> blocking = sync.blocking(Rows.class, target).rows(1000);
    assertThat(blocking.next()).isEqualTo(1);
    AsyncIterator<Integer> async = sync.async(AsyncRows.class, target).rows(1000);
    assertThat(async.hasNext().toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(target.closes).hasValue(0);

    sync.executor().execute(() -> { throw new OutOfMemoryError("simulated"); });

    await().atMost(Duration.ofSeconds(10)).untilAtomic(target.closes, equalTo(2));
    assertThatThrownBy(() -> async.hasNext().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("died");
    assertThat(async.close().toCompletableFuture().get(10, TimeUnit.SECONDS)).isNull();
  }

  @Test
  void asyncWrapperIterator_leftOpen_isClosedByTheSynchronizersClose_thenFailsHasNextsStage()
      throws Exception {
    CountingRows target = new CountingRows();
    AsyncIterator<Integer> it = sync.async(AsyncRows.class, target).rows(1000);
    assertThat(it.hasNext().toCompletableFuture().get(10, TimeUnit.SECONDS)).isTrue();
    assertThat(it.next()).isEqualTo(1);
    sync.close();
    assertThat(target.closes).as("closed by the Synchronizer's close").hasValue(1);

    CompletionStage<Boolean> more = it.hasNext(); // a stage, not a throw
    assertThatThrownBy(() -> more.toCompletableFuture().get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThat(it.close().toCompletableFuture().get(10, TimeUnit.SECONDS)).isNull();
    assertThat(target.closes).hasValue(1);
  }

  @Test
  void asyncWrapperIterator_closedBeforeItsFirstHasNext_neverOpensTheSource() throws Exception {
    AtomicInteger opened = new AtomicInteger();
    CountingRows counting = new CountingRows();
    AsyncRows target =
        n -> {
          opened.incrementAndGet();
          return counting.rows(n);
        };
    AsyncIterator<Integer> it = sync.async(AsyncRows.class, target).rows(3);
    assertThat(it.close().toCompletableFuture().get(10, TimeUnit.SECONDS)).isNull();
    assertThatThrownBy(() -> it.hasNext().toCompletableFuture().get(10, TimeUnit.SECONDS))
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("was closed");
    assertThat(opened).hasValue(0);
    assertThat(counting.closes).hasValue(0);
  }

  @Test
  void asyncClose_becomesABlockingClose() {
    try (Db db = sync.blocking(Db.class, fake)) {
      assertThat(db.name()).isEqualTo("fake");
    }
    assertThat(fake.closes).hasValue(1);
  }

  @Test
  void asyncWrapper_completesOnTheCallbackExecutorNotTheLoop() throws Exception {
    Synchronizer isolated =
        Synchronizer.builder("isolated").callbackExecutor(user).build();
    try {
      AsyncDb db = isolated.async(AsyncDb.class, fake);
      String thread =
          db.query("q").thenApply(v -> Thread.currentThread().getName()).toCompletableFuture()
              .get(10, TimeUnit.SECONDS);
      assertThat(thread).doesNotContain("synchronizer");
      assertThat(fake.threads).allMatch(t -> t.getName().equals("ambidex-synchronizer-isolated"));
      assertThat(isolated.async(AsyncDb.class, fake)).isSameAs(db);
    } finally {
      isolated.close();
    }
  }

  @Test
  void asyncWrapper_iteratorIsIsolatedToo() throws Exception {
    AsyncDb db = sync.async(AsyncDb.class, fake);
    AsyncIterator<String> rows = db.rows("t");
    List<String> got = new ArrayList<>();
    while (BlockingWait.get(rows.hasNext(), "hasNext", Duration.ofSeconds(10))) {
      got.add(rows.next());
    }
    BlockingWait.get(rows.close(), "close");
    assertThat(got).hasSize(600).startsWith("t#0", "t#1");
  }

  /** An async API whose iterator answers hasNext() on its own I/O thread. */
  public interface AsyncFeed {
    AsyncIterator<Integer> items();
  }

  @Test
  void asyncWrapper_iteratorWhoseSourceAnswersOnItsOwnThread_callsNextOnTheLoop()
      throws Exception {
    ExecutorService io = Executors.newSingleThreadExecutor();
    List<Thread> nextRanOn = new CopyOnWriteArrayList<>();
    AsyncFeed feed =
        () ->
            new AsyncIterator<>() {
              private int i;

              @Override
              public CompletionStage<Boolean> hasNext() {
                return CompletableFuture.supplyAsync(() -> i < 3, io);
              }

              @Override
              public Integer next() {
                nextRanOn.add(Thread.currentThread());
                return i++;
              }

              @Override
              public CompletionStage<Void> close() {
                return CompletableFuture.completedFuture(null);
              }
            };
    try {
      AsyncIterator<Integer> items = sync.async(AsyncFeed.class, feed).items();
      List<Integer> got = new ArrayList<>();
      while (BlockingWait.get(items.hasNext(), "hasNext", Duration.ofSeconds(10))) {
        got.add(items.next());
      }
      assertThat(got).containsExactly(0, 1, 2);
      assertThat(nextRanOn)
          .hasSize(3)
          .allSatisfy(t -> assertThat(t.getName()).isEqualTo("ambidex-synchronizer-wrappers"));
    } finally {
      io.shutdownNow();
    }
  }

  /** An async API whose iterator is opened by slow synchronous work. */
  public interface AsyncCursor {
    AsyncIterator<Integer> open();
  }

  /** Its blocking mirror, whose caller holds a plain Iterator. */
  public interface Cursor {
    Iterator<Integer> open();
  }

  @Test
  void iteratorResult_callerInterruptedWhileItOpens_closesTheSourceOnceOpened() throws Exception {
    java.util.concurrent.CountDownLatch opening = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    AtomicInteger closes = new AtomicInteger();
    AsyncCursor target =
        () -> {
          opening.countDown();
          try {
            release.await(20, TimeUnit.SECONDS); // slow synchronous work opening it
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          return new AsyncIterator<>() {
            @Override
            public CompletionStage<Boolean> hasNext() {
              return CompletableFuture.completedFuture(false);
            }

            @Override
            public Integer next() {
              throw new java.util.NoSuchElementException();
            }

            @Override
            public CompletionStage<Void> close() {
              closes.incrementAndGet();
              return CompletableFuture.completedFuture(null);
            }
          };
        };
    Cursor cursor = sync.blocking(Cursor.class, target);
    java.util.concurrent.atomic.AtomicReference<Throwable> seen =
        new java.util.concurrent.atomic.AtomicReference<>();
    Thread caller =
        new Thread(() -> seen.set(org.assertj.core.api.Assertions.catchThrowable(cursor::open)));
    caller.start();
    opening.await();
    caller.interrupt();
    caller.join(10_000);
    assertThat(seen.get()).isInstanceOf(io.ambidex.CallInterruptedException.class);
    release.countDown();
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> closes.get() == 1);
  }

  @Test
  void asyncWrapper_iteratorMethodOnAThreadThatMustNotBlock_opensTheSourceWithoutWaiting()
      throws Exception {
    // A user's event-loop thread, where the async wrapper is meant to be used.
    ExecutorService eventLoop =
        Executors.newSingleThreadExecutor(r -> new Thread(r, "user-event-loop"));
    io.ambidex.BlockingGuard.Registration guard =
        io.ambidex.BlockingGuard.register(
            "user event loop", t -> t.getName().equals("user-event-loop"));
    try {
      AsyncDb db = sync.async(AsyncDb.class, fake);
      AsyncIterator<String> rows = eventLoop.submit(() -> db.rows("t")).get(10, TimeUnit.SECONDS);
      List<String> got = new ArrayList<>();
      while (BlockingWait.get(rows.hasNext(), "hasNext", Duration.ofSeconds(10))) {
        got.add(rows.next());
      }
      BlockingWait.get(rows.close(), "close");
      assertThat(got).hasSize(600).startsWith("t#0", "t#1");
    } finally {
      guard.close();
      eventLoop.shutdownNow();
    }
  }

  @Test
  void asyncWrapper_rejectsATargetOfAnotherType() {
    @SuppressWarnings({"unchecked", "rawtypes"})
    Class<Object> raw = (Class) AsyncDb.class;
    assertThatThrownBy(() -> sync.async(raw, "not a db"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("does not implement");
  }

  @Test
  void wrapperToString_saysWhatItWraps() {
    assertThat(sync.blocking(Db.class, fake).toString()).startsWith("blocking Db over ");
  }
}
