package io.ambidex.tck;

import io.ambidex.stream.AsyncIterators;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

/** The Reactive Streams TCK for {@code toPublisher} over a source whose stages are complete. */
public class SyncSourcePublisherTckTest extends FlowPublisherVerification<Long> {
  public SyncSourcePublisherTckTest() {
    super(Tck.environment(), Tck.REFERENCE_DROP_MILLIS);
  }

  @Override
  public Flow.Publisher<Long> createFlowPublisher(long elements) {
    return AsyncIterators.toPublisher(Tck.syncSource(elements));
  }

  @Override
  public Flow.Publisher<Long> createFailedFlowPublisher() {
    return AsyncIterators.toPublisher(
        AsyncIterators.<Long>failed(new IllegalStateException("TCK: failed source")));
  }
}
