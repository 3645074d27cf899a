package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.control.SyncRuntime;
import io.ambidex.taskgroup.AsyncTaskGroup;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Batch} over a fake store that only provides the task group (the jobs are fakes too),
 * once with the blocking client's group (a thread per lane, jobs block) and once with the async
 * one (stages, jobs return incomplete futures).
 */
@Timeout(60)
class BatchTest {
  /**
   * A store whose only working operations are the task group of one kind of client and close; the
   * batch engine needs nothing else, so any other call fails the test, naming the method.
   */
  static Store fakeStore(boolean async) {
    SyncRuntime runtime = SyncRuntime.create();
    InvocationHandler handler =
        (proxy, method, args) ->
            switch (method.getName()) {
              case "openGroup" -> async ? AsyncTaskGroup.open() : AsyncTaskGroup.open(runtime);
              case "close" -> {
                Store.await(runtime.close());
                yield null;
              }
              case "toString" -> "BatchTest's fake store (" + (async ? "async" : "blocking") + ")";
              default ->
                  throw new AssertionError(
                      "the batch engine called Store." + method.getName()
                          + ", which BatchTest's fake store does not have: it has only openGroup()"
                          + " and close()");
            };
    return (Store)
        Proxy.newProxyInstance(Store.class.getClassLoader(), new Class<?>[] {Store.class}, handler);
  }

