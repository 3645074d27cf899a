package io.ambidex.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.CallFuture;
import io.ambidex.context.ContextPropagation;
import io.ambidex.testing.ThreadLocalPropagator;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link AsyncIterators#resumeOn}: a consumer that waited goes on on the executor, never on the
 * thread that answered the source (an I/O thread, here a thread named {@code producer}); an answer
 * given at once costs no hand-off.
 */
@Timeout(30)
class ResumeOnTest {
  private final AtomicInteger poolThreads = new AtomicInteger();
  private final ExecutorService pool =
      Executors.newFixedThreadPool(
          2, r -> new Thread(r, "resume-pool-" + poolThreads.incrementAndGet()));
  private final ExecutorService producer =
      Executors.newSingleThreadExecutor(r -> new Thread(r, "producer"));

  @AfterEach
  void tearDown() throws InterruptedException {
    pool.shutdownNow();
    producer.shutdownNow();
    assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(producer.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  /** Answers each hasNext() with the next stage of {@code answers}, then false; items 1, 2, ... */
  static final class ScriptedSource implements AsyncIterator<Integer> {
    final Queue<CompletableFuture<Boolean>> answers;
    final List<CompletableFuture<Boolean>> given = new ArrayList<>();
    int taken;
    int closes;

    ScriptedSource(Queue<CompletableFuture<Boolean>> answers) {
      this.answers = answers;
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      CompletableFuture<Boolean> next = answers.poll();
      CompletableFuture<Boolean> answer = next == null ? CompletableFuture.completedFuture(false) : next;
      given.add(answer);
      return answer;
    }

    @Override
    public Integer next() {
      return ++taken;
    }

    @Override
    public CompletionStage<Void> close() {
      closes++;
      return CompletableFuture.completedFuture(null);
    }
  }

  private static ScriptedSource source(CompletableFuture<Boolean> answer) {
    return new ScriptedSource(new ArrayDeque<>(List.of(answer)));
  }

  private static String thread() {
    return Thread.currentThread().getName();
  }

  @Test
  void anAnswerGivenAtOnce_isPassedThrough_andItsConsumerStaysOnItsThread() {
    CompletableFuture<Boolean> ready = CompletableFuture.completedFuture(true);
    AsyncIterator<Integer> it = AsyncIterators.resumeOn(source(ready), pool);

    CompletionStage<Boolean> answer = it.hasNext();

    assertThat(answer).as("the source's own stage, no relay").isSameAs(ready);
    List<String> ranOn = new ArrayList<>();
    answer.thenRun(() -> ranOn.add(thread()));
    assertThat(ranOn).containsExactly(thread());
    assertThat(it.next()).isEqualTo(1);
    assertThat(poolThreads).as("no hand-off").hasValue(0);
  }

  @Test
  void aConsumerThatWaited_goesOnOnTheExecutor_notOnTheThreadThatAnswered() throws Exception {
    CompletableFuture<Boolean> pending = new CompletableFuture<>();
    AsyncIterator<Integer> it = AsyncIterators.resumeOn(source(pending), pool);

    CompletableFuture<String> ranOn = it.hasNext().thenApply(has -> thread()).toCompletableFuture();
    producer.execute(() -> pending.complete(true));

    assertThat(ranOn.get(10, TimeUnit.SECONDS)).startsWith("resume-pool-");
    assertThat(it.next()).isEqualTo(1);
  }

  @Test
  void aFailureOfTheSource_reachesTheConsumerOnTheExecutor() throws Exception {
    CompletableFuture<Boolean> pending = new CompletableFuture<>();
    AsyncIterator<Integer> it = AsyncIterators.resumeOn(source(pending), pool);
    IllegalStateException boom = new IllegalStateException("boom");

    CompletableFuture<String> seen =
        it.hasNext()
            .handle((has, failure) -> thread() + " " + failure)
            .toCompletableFuture();
    producer.execute(() -> pending.completeExceptionally(boom));

    assertThat(seen.get(10, TimeUnit.SECONDS))
        .startsWith("resume-pool-")
        .endsWith(boom.toString());
  }

  /**
   * The shape an async transport's body has: answers that are sometimes ready and sometimes come
   * from the producer later. Every item of a forEach is handled on the caller's thread (items
   * ready before the first wait) or on the executor, none on the producer.
   */
  @Test
  void forEach_overAMixOfReadyAndLateAnswers_neverRunsOnTheProducer() throws Exception {
    Random random = new Random(11);
    ArrayDeque<CompletableFuture<Boolean>> answers = new ArrayDeque<>();
    List<CompletableFuture<Boolean>> late = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      if (random.nextInt(3) == 0) {
        answers.add(CompletableFuture.completedFuture(true));
      } else {
        CompletableFuture<Boolean> f = new CompletableFuture<>();
        answers.add(f);
        late.add(f);
      }
    }
    ScriptedSource source = new ScriptedSource(answers);
    ConcurrentLinkedQueue<String> threads = new ConcurrentLinkedQueue<>();
    AtomicInteger items = new AtomicInteger();
    String caller = thread();

    CallFuture<@Nullable Void> done =
        AsyncIterators.forEach(
            AsyncIterators.resumeOn(source, pool),
            item -> {
              threads.add(thread());
              items.incrementAndGet();
            });
    producer.execute(
        () -> {
          for (CompletableFuture<Boolean> f : late) {
            f.complete(true);
          }
        });

    done.get(20, TimeUnit.SECONDS);
    assertThat(items).hasValue(2_000);
    assertThat(threads).allSatisfy(t -> assertThat(t).matches(caller + "|resume-pool-\\d+"));
    assertThat(threads).anyMatch(t -> t.startsWith("resume-pool-"));
    assertThat(source.closes).isEqualTo(1);
  }

  @Test
  void cancellingAWaitingHasNext_cancelsTheSourcesStage() {
    CompletableFuture<Boolean> pending = new CompletableFuture<>();
    AsyncIterator<Integer> it = AsyncIterators.resumeOn(source(pending), pool);

    CompletionStage<Boolean> answer = it.hasNext();
    answer.toCompletableFuture().cancel(true);

    assertThat(pending).isCancelled();
    assertThat(poolThreads).as("nobody to resume").hasValue(0);
  }

  @Test
  void close_closesTheSource_cancelsTheWaitingHasNext_andRefusesLaterCalls() throws Exception {
    CompletableFuture<Boolean> pending = new CompletableFuture<>();
    ScriptedSource source = source(pending);
    AsyncIterator<Integer> it = AsyncIterators.resumeOn(source, pool);
    CompletableFuture<Boolean> answer = it.hasNext().toCompletableFuture();

    it.close().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(source.closes).isEqualTo(1);
    assertThat(answer).isCancelled();
    assertThat(pending).as("the source's stage, through the relay").isCancelled();
    assertThatThrownBy(it::hasNext)
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
    assertThatThrownBy(it::next).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anExecutorThatRefuses_failsTheHasNext_namingTheCause() throws Exception {
    ExecutorService stopped = Executors.newSingleThreadExecutor();
    stopped.shutdown();
    CompletableFuture<Boolean> pending = new CompletableFuture<>();
    AsyncIterator<Integer> it = AsyncIterators.resumeOn(source(pending), stopped);

    CompletableFuture<Boolean> answer = it.hasNext().toCompletableFuture();
    pending.complete(true);

    assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("refused")
        .hasMessageContaining("shut down")
        .hasCauseInstanceOf(RejectedExecutionException.class);
  }

  @Test
  void theCallersContext_isRestoredWhereTheConsumerGoesOn() throws Exception {
    ThreadLocalPropagator propagator = new ThreadLocalPropagator();
    ContextPropagation.Registration registration = ContextPropagation.register(propagator);
    try {
      propagator.local.set("caller");
      CompletableFuture<Boolean> pending = new CompletableFuture<>();
      AsyncIterator<Integer> it = AsyncIterators.resumeOn(source(pending), pool);

      CompletableFuture<String> seen =
          it.hasNext()
              .thenApply(has -> thread() + " " + propagator.local.get())
              .toCompletableFuture();
      producer.execute(() -> pending.complete(true));

      assertThat(seen.get(10, TimeUnit.SECONDS)).matches("resume-pool-\\d+ caller");
    } finally {
      propagator.local.remove();
      registration.close();
    }
  }

  @Test
  void nullArguments_areRefusedAtTheCall() {
    assertThatThrownBy(() -> AsyncIterators.resumeOn(null, pool))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("source");
    assertThatThrownBy(() -> AsyncIterators.resumeOn(AsyncIterators.empty(), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining("executor");
  }

  @Test
  void cancellationOfTheSourcesStage_reachesTheConsumerAsACancellation() throws Exception {
    CompletableFuture<Boolean> pending = new CompletableFuture<>();
    AsyncIterator<Integer> it = AsyncIterators.resumeOn(source(pending), pool);
    CompletableFuture<Boolean> answer = it.hasNext().toCompletableFuture();

    pending.cancel(true);

    assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
        .isInstanceOf(CancellationException.class);
  }
}
