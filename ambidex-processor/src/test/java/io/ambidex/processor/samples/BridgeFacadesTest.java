package io.ambidex.processor.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.test.ApiParity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The facades generated with the caller-drained and blocking-wait bridges. */
class BridgeFacadesTest {
  private final ExecutorService pool = Executors.newFixedThreadPool(2);

  @AfterEach
  void shutdown() {
    pool.shutdownNow();
  }

  @Test
  void callerDrained_sleepAndContinuation_runOnTheCallingThread() {
    try (DrainedClock clock = new DrainedClock()) {
      assertThat(clock.threadAfter(Duration.ofMillis(5))).isSameAs(Thread.currentThread());
    }
  }

  @Test
  void callerDrained_asyncFacade_runsTheContinuationElsewhere() throws Exception {
    AsyncClock clock = new AsyncClock();
    try {
      // Long enough that the sleep cannot end before the core registers its continuation.
      assertThat(clock.threadAfter(Duration.ofMillis(200)).get(10, TimeUnit.SECONDS))
          .isNotSameAs(Thread.currentThread());
    } finally {
      clock.close().get(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void callerDrained_stream_pullsEachItemOnTheCallingThread() {
    try (DrainedClock clock = new DrainedClock();
        Stream<Integer> ticks = clock.ticks(3, Duration.ofMillis(1))) {
      assertThat(ticks.toList()).containsExactly(1, 2, 3);
    }
  }

  @Test
  void blockingWait_stageCompletedElsewhere_isWaitedFor() throws Exception {
    RemoteClient client = new RemoteClient(pool);

    assertThat(client.echo("hi")).isEqualTo("hi");
  }

  @Test
  void blockingWait_declaredCheckedFailure_isThrownAsItIs() {
    RemoteClient client = new RemoteClient(pool);

    assertThatThrownBy(() -> client.echo("missing")).isExactlyInstanceOf(StoreException.class);
  }

  @Test
  void blockingWait_interrupted_cancelsTheCoresStage() {
    RemoteClient client = new RemoteClient(pool);
    Thread.currentThread().interrupt();
    try {
      assertThatThrownBy(client::hang).isInstanceOf(CallInterruptedException.class);
    } finally {
      assertThat(Thread.interrupted()).isTrue();
    }
    assertThat(client.hanging()).hasSize(1);
    assertThat(client.hanging().get(0)).isCancelled();
  }

  @Test
  void blockingWait_asyncFacadeCancelled_cancelsTheCoresStage() {
    AsyncRemoteClient client = new AsyncRemoteClient(pool);

    CallFuture<String> future = client.hang();
    future.cancel(false);

    assertThat(client.hanging().get(0)).isCancelled();
  }

  @Test
  void blockingWait_publisherStream_waitsForEachItem() {
    RemoteClient client = new RemoteClient(pool);

    try (Stream<Integer> numbers = client.count(4)) {
      assertThat(numbers.toList()).containsExactly(1, 2, 3, 4);
    }
  }

  @Test
  void facades_haveParallelShapes() {
    ApiParity.assertParallel(DrainedClock.class, AsyncClock.class);
    ApiParity.assertParallel(RemoteClient.class, AsyncRemoteClient.class);
  }

  @Test
  void syncPassThrough_returnsTheCoresValue() {
    List<?> hanging = new RemoteClient(pool).hanging();
    assertThat(hanging).isEmpty();
  }
}
