package io.ambidex.blob.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.ambidex.CallInterruptedException;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.SyncRuntime;
import io.ambidex.http.TransferProgress;
import io.ambidex.http.TransferProgress.Direction;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Which part exchanges a cancellation cuts and which it lets run to their response, on both paths,
 * with the exchange played by the test: each case's interleaving is forced, none is waited for.
 */
class PartExchangesTest {
  private static final long MIB = 1024 * 1024;
  private static final long LENGTH = 5 * MIB;

  private final AsyncRuntime async = AsyncRuntime.create();

  @AfterEach
  void close() throws Exception {
    async.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static final int CHUNK = 65_536;
  private static final java.util.Map<PartExchanges.Gate, Long> TAKEN =
      java.util.Collections.synchronizedMap(new java.util.IdentityHashMap<>());

  /*
   * Reports that the transport has taken the body up to `loaded`, one event per chunk of 64 KiB
   * as ProgressChunks does (the gate refuses larger steps); a smaller `loaded` is a retry.
   */
  private static void taken(PartExchanges.Gate gate, long loaded) throws Throwable {
    long from = TAKEN.getOrDefault(gate, 0L);
    long at = loaded < from ? loaded : Math.min(loaded, from + CHUNK);
    while (true) {
      CompletionStage<?> s =
          gate.listener(null).call(new TransferProgress(Direction.UPLOAD, at, LENGTH));
      assertThat(s).isNull();
      TAKEN.put(gate, at);
      if (at == loaded) {
        return;
      }
      at = Math.min(loaded, at + CHUNK);
    }
  }

  @Test
  void gate_cutWhileSending_refusesTheNextChunk() throws Throwable {
    PartExchanges.Gate gate = new PartExchanges(async, "part").gate(LENGTH);
    taken(gate, MIB);

    assertThat(gate.cut()).isTrue();
    assertThatThrownBy(() -> taken(gate, MIB + CHUNK))
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("cut");
  }

  @Test
  void gate_withinTheLastBytes_isInDoubt_andNotCut() throws Throwable {
    PartExchanges.Gate gate = new PartExchanges(async, "part").gate(LENGTH);
    taken(gate, LENGTH - PartExchanges.LAST_BYTES);

    assertThat(gate.cut()).isFalse();
    taken(gate, LENGTH); // the rest goes on
    assertThat(gate.toString()).contains("in doubt");
  }

  @Test
  void gate_aChunkLargerThanTheMargin_failsLoudly() throws Throwable {
    PartExchanges.Gate gate = new PartExchanges(async, "part").gate(LENGTH);
    taken(gate, CHUNK);
    long tooFar = CHUNK + PartExchanges.LAST_BYTES + 1;

    assertThatThrownBy(
            () -> gate.listener(null).call(new TransferProgress(Direction.UPLOAD, tooFar, LENGTH)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("LAST_BYTES");
  }

  @Test
  void gate_ofABodyNoLongerThanTheMargin_isInDoubtFromTheStart() {
    PartExchanges.Gate gate = new PartExchanges(async, "part").gate(PartExchanges.LAST_BYTES);

    assertThat(gate.cut()).isFalse();
  }

  @Test
  void gate_handedOver_refusesARetry_butNotTheAttemptInDoubt() throws Throwable {
    PartExchanges exchanges = new PartExchanges(async, "part");
    PartExchanges.Gate gate = exchanges.gate(LENGTH);
    CompletableFuture<String> server = new CompletableFuture<>();
    CompletionStage<String> lane = exchanges.send(gate, () -> server);
    taken(gate, LENGTH - CHUNK);

    lane.toCompletableFuture().cancel(true);

    taken(gate, LENGTH); // the attempt in doubt still finishes its body
    assertThatThrownBy(() -> taken(gate, CHUNK)) // a retry starts over: refused
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("not retried");
  }

  @Test
  void gate_handedOver_passesNoMoreEventsToTheCallersCallback() throws Throwable {
    PartExchanges exchanges = new PartExchanges(async, "part");
    PartExchanges.Gate gate = exchanges.gate(LENGTH);
    java.util.List<Long> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    io.ambidex.control.AsyncCallback<TransferProgress> listener =
        gate.listener(e -> {
          heard.add(e.loaded());
          throw new IllegalStateException("the caller's callback fails after its cancel");
        });
    CompletionStage<String> lane = exchanges.send(gate, () -> new CompletableFuture<>());
    taken(gate, LENGTH - 2 * CHUNK);
    assertThatThrownBy(
            () -> listener.call(new TransferProgress(Direction.UPLOAD, LENGTH - CHUNK, LENGTH)))
        .hasMessageContaining("after its cancel");

    lane.toCompletableFuture().cancel(true);

    assertThat(listener.call(new TransferProgress(Direction.UPLOAD, LENGTH, LENGTH))).isNull();
    assertThat(heard).containsExactly(LENGTH - CHUNK);
  }

  @Test
  void asyncLane_cancelledWhileSending_cutsTheExchange() throws Throwable {
    PartExchanges exchanges = new PartExchanges(async, "part");
    PartExchanges.Gate gate = exchanges.gate(LENGTH);
    CompletableFuture<String> server = new CompletableFuture<>();
    CompletionStage<String> lane = exchanges.send(gate, () -> server);
    taken(gate, MIB);

    lane.toCompletableFuture().cancel(true);

    assertThat(server).isCancelled();
    assertThat(exchanges.settle(Duration.ofSeconds(30)).toCompletableFuture()).isDone();
  }

  @Test
  void asyncLane_cancelledInDoubt_endsAtOnce_theExchangeRunsOn_andSettleWaitsForIt()
      throws Throwable {
    PartExchanges exchanges = new PartExchanges(async, "part");
    PartExchanges.Gate gate = exchanges.gate(LENGTH);
    CompletableFuture<String> server = new CompletableFuture<>();
    CompletionStage<String> lane = exchanges.send(gate, () -> server);
    taken(gate, LENGTH);

    lane.toCompletableFuture().cancel(true);
    CompletableFuture<?> settled = exchanges.settle(Duration.ofSeconds(30)).toCompletableFuture();

    assertThat(lane.toCompletableFuture()).isCancelled();
    assertThat(server).isNotDone();
    assertThat(settled).isNotDone();
    server.complete("\"etag\"");
    assertThat(settled).isDone();
  }

  @Test
  void settle_beforeTheCancellationReachesTheLanes_decidesItself_andRefusesNewParts()
      throws Throwable {
    PartExchanges exchanges = new PartExchanges(async, "part");
    PartExchanges.Gate sending = exchanges.gate(LENGTH);
    PartExchanges.Gate inDoubt = exchanges.gate(LENGTH);
    CompletableFuture<String> cut = new CompletableFuture<>();
    CompletableFuture<String> answering = new CompletableFuture<>();
    exchanges.send(sending, () -> cut);
    exchanges.send(inDoubt, () -> answering);
    taken(sending, MIB);
    taken(inDoubt, LENGTH);

    CompletableFuture<?> settled = exchanges.settle(Duration.ofSeconds(30)).toCompletableFuture();

    assertThat(cut).isCancelled();
    assertThat(answering).isNotDone();
    assertThat(settled).isNotDone();
    AtomicBoolean sent = new AtomicBoolean();
    CompletionStage<String> late =
        exchanges.send(exchanges.gate(LENGTH), () -> {
          sent.set(true);
          return new CompletableFuture<>();
        });
    assertThat(sent).isFalse();
    assertThat(late.toCompletableFuture()).isCompletedExceptionally();
    answering.complete("\"etag\"");
    assertThat(settled).isDone();
  }

  @Test
  void settle_whenTheBoundPasses_cutsTheExchangesStillInDoubt() throws Throwable {
    PartExchanges exchanges = new PartExchanges(async, "part");
    PartExchanges.Gate gate = exchanges.gate(LENGTH);
    CompletableFuture<String> silent = new CompletableFuture<>();
    exchanges.send(gate, () -> silent);
    taken(gate, LENGTH);

    CompletableFuture<?> settled = exchanges.settle(Duration.ofMillis(50)).toCompletableFuture();

    await().atMost(Duration.ofSeconds(10)).until(settled::isDone);
    assertThat(settled).isNotCompletedExceptionally();
    assertThat(silent).isCancelled();
  }

  @Test
  void blockingLane_interruptedInDoubt_returnsAtOnce_theExchangeThreadIsNotInterrupted()
      throws Exception {
    SyncRuntime sync = SyncRuntime.create();
    PartExchanges exchanges = new PartExchanges(sync, "part");
    PartExchanges.Gate gate = exchanges.gate(LENGTH);
    CountDownLatch waitingForResponse = new CountDownLatch(1);
    CountDownLatch response = new CountDownLatch(1);
    AtomicBoolean answered = new AtomicBoolean();
    AtomicBoolean exchangeInterrupted = new AtomicBoolean();
    AtomicReference<Throwable> laneFailure = new AtomicReference<>();
    Thread lane =
        new Thread(
            () ->
                exchanges
                    .send(
                        gate,
                        () -> {
                          try {
                            taken(gate, LENGTH); // the body is out: in doubt
                            waitingForResponse.countDown();
                            response.await();
                            answered.set(true);
                            return CompletableFuture.completedFuture("\"etag\"");
                          } catch (InterruptedException e) {
                            exchangeInterrupted.set(true);
                            return CompletableFuture.failedFuture(e);
                          } catch (Throwable e) {
                            return CompletableFuture.failedFuture(e);
                          }
                        })
                    .whenComplete((v, e) -> laneFailure.set(e)));
    lane.start();
    assertThat(waitingForResponse.await(10, TimeUnit.SECONDS)).isTrue();

    lane.interrupt();
    lane.join(10_000);

    assertThat(lane.isAlive()).isFalse();
    assertThat(laneFailure.get()).isInstanceOf(CallInterruptedException.class);
    assertThat(answered).as("the exchange still waits for its response").isFalse();
    AtomicBoolean answeredWhenSettled = new AtomicBoolean();
    Thread abort =
        new Thread(
            () -> {
              exchanges.settle(Duration.ofSeconds(30));
              answeredWhenSettled.set(answered.get());
            });
    abort.start();
    response.countDown();
    abort.join(10_000);
    assertThat(abort.isAlive()).isFalse();
    assertThat(answeredWhenSettled).as("settle waited for the response").isTrue();
    assertThat(exchangeInterrupted).isFalse();
  }

  @Test
  void blockingLane_interruptedWhileSending_interruptsTheExchangeThread() throws Exception {
    SyncRuntime sync = SyncRuntime.create();
    PartExchanges exchanges = new PartExchanges(sync, "part");
    PartExchanges.Gate gate = exchanges.gate(LENGTH);
    CountDownLatch writing = new CountDownLatch(1);
    CountDownLatch exchangeInterrupted = new CountDownLatch(1);
    AtomicReference<Throwable> laneFailure = new AtomicReference<>();
    Thread lane =
        new Thread(
            () ->
                exchanges
                    .send(
                        gate,
                        () -> {
                          try {
                            taken(gate, MIB);
                            writing.countDown();
                            new CountDownLatch(1).await(); // a write the server does not read
                            return CompletableFuture.completedFuture("\"etag\"");
                          } catch (InterruptedException e) {
                            exchangeInterrupted.countDown();
                            return CompletableFuture.failedFuture(e);
                          } catch (Throwable e) {
                            return CompletableFuture.failedFuture(e);
                          }
                        })
                    .whenComplete((v, e) -> laneFailure.set(e)));
    lane.start();
    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();

    lane.interrupt();

    assertThat(exchangeInterrupted.await(10, TimeUnit.SECONDS)).isTrue();
    lane.join(10_000);
    assertThat(laneFailure.get()).isInstanceOf(CallInterruptedException.class);
    assertThat(exchanges.settle(Duration.ofSeconds(30)).toCompletableFuture()).isDone();
  }
}
