package io.ambidex.tck;

import io.ambidex.stream.AsyncIterators;
import java.util.concurrent.Flow;
import org.reactivestreams.tck.flow.FlowPublisherVerification;

/**
 * The Reactive Streams TCK for {@code toPublisher(Supplier)}, which opens a source per subscriber
 * (so the optional multi-subscriber rules are verified too). Its failed publisher is one whose
 * supplier throws: the subscriber is refused with onSubscribe then onError.
 */
public class MultiSubscriberPublisherTckTest extends FlowPublisherVerification<Long> {
  public MultiSubscriberPublisherTckTest() {
    super(Tck.environment(), Tck.REFERENCE_DROP_MILLIS);
  }

  @Override
  public Flow.Publisher<Long> createFlowPublisher(long elements) {
    return AsyncIterators.toPublisher(() -> Tck.syncSource(elements));
  }

  @Override
  public Flow.Publisher<Long> createFailedFlowPublisher() {
    return AsyncIterators.<Long>toPublisher(
        () -> {
          throw new IllegalStateException("TCK: the source cannot be opened");
        });
  }
}
