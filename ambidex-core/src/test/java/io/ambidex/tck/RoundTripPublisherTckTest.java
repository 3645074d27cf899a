package io.ambidex.tck;

import io.ambidex.stream.AsyncIterators;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK for a publisher built on {@code fromPublisher} (prefetch 4): {@code
 * toPublisher(map(fromPublisher(toPublisher(async source))))}. It exercises the subscriber side
 * of fromPublisher (demand refills, cancel, termination) under the TCK's subscribers.
 */
public class RoundTripPublisherTckTest extends FlowPublisherVerification<Long> {
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  public RoundTripPublisherTckTest() {
    super(Tck.environment(), Tck.REFERENCE_DROP_MILLIS);
  }

  @AfterClass
  public void stopExecutor() {
    executor.shutdownNow();
  }

  @Override
  public Flow.Publisher<Long> createFlowPublisher(long elements) {
    Flow.Publisher<Long> inner =
        AsyncIterators.toPublisher(Tck.asyncPaginatedSource(elements, executor));
    return AsyncIterators.toPublisher(
        AsyncIterators.map(AsyncIterators.fromPublisher(inner, 4), x -> x));
  }

  @Override
  public Flow.Publisher<Long> createFailedFlowPublisher() {
    Flow.Publisher<Long> inner = AsyncIterators.toPublisher(Tck.asyncFailingSource(executor));
    return AsyncIterators.toPublisher(AsyncIterators.fromPublisher(inner, 4));
  }
}
