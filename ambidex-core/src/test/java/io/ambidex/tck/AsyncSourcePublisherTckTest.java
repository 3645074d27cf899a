package io.ambidex.tck;

import io.ambidex.stream.AsyncIterators;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;
import org.testng.annotations.AfterClass;

/**
 * The Reactive Streams TCK for {@code toPublisher} over a paginated source whose pages arrive on
 * other threads.
 */
public class AsyncSourcePublisherTckTest extends FlowPublisherVerification<Long> {
  private final ExecutorService executor = Executors.newFixedThreadPool(2);

  public AsyncSourcePublisherTckTest() {
    super(Tck.environment(), Tck.REFERENCE_DROP_MILLIS);
  }

  @AfterClass
  public void stopExecutor() {
    executor.shutdownNow();
  }

  @Override
  public Flow.Publisher<Long> createFlowPublisher(long elements) {
    return AsyncIterators.toPublisher(Tck.asyncPaginatedSource(elements, executor));
  }

  @Override
  public Flow.Publisher<Long> createFailedFlowPublisher() {
    return AsyncIterators.toPublisher(Tck.asyncFailingSource(executor));
  }
}
