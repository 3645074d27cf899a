package io.ambidex.processor.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.CallFuture;
import io.ambidex.test.ApiParity;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.nio.file.NoSuchFileException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The facades generated from the blocking-first cores {@link DiskCore} and {@link PooledCore}. */
class BlockingCoreFacadesTest {
  @RegisterExtension
  static final ParityExtension<Disk, AsyncDisk> DISKS =
      ParityExtension.<Disk, AsyncDisk>builder()
          .blocking("in memory", TreeMap<String, String>::new, Disk::new)
          .async("in memory", TreeMap<String, String>::new, AsyncDisk::new)
          .build();

  @ParityTest
  void write_thenRead_returnsTheContent(Parity<Disk, AsyncDisk> parity, Map<String, String> files)
      throws Exception {
    parity.run(d -> d.write("a.txt", "hello")).async(a -> a.write("a.txt", "hello"));

    assertThat(parity.call(d -> d.read("a.txt")).async(a -> a.read("a.txt"))).isEqualTo("hello");
    assertThat(files).containsEntry("a.txt", "hello");
    assertThat(parity.call(d -> d.count()).async(a -> a.count())).isEqualTo(1);
  }

  @ParityTest
  void read_missingFile_failsWithTheSameException(Parity<Disk, AsyncDisk> parity) {
    assertThatThrownBy(() -> parity.call(d -> d.read("nope")).async(a -> a.read("nope")))
        .isExactlyInstanceOf(NoSuchFileException.class);
  }

  @ParityTest
  void write_emptyPath_failsWithIllegalArgument(Parity<Disk, AsyncDisk> parity) {
    assertThatThrownBy(() -> parity.run(d -> d.write("", "x")).async(a -> a.write("", "x")))
        .isExactlyInstanceOf(IllegalArgumentException.class);
  }

  @ParityTest
  void directory_returnsAFacadeOfTheSameKind(
      Parity<Disk, AsyncDisk> parity, Map<String, String> files) throws Exception {
    files.put("docs/a.txt", "x");

    String content =
        parity.isBlocking()
            ? parity.blocking().directory("docs").read("a.txt")
            : parity.async().directory("docs").get(10, TimeUnit.SECONDS).read("a.txt").get();

    assertThat(content).isEqualTo("x");
  }

  @ParityTest
  void close_closesTheCore(Parity<Disk, AsyncDisk> parity) throws Exception {
    parity.run(Disk::close).async(AsyncDisk::close);

    assertThat(parity.call(Disk::isClosed).async(AsyncDisk::isClosed)).isTrue();
  }

  @Test
  void async_runsEachCallOnANewVirtualThreadNamedAfterTheOperation() throws Exception {
    Thread thread = new AsyncDisk(new TreeMap<>()).thread().get(10, TimeUnit.SECONDS);

    assertThat(thread.isVirtual()).isTrue();
    assertThat(thread.getName()).isEqualTo("DiskCore.thread");
  }

  @Test
  void async_cancel_interruptsTheBlockedCall() throws Exception {
    AsyncDisk disk = new AsyncDisk(new TreeMap<>());
    CountDownLatch started = new CountDownLatch(1);
    CompletableFuture<Boolean> interrupted = new CompletableFuture<>();

    CallFuture<String> future = disk.block(started, interrupted);
    assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
    future.cancel(false);

    assertThat(interrupted.get(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
  }

  @Test
  void asyncExecutor_runsCallsOnTheAuthorsExecutor() throws Exception {
    ExecutorService pool = Executors.newSingleThreadExecutor(r -> new Thread(r, "author-pool"));
    try {
      AsyncPooled pooled = new AsyncPooled(pool);

      assertThat(pooled.thread().get(10, TimeUnit.SECONDS).getName()).isEqualTo("author-pool");
      assertThat(pooled.add(40, 2).get(10, TimeUnit.SECONDS)).isEqualTo(42L);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void facades_haveParallelShapes() {
    ApiParity.assertParallel(Disk.class, AsyncDisk.class);
  }
}
