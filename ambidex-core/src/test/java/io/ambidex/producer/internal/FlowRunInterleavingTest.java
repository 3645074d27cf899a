package io.ambidex.producer.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Interleavings of a producer's Flow subscription forced step by step on one thread: the test
 * calls the two halves of the start (claim, then start) itself, and the subscriber's second
 * thread in between.
 */
@Timeout(10)
class FlowRunInterleavingTest {

  /** Records the signals; requests 5 in onSubscribe. */
  static final class Recorder implements Flow.Subscriber<Integer> {
    final List<Object> signals = new CopyOnWriteArrayList<>();

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(5);
    }

    @Override
    public void onNext(Integer item) {
      signals.add(item);
    }

    @Override
    public void onError(Throwable failure) {
      signals.add(failure);
    }

    @Override
    public void onComplete() {
      signals.add("complete");
    }
  }

  /*
   * The subscribing thread claims the run (IDLE to RUNNING); before it starts the body, another
   * thread calls request(0), sees RUNNING and cancels the body, which makes the start a no-op.
   * The body never runs, so it can never signal: the starter must signal the rule 3.9 error.
   */
  @Test
  void badRequest_betweenTheClaimAndTheStart_isSignalledByTheStarter() {
    Recorder subscriber = new Recorder();
    FlowRun<Integer, Void> run =
        FlowRun.open(
            ctx -> {
              ctx.started();
              ctx.send(1);
            },
            Thread.ofVirtual().factory(),
            Duration.ZERO,
            subscriber);
    assertThat(run).isNotNull();

    assertThat(run.claimRunning()).isTrue();
    run.request(0); // the subscriber's other thread
    run.startClaimed();

    assertThat(subscriber.signals).hasSize(1);
    assertThat(subscriber.signals.get(0))
        .isInstanceOf(IllegalArgumentException.class)
        .asString()
        .contains("Rule 3.9");
    assertThat(run.wasStarted()).as("the body's thread started").isFalse();
  }

  @Test
  void cancel_betweenTheClaimAndTheStart_signalsNothing() {
    Recorder subscriber = new Recorder();
    FlowRun<Integer, Void> run =
        FlowRun.open(ctx -> ctx.started(), Thread.ofVirtual().factory(), Duration.ZERO, subscriber);
    assertThat(run).isNotNull();

    assertThat(run.claimRunning()).isTrue();
    run.cancel();
    run.startClaimed();

    assertThat(subscriber.signals).isEmpty();
    assertThat(run.wasStarted()).isFalse();
  }
}
