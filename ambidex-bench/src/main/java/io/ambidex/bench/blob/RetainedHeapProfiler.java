package io.ambidex.bench.blob;

import com.sun.management.GarbageCollectionNotificationInfo;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * What the client holds, rather than the garbage it makes: a JMH profiler (run it with {@code -prof
 * io.ambidex.bench.blob.RetainedHeapProfiler}) that reports per iteration, in the benchmark's
 * forked JVM:
 *
 * <ul>
 *   <li>{@code heap.retained.max} (MiB): the largest heap occupancy <em>right after</em> a
 *       collection among the collections that ended during the iteration (the sum over the heap
 *       pools of {@link GarbageCollectionNotificationInfo}'s usage after GC). Right after a
 *       collection the heap holds what is reachable plus, with G1, old-generation objects that
 *       died since the last marking; so each sample is an upper bound of what was live at that
 *       moment, and the maximum is a sampled (lower-bound) estimate of the peak. It is meaningful
 *       only with enough collections: see the next figure.
 *   <li>{@code heap.gcs} (count): the collections that ended during the iteration.
 *   <li>{@code direct.max} (MiB): the largest {@code direct} buffer pool occupancy (memory of
 *       {@code ByteBuffer.allocateDirect}, which Netty's pooled buffers use by default), sampled
 *       every 10 ms by a daemon thread and at each collection.
 * </ul>
 *
 * <p>Iterations aggregate by their maximum. Heap figures after GC are used rather than peak pool
 * usage, which counts garbage and so mostly shows the collector's sizing policy.
 */
public final class RetainedHeapProfiler implements InternalProfiler {
  private static final double MIB = 1024.0 * 1024.0;

  private final Set<String> heapPools =
      ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP)
          .map(MemoryPoolMXBean::getName)
          .collect(Collectors.toUnmodifiableSet());
  private final BufferPoolMXBean direct =
      ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
          .filter(b -> b.getName().equals("direct"))
          .findFirst()
          .orElseThrow(() -> new IllegalStateException("This JVM has no 'direct' buffer pool bean"));
  private final AtomicLong retainedMax = new AtomicLong();
  private final AtomicLong gcs = new AtomicLong();
  private final AtomicLong directMax = new AtomicLong();
  private final NotificationListener listener = this::onGc;
  private volatile boolean sampling;
  private Thread sampler;

  /** Creates the profiler (JMH does, from {@code -prof}). */
  public RetainedHeapProfiler() {}

  @Override
  public String getDescription() {
    return "largest heap occupancy after GC, GC count, and sampled direct-buffer peak";
  }

  @Override
  public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
    retainedMax.set(0);
    gcs.set(0);
    directMax.set(direct.getMemoryUsed());
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      ((NotificationEmitter) gc).addNotificationListener(listener, null, null);
    }
    sampling = true;
    sampler =
        Thread.ofPlatform()
            .daemon(true)
            .name("retained-heap-profiler")
            .start(
                () -> {
                  while (sampling) {
                    directMax.accumulateAndGet(direct.getMemoryUsed(), Math::max);
                    try {
                      Thread.sleep(10);
                    } catch (InterruptedException e) {
                      return;
                    }
                  }
                });
  }

  @Override
  public List<Result<?>> afterIteration(
      BenchmarkParams benchmarkParams, IterationParams iterationParams, IterationResult result) {
    sampling = false;
    sampler.interrupt();
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      try {
        ((NotificationEmitter) gc).removeNotificationListener(listener);
      } catch (ListenerNotFoundException e) {
        throw new IllegalStateException("The GC listener was not registered on " + gc.getName(), e);
      }
    }
    directMax.accumulateAndGet(direct.getMemoryUsed(), Math::max);
    return List.of(
        new ScalarResult("heap.retained.max", retainedMax.get() / MIB, "MiB", AggregationPolicy.MAX),
        new ScalarResult("heap.gcs", gcs.get(), "#", AggregationPolicy.MAX),
        new ScalarResult("direct.max", directMax.get() / MIB, "MiB", AggregationPolicy.MAX));
  }

  private void onGc(Notification notification, Object handback) {
    if (!notification.getType().equals(GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
      return;
    }
    GarbageCollectionNotificationInfo info =
        GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
    long used = 0;
    for (Map.Entry<String, MemoryUsage> pool : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
      if (heapPools.contains(pool.getKey())) {
        used += pool.getValue().getUsed();
      }
    }
    gcs.incrementAndGet();
    retainedMax.accumulateAndGet(used, Math::max);
    directMax.accumulateAndGet(direct.getMemoryUsed(), Math::max);
  }
}
