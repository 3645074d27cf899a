package io.ambidex.test;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What a soak compares before and after: the live threads by name, and the heap in use after a
 * collection. The thread set leaves out the threads a JVM starts once and keeps (and the JDK's
 * virtual-thread scheduler's carriers and delay scheduler, recognised by their class, the common
 * pool, JUnit, Awaitility, ambidex-http's process-wide deadline and pool-wait timers, and the
 * reclaimers of dropped responses and producer iterators), plus the prefixes a test names for its own servers' pools, so
 * that what remains are the threads the code under test started and did not end.
 *
 * <pre>{@code
 * Set<String> before = LeakCheck.liveThreads("qtp", "s3proxy");
 * long heap = LeakCheck.usedHeapAfterGc();
 * ... the soak ...
 * assertThat(LeakCheck.liveThreads("qtp", "s3proxy")).isSubsetOf(before);
 * assertThat(LeakCheck.usedHeapAfterGc() - heap).isLessThan(48L << 20);
 * }</pre>
 */
public final class LeakCheck {
  /** Threads started once per JVM and kept: not leaks of the code under test. */
  private static final List<String> PROCESS_WIDE =
      List.of(
          "ForkJoinPool.commonPool-", "Common-Cleaner", "awaitility", "MasterPoller",
          "VirtualThread-unblocker", "ambidex-http-deadline",
          "ambidex-http-pool-wait", "ambidex-http-reclaim", "ambidex-producer-reclaim", "junit-jupiter-timeout-watcher",
          "Attach Listener", "process reaper");

  /** The classes of the JDK's own pool threads, left out whatever their names. */
  private static final Set<String> JDK_POOL_THREADS =
      Set.of("jdk.internal.misc.CarrierThread", "java.util.concurrent.DelayScheduler");

  private LeakCheck() {}

  /**
   * Returns the names of the live threads, sorted, without the process-wide ones and those whose
   * name starts with one of {@code ignoredPrefixes}. Threads that share a name are counted: the
   * second is {@code "name #2"}, and so on, so that a leaked thread named like one that was
   * already there still shows.
   *
   * @param ignoredPrefixes name prefixes of threads the test itself runs (a server's pool)
   * @return the names
   */
  public static Set<String> liveThreads(String... ignoredPrefixes) {
    List<String> ignored =
        Stream.concat(PROCESS_WIDE.stream(), Stream.of(ignoredPrefixes)).toList();
    List<String> names =
        Thread.getAllStackTraces().keySet().stream()
            // The virtual-thread scheduler's carriers, by class: their "ForkJoinPool-N-worker-M"
            // names are those of any ForkJoinPool the code under test might leave running.
            // The same for the delay-scheduler thread that a JDK 25 pool starts for timed
            // waits (the carriers' pool has one): a leaked pool still shows by its workers.
            .filter(t -> !JDK_POOL_THREADS.contains(t.getClass().getName()))
            .map(Thread::getName)
            .filter(n -> ignored.stream().noneMatch(n::startsWith))
            .filter(n -> !n.endsWith("-Poller")) // the JDK's I/O pollers for virtual threads
            .sorted()
            .toList();
    // A set of plain names would fold a second thread of a name into the first: number them.
    Set<String> live = new TreeSet<>();
    for (int i = 0; i < names.size(); i++) {
      int same = 1;
      while (i + 1 < names.size() && names.get(i + 1).equals(names.get(i))) {
        i++;
        same++;
        live.add(names.get(i) + " #" + same);
      }
      live.add(names.get(i));
    }
    return live;
  }

  /**
   * Returns the heap in use after asking for three collections: an estimate of what is reachable,
   * good for "back near the baseline", not for exact figures.
   *
   * @return used heap bytes
   */
  public static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    Runtime rt = Runtime.getRuntime();
    return rt.totalMemory() - rt.freeMemory();
  }
}
