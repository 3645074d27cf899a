package io.ambidex.tck;

import static org.testng.Assert.assertEquals;
import static org.testng.Assert.assertTrue;

import io.ambidex.producer.Producer;
import io.ambidex.testing.CountingVirtualThreadFactory;
import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import org.awaitility.Awaitility;
import org.reactivestreams.tck.TestEnvironment;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK (for {@code java.util.concurrent.Flow}) against {@link
 * Producer#publisher()}: each publisher runs a body that sends {@code elements} longs.
 *
 * <p>The failed publisher is a producer whose thread factory refuses to make a thread, which the
 * publisher reports with {@code onSubscribe} then {@code onError}.
 */
public class ProducerPublisherTckTest extends FlowPublisherVerification<Long> {
  /*
   * How long the TCK waits for a signal it expects. 500 ms was exceeded once under load (two busy
   * loops beside other builds, load average near 20: spec 3.12 "Did not receive expected element
   * within 500 ms"), a measure of the scheduler, not of the producer. Waits for a signal that must
   * NOT come keep a short bound, so the rules that check silence still take little time.
   */
  private static final long DEFAULT_TIMEOUT_MILLIS = 2_000;
  private static final long NO_SIGNAL_TIMEOUT_MILLIS = 300;
  private static final long GC_TIMEOUT_MILLIS = 2_000;

  private final CountingVirtualThreadFactory threads = new CountingVirtualThreadFactory("tck-");

  public ProducerPublisherTckTest() {
    super(
        new TestEnvironment(DEFAULT_TIMEOUT_MILLIS, NO_SIGNAL_TIMEOUT_MILLIS), GC_TIMEOUT_MILLIS);
  }

  @Override
  public Flow.Publisher<Long> createFlowPublisher(long elements) {
    return Producer.builder()
        .threadFactory(threads)
        .<Long, Void>build(ctx -> {
          ctx.started();
          for (long i = 0; i < elements; i++) {
            ctx.send(i);
          }
        })
        .publisher();
  }

  @Override
  public Flow.Publisher<Long> createFailedFlowPublisher() {
    return Producer.builder()
        .threadFactory(r -> {
          throw new RejectedExecutionException("no thread for this producer");
        })
        .<Long, Void>build(ctx -> ctx.started())
        .publisher();
  }

  /** Every run the TCK started has ended: no producer thread outlives its subscription. */
  @AfterClass
  public void noProducerThreadOutlivesTheVerification() {
    Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !threads.anyAlive());
    assertEquals(threads.alive(), 0, "producer threads still running");
    assertTrue(threads.created() > 30, "the verification ran producers on the counted threads");
  }
}
