package io.ambidex.test;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link LeakCheck#liveThreads}: what it leaves out, and that it hides no thread left running. */
@Timeout(30)
class LeakCheckTest {
  @Test
  void liveThreads_aForkJoinPoolLeftRunning_isReported() throws Exception {
    Set<String> before = LeakCheck.liveThreads();
    ForkJoinPool leaked = new ForkJoinPool(1);
    try {
      leaked.submit(() -> {}).get(10, TimeUnit.SECONDS); // starts its worker, which stays

      assertThat(LeakCheck.liveThreads())
          .as("a pool the code under test started and did not end")
          .anyMatch(name -> name.startsWith("ForkJoinPool-") && !before.contains(name));
    } finally {
      leaked.shutdownNow();
    }
  }

  @Test
  void liveThreads_virtualThreadCarriersAndTheCommonPool_areLeftOut() throws Exception {
    // Starts a carrier of the JDK's scheduler, and (JDK 25) its pool's delay scheduler.
    Thread.ofVirtual().start(() -> sleepQuietly(1)).join();
    ForkJoinPool.commonPool().submit(() -> {}).get(10, TimeUnit.SECONDS);
    CompletableFuture.runAsync(() -> {}, CompletableFuture.delayedExecutor(1, MILLISECONDS))
        .get(10, TimeUnit.SECONDS);

    assertThat(LeakCheck.liveThreads()).noneMatch(name -> name.startsWith("ForkJoinPool"));
  }

  @Test
  void liveThreads_aSecondThreadOfTheSameName_isReported() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    Runnable parked =
        () -> {
          try {
            release.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        };
    Thread first = Thread.ofPlatform().name("leak-check-twin").start(parked);
    Thread second = null;
    try {
      Set<String> before = LeakCheck.liveThreads();
      second = Thread.ofPlatform().name("leak-check-twin").start(parked);

      assertThat(LeakCheck.liveThreads())
          .as("a second timer of the same name is a leak too")
          .isNotEqualTo(before)
          .containsAll(before);
    } finally {
      release.countDown();
      first.join();
      if (second != null) {
        second.join();
      }
    }
  }

  @Test
  void liveThreads_ambidexHttpsProcessWideTimers_areLeftOut() throws Exception {
    // Each is started once per JVM, lazily: by the first pool wait of a soak, say.
    CountDownLatch release = new CountDownLatch(1);
    List<Thread> timers = new ArrayList<>();
    for (String name : List.of("ambidex-http-deadline", "ambidex-http-pool-wait")) {
      timers.add(Thread.ofPlatform().name(name).daemon(true).start(() -> awaitQuietly(release)));
    }
    try {
      assertThat(LeakCheck.liveThreads()).noneMatch(name -> name.startsWith("ambidex-http-"));
    } finally {
      release.countDown();
      for (Thread timer : timers) {
        timer.join();
      }
    }
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void awaitQuietly(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
