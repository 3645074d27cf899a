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

  /* Reports that the transport has taken `loaded` bytes of the body, as ProgressChunks does. */
  private static void taken(PartExchanges.Gate gate, long loaded) throws Throwable {
    CompletionStage<?> s =
        gate.listener(null).call(new TransferProgress(Direction.UPLOAD, loaded, LENGTH));
    assertThat(s).isNull();
  }

  @Test
  void gate_cutWhileSending_refusesTheNextChunk() throws Throwable {
    PartExchanges.Gate gate = new PartExchanges(async, "part").gate(LENGTH);
    taken(gate, MIB);

    assertThat(gate.cut()).isTrue();
    assertThatThrownBy(() -> taken(gate, MIB + 65_536))
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
    taken(gate, LENGTH - 65_536);

    lane.toCompletableFuture().cancel(true);

    taken(gate, LENGTH); // the attempt in doubt still finishes its body
    assertThatThrownBy(() -> taken(gate, 65_536)) // a retry starts over: refused
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("not retried");
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
    AtomicReference<CompletableFuture<?>> settled = new AtomicReference<>();
    Thread abort =
        new Thread(() -> settled.set(exchanges.settle(Duration.ofSeconds(30)).toCompletableFuture()));
    abort.start();
    assertThat(abort.isAlive()).as("settle waits for the response").isTrue();
    response.countDown();
    abort.join(10_000);
    assertThat(abort.isAlive()).isFalse();
    assertThat(settled.get()).isDone();
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
