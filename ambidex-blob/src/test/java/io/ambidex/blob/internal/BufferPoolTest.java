package io.ambidex.blob.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The pool of a ranged download's buffers: reuse, its two bounds, and what it refuses. */
class BufferPoolTest {
  @Test
  void take_givesACleared_directBuffer_ofTheCapacity_andReusesWhatWasGivenBack() {
    BufferPool pool = new BufferPool(4096, 4, 2);
    ByteBuffer first = pool.take();
    assertThat(first).isNotNull();
    assertThat(first.isDirect()).isTrue();
    assertThat(first.capacity()).isEqualTo(4096);
    first.put(new byte[100]).flip(); // left in any state by its holder
    pool.give(first);
    assertThat(pool.idle()).isEqualTo(1);
    assertThat(pool.out()).isZero();

    ByteBuffer again = pool.take();
    assertThat(again).isSameAs(first);
    assertThat(again.position()).isZero();
    assertThat(again.limit()).isEqualTo(4096);
    assertThat(pool.idle()).isZero();
    assertThat(pool.out()).isEqualTo(1);
  }

  @Test
  void givesNoneBeyondItsLimit_untilOneIsGivenBack() {
    BufferPool pool = new BufferPool(1024, 3, 2);
    List<ByteBuffer> taken = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      taken.add(pool.take());
    }
    Set<ByteBuffer> distinct = Collections.newSetFromMap(new IdentityHashMap<>());
    distinct.addAll(taken);
    assertThat(distinct).as("three distinct buffers").hasSize(3).doesNotContainNull();
    assertThat(pool.take()).as("a fourth, beyond the limit").isNull();
    assertThat(pool.out()).isEqualTo(3);

    pool.give(taken.get(0));
    assertThat(pool.take()).as("one given back, one to take").isSameAs(taken.get(0));
  }

  @Test
  void keepsAtMostItsIdleCount() {
    BufferPool pool = new BufferPool(1024, 3, 2);
    List<ByteBuffer> taken = List.of(pool.take(), pool.take(), pool.take());
    taken.forEach(pool::give);
    assertThat(pool.idle()).as("the third is left to the collector").isEqualTo(2);
    assertThat(pool.out()).isZero();

    BufferPool none = new BufferPool(1024, 1, 0);
    none.give(none.take());
    assertThat(none.idle()).isZero();
  }

  @Test
  void refusesABufferItCouldNotHaveMade_andBadSizes() {
    BufferPool pool = new BufferPool(1024, 1, 1);
    assertThatThrownBy(() -> pool.give(ByteBuffer.allocate(1024)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("direct buffer of 1024 bytes");
    assertThatThrownBy(() -> pool.give(ByteBuffer.allocateDirect(512)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(pool.idle()).isZero();
    assertThat(pool.out()).isZero();
    assertThatThrownBy(() -> new BufferPool(0, 1, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("capacity of at least 1");
    assertThatThrownBy(() -> new BufferPool(1, 0, 0)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BufferPool(1, 1, -1)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new BufferPool(1, 1, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("idle 2");
  }

  /* Many holders at once: no buffer is ever held by two, and never more than the limit are out. */
  @Test
  @Timeout(60)
  void concurrentHolders_neverShareABuffer_norExceedTheLimit() throws Exception {
    BufferPool pool = new BufferPool(64, 4, 2);
    Set<ByteBuffer> held =
        Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
    AtomicInteger most = new AtomicInteger();
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        work.add(
            threads.submit(
                () -> {
                  for (int i = 0; i < 20_000; i++) {
                    ByteBuffer b = pool.take();
                    if (b == null) {
                      continue; // four are out: this holder does without
                    }
                    assertThat(held.add(b)).as("a buffer held by two at once").isTrue();
                    most.accumulateAndGet(held.size(), Math::max);
                    b.putLong(0, i);
                    assertThat(b.getLong(0)).isEqualTo(i);
                    held.remove(b);
                    pool.give(b);
                  }
                }));
      }
      for (Future<?> f : work) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      threads.shutdownNow();
    }
    assertThat(most.get()).as("the most held at once").isBetween(1, 4);
    assertThat(pool.out()).isZero();
    assertThat(pool.idle()).isBetween(1, 2);
  }
}