  /** Jobs whose i-th start runs {@code body.apply(i)}. */
  static List<Batch.Job> jobs(int n, IntFunction<CompletionStage<?>> body) {
    List<Batch.Job> jobs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int index = i;
      jobs.add(new Plans.Job("test", "job" + i, "", 10, bytes -> {
        bytes.accept(10);
        return body.apply(index);
      }));
    }
    return jobs;
  }

  /** A recording listener: what succeeded and failed, by source. */
  static final class Recorder implements Batch.Listener {
    final Set<String> succeeded = ConcurrentHashMap.newKeySet();
    final Set<String> failed = ConcurrentHashMap.newKeySet();
    final AtomicInteger bytes = new AtomicInteger();

    @Override
    public void started(Batch.Job job) {}

    @Override
    public void bytes(Batch.Job job, long delta) {
      bytes.addAndGet((int) delta);
    }

    @Override
    public void succeeded(Batch.Job job) {
      succeeded.add(job.source());
    }

    @Override
    public void failed(Batch.Job job, Throwable failure) {
      failed.add(job.source());
    }
  }

  /* A stage that completes when the latch opens: blocking (waits here), or async (completed later). */
  static CompletionStage<?> whenOpen(CountDownLatch latch, boolean async) {
    if (!async) {
      try {
        latch.await();
        return CompletableFuture.completedFuture(null);
      } catch (InterruptedException e) {
        return CompletableFuture.failedFuture(e);
      }
    }
    return CompletableFuture.runAsync(() -> {
      try {
        latch.await();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void run_keepsExactlyConcurrencyInFlight(boolean async) {
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    // The first four jobs wait for each other: they finish only if four run at once.
    CountDownLatch four = new CountDownLatch(4);
    Recorder recorder = new Recorder();
    try (Store store = fakeStore(async)) {
      Batch.Outcome outcome = new Batch(store, 4, false, recorder).run(jobs(40, i -> {
        most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        four.countDown();
        return whenOpen(four, async).whenComplete((v, f) -> inFlight.decrementAndGet());
      }));
      assertThat(outcome).isEqualTo(new Batch.Outcome(40, 0, 0, List.of(), false));
    }
    assertThat(most.get()).isEqualTo(4);
    assertThat(recorder.succeeded).hasSize(40);
    assertThat(recorder.bytes.get()).isEqualTo(400);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void run_oneFailureDoesNotStopTheOthers_unlessFailFast(boolean async) {
    IntFunction<CompletionStage<?>> thirdFails = i -> i == 3
        ? CompletableFuture.failedFuture(new IllegalStateException("job 3 broke"))
        : CompletableFuture.completedFuture(null);
    try (Store store = fakeStore(async)) {
      Recorder all = new Recorder();
      Batch.Outcome outcome = new Batch(store, 2, false, all).run(jobs(10, thirdFails));
      assertThat(outcome.succeeded()).isEqualTo(9);
      assertThat(outcome.failed()).isEqualTo(1);
      assertThat(outcome.failures()).singleElement().extracting(Throwable::getMessage).isEqualTo("job 3 broke");
      assertThat(all.failed).containsExactly("job3");
      assertThat(ExitCodes.of(outcome)).isEqualTo(ExitCodes.PARTIAL);

      Recorder fast = new Recorder();
      Batch.Outcome stopped = new Batch(store, 1, true, fast).run(jobs(10, thirdFails));
      assertThat(stopped).isEqualTo(new Batch.Outcome(3, 1, 6, stopped.failures(), false));
      assertThat(fast.succeeded).containsExactlyInAnyOrder("job0", "job1", "job2");
    }
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void cancel_stopsNewWork_cancelsInFlight_andRunReturns(boolean async) throws Exception {
    CountDownLatch never = new CountDownLatch(1);
    CountDownLatch twoStarted = new CountDownLatch(2);
    List<CompletableFuture<?>> asyncStages = new java.util.concurrent.CopyOnWriteArrayList<>();
    try (Store store = fakeStore(async)) {
      Batch batch = new Batch(store, 2, false, new Recorder());
      CompletableFuture<Batch.Outcome> run = CompletableFuture.supplyAsync(() -> batch.run(jobs(10, i -> {
        twoStarted.countDown();
        if (async) {
          CompletableFuture<Void> pending = new CompletableFuture<>();
          asyncStages.add(pending);
          return pending;
        }
        return whenOpen(never, false);
      })));
      assertThat(twoStarted.await(30, TimeUnit.SECONDS)).isTrue();
      batch.cancel();
      Batch.Outcome outcome = run.get(30, TimeUnit.SECONDS);
      assertThat(outcome).isEqualTo(new Batch.Outcome(0, 0, 10, List.of(), true));
      assertThat(ExitCodes.of(outcome)).isEqualTo(ExitCodes.INTERRUPTED);
      assertThat(batch.awaitFinished(1)).isTrue();
      if (async) {
        assertThat(asyncStages).hasSize(2).allMatch(CompletableFuture::isCancelled);
      }
    }
  }

  private static Batch.Job job(String source, String target) {
    return new Plans.Job("test", source, target, 1, bytes -> CompletableFuture.completedFuture(null));
  }

  @Test
  void spread_takesTheDirectoriesInTurn_eachInItsGivenOrder() {
    List<Batch.Job> listed = List.of(
        job("s3://b/d0/a", "/tmp/out/d0/a"), job("s3://b/d0/b", "/tmp/out/d0/b"),
        job("s3://b/d0/c", "/tmp/out/d0/c"), job("s3://b/d1/a", "/tmp/out/d1/a"),
        job("s3://b/top", "/tmp/out/top"), job("s3://b/d1/b", "/tmp/out/d1/b"));
    assertThat(Batch.spread(listed)).extracting(Batch.Job::target).containsExactly(
        "/tmp/out/d0/a", "/tmp/out/d1/a", "/tmp/out/top", "/tmp/out/d0/b", "/tmp/out/d1/b",
        "/tmp/out/d0/c");
    // Deletes have no target: their sources' directories are spread instead.
    List<Batch.Job> deletes = List.of(job("s3://b/x/1", ""), job("s3://b/x/2", ""),
        job("s3://b/y/1", ""));
    assertThat(Batch.spread(deletes)).extracting(Batch.Job::source)
        .containsExactly("s3://b/x/1", "s3://b/y/1", "s3://b/x/2");
    // One directory: the order is unchanged.
    List<Batch.Job> one = List.of(job("a", "d/3"), job("b", "d/1"), job("c", "d/2"));
    assertThat(Batch.spread(one)).containsExactlyElementsOf(one);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void run_runsEveryJobOnce_inTheSpreadOrder_withOneLane(boolean async) {
    try (Store store = fakeStore(async)) {
      List<String> ran = java.util.Collections.synchronizedList(new ArrayList<>());
      List<Batch.Job> jobs = new ArrayList<>();
      for (int i = 0; i < 9; i++) {
        String target = "out/d" + (i / 3) + "/f" + i;
        jobs.add(new Plans.Job("test", "s" + i, target, 1, bytes -> {
          ran.add(target);
          return CompletableFuture.completedFuture(null);
        }));
      }
      Batch.Outcome outcome = new Batch(store, 1, false, new Recorder()).run(jobs);
      assertThat(outcome.succeeded()).isEqualTo(9);
      assertThat(ran).containsExactly("out/d0/f0", "out/d1/f3", "out/d2/f6", "out/d0/f1",
          "out/d1/f4", "out/d2/f7", "out/d0/f2", "out/d1/f5", "out/d2/f8");
    }
  }

  @Test
  void relative_isThePathUnderTheRoot_slashSeparated_forEveryKindOfRoot() {
    record Case(String root, String file, String relative) {}
    for (Case c : List.of(
        new Case("/tmp/tree", "/tmp/tree/a b/ü+%.txt", "a b/ü+%.txt"),
        new Case("tree", "tree/d/f", "d/f"),
        new Case(".", "./d/f", "d/f"),
        new Case("", "d/f", "d/f"),
        new Case("/", "/etc/hosts", "etc/hosts"),
        new Case("/tmp/tree", "/tmp/treehouse/f", "../treehouse/f"),
        new Case("../up", "../up/f", "f"))) {
      assertThat(Locations.relative(Path.of(c.root()), Path.of(c.file())))
          .as(c.toString()).isEqualTo(c.relative());
    }
  }

  @Test
  void walk_keysEveryFileByItsRelativePath(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    java.nio.file.Files.createDirectories(dir.resolve("a b/ü"));
    java.nio.file.Files.writeString(dir.resolve("top.txt"), "1");
    java.nio.file.Files.writeString(dir.resolve("a b/ü/x+%y.bin"), "22");
    assertThat(Locations.walk(dir, Filters.none()).keySet())
        .containsExactly("a b/ü/x+%y.bin", "top.txt");
    assertThat(Locations.walk(dir.resolve("a b"), Filters.none()))
        .containsOnlyKeys("ü/x+%y.bin")
        .extractingByKey("ü/x+%y.bin").extracting(Locations.Entry::size).isEqualTo(2L);
  }

  @Test
  void report_drawsOneAggregateLine_andASummary() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    long[] now = {0};
    Report report = new Report(
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), false, true, () -> now[0]);
    report.planned(4, 4096);
    Batch.Job job = jobs(1, i -> null).get(0);
    now[0] = 1_000_000_000L;
    report.bytes(job, 1024);
    assertThat(report.render(now[0])).isEqualTo("0/4 objects  1.0 KiB / 4.0 KiB  1.0 KiB/s  ETA 0:03");
    report.succeeded(job);
    report.summary("cp", new Batch.Outcome(1, 0, 3, List.of(), true));
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("test: job0\n");
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("\r\033[K0/4 objects  1.0 KiB / 4.0 KiB")
        .endsWith("cp: 1 done, 3 not done, 1.0 KiB in 1.0 s (1.0 KiB/s); interrupted\n");
  }

  @Test
  void checksum_comparesMd5OrMultipartEtag_asTheRemoteEtagIs(@org.junit.jupiter.api.io.TempDir Path dir)
      throws Exception {
    Path file = java.nio.file.Files.writeString(dir.resolve("f"), "hello world");
    java.security.MessageDigest md5 = java.security.MessageDigest.getInstance("MD5");
    java.util.HexFormat hex = java.util.HexFormat.of();
    String whole = hex.formatHex(md5.digest("hello world".getBytes(StandardCharsets.UTF_8)));
    java.io.ByteArrayOutputStream partMd5s = new java.io.ByteArrayOutputStream();
    for (String part : List.of("hello", " worl", "d")) {
      partMd5s.writeBytes(md5.digest(part.getBytes(StandardCharsets.UTF_8)));
    }
    String multipart = hex.formatHex(md5.digest(partMd5s.toByteArray())) + "-3";

    Locations.Entry local = new Locations.Entry("f", 11, null, null, file, null, null);
    Locations.Entry sameSingle = new Locations.Entry("f", 11, null, whole, null, "f", null);
    Locations.Entry sameMultipart = new Locations.Entry("f", 11, null, multipart, null, "f", null);
    Locations.Entry other = new Locations.Entry("f", 11, null, "0".repeat(32), null, "f", null);
    assertThat(Plans.changed(local, sameSingle, Plans.Compare.CHECKSUM, 5)).isFalse();
    assertThat(Plans.changed(sameSingle, local, Plans.Compare.CHECKSUM, 5)).isFalse();
    assertThat(Plans.changed(local, sameMultipart, Plans.Compare.CHECKSUM, 5)).isFalse();
    assertThat(Plans.changed(local, other, Plans.Compare.CHECKSUM, 5)).isTrue();
    assertThat(Plans.changed(local, sameMultipart, Plans.Compare.CHECKSUM, 4)).isTrue(); // other part size
    // ... unless the store reports the parts the object was uploaded in, asked only then.
    List<Locations.Entry> asked = new java.util.ArrayList<>();
    Plans.RemoteParts parts = remote -> {
      asked.add(remote);
      return List.of(5L, 5L, 1L);
    };
    assertThat(Plans.changed(local, sameMultipart, Plans.Compare.CHECKSUM, 4, parts)).isFalse();
    assertThat(Plans.changed(sameMultipart, local, Plans.Compare.CHECKSUM, 4, parts)).isFalse();
    assertThat(asked).containsExactly(sameMultipart, sameMultipart);
    assertThat(Plans.changed(local, sameMultipart, Plans.Compare.CHECKSUM, 5, parts)).isFalse();
    assertThat(asked).hasSize(2); // this tool's part size matched: nothing asked
    assertThat(Plans.changed(local, sameMultipart, Plans.Compare.CHECKSUM, 4, r -> List.of(4L, 4L, 3L)))
        .isTrue();
    assertThat(Plans.changed(local, other, Plans.Compare.CHECKSUM, 4, parts)).isTrue();
    assertThat(asked).hasSize(2); // a single-part ETag has no parts to ask for
  }

  @Test
  void sizeAndTime_comparesWholeSeconds() {
    java.time.Instant t = java.time.Instant.parse("2026-12-03T12:00:00.700Z");
    Locations.Entry local = new Locations.Entry("f", 3, t, null, Path.of("f"), null, null);
    Locations.Entry sameSecond =
        new Locations.Entry("f", 3, java.time.Instant.parse("2026-12-03T12:00:00Z"), "e", null, "f", null);
    Locations.Entry older =
        new Locations.Entry("f", 3, java.time.Instant.parse("2026-12-03T11:59:59Z"), "e", null, "f", null);
    Locations.Entry bigger = new Locations.Entry("f", 4, t.plusSeconds(60), "e", null, "f", null);
    assertThat(Plans.changed(local, sameSecond, Plans.Compare.SIZE_AND_TIME, 8)).isFalse();
    assertThat(Plans.changed(local, older, Plans.Compare.SIZE_AND_TIME, 8)).isTrue();
    assertThat(Plans.changed(local, bigger, Plans.Compare.SIZE_AND_TIME, 8)).isTrue();
  }

  @Test
  void filters_lastMatchWins_likeTheAwsCli() {
    Filters f = Filters.of(List.of(
        Filters.rule(false, "*"), Filters.rule(true, "*.txt"), Filters.rule(false, "tmp/*")));
    assertThat(f.accepts("a.txt")).isTrue();
    assertThat(f.accepts("deep/dir/a.txt")).isTrue();
    assertThat(f.accepts("tmp/a.txt")).isFalse();
    assertThat(f.accepts("a.bin")).isFalse();
    assertThat(Filters.none().accepts("anything")).isTrue();
    assertThat(Filters.of(List.of(Filters.rule(false, "[!a]?.log"))).accepts("bx.log")).isFalse();
    assertThat(Filters.of(List.of(Filters.rule(false, "[!a]?.log"))).accepts("ax.log")).isTrue();
    assertThat(Filters.of(List.of(Filters.rule(false, "100%+(1).txt"))).accepts("100%+(1).txt")).isFalse();
  }
}
