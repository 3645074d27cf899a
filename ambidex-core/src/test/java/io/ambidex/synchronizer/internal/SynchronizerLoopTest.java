package io.ambidex.synchronizer.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The loop's hand-over of tasks at its end, with the interleavings forced through its seams. */
@Timeout(10)
class SynchronizerLoopTest {

  /*
   * A submitter that passed admit() before the stop, and adds its task after the loop's last
   * poll: the loop is gone, so the task must come back to the submitter as a refusal, not sit in
   * a queue nobody reads (its caller would wait forever).
   */
  @Test
  void enqueue_afterTheLoopExited_refusesTheTask() throws Exception {
    SynchronizerLoop loop = new SynchronizerLoop("exit-race", true);
    loop.start();
    loop.admit(); // the loop is running: admitted

    loop.stop();
    loop.terminated().get(5, TimeUnit.SECONDS);
    AtomicBoolean ran = new AtomicBoolean();

    assertThatThrownBy(() -> loop.enqueue(() -> ran.set(true)))
        .isInstanceOf(RejectedExecutionException.class)
        .hasMessage("Synchronizer 'exit-race' is closed; its loop accepts no more tasks.");
    assertThat(ran).isFalse();
  }

  @Test
  void stop_runsWhatWasQueuedBeforeIt() throws Exception {
    SynchronizerLoop loop = new SynchronizerLoop("drain", true);
    AtomicBoolean ran = new AtomicBoolean();
    loop.execute(() -> ran.set(true)); // queued before the thread even starts
    loop.stop();
    loop.start();

    loop.terminated().get(5, TimeUnit.SECONDS);

    assertThat(ran).isTrue();
  }
}
