package io.ambidex.tck;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.reactivestreams.tck.flow.FlowSubscriberBlackboxVerification;

/**
 * The Reactive Streams TCK (black box) for the {@code Flow.Subscriber} inside {@code
 * fromPublisher}. The subscriber is obtained through the public API only: a publisher that hands
 * it over when the iterator's first {@code hasNext()} subscribes.
 */
public class FromPublisherSubscriberTckTest extends FlowSubscriberBlackboxVerification<Integer> {
  public FromPublisherSubscriberTckTest() {
    super(Tck.environment());
  }

  @Override
  public Flow.Subscriber<Integer> createFlowSubscriber() {
    AtomicReference<Flow.Subscriber<? super Integer>> captured = new AtomicReference<>();
    Flow.Publisher<Integer> capturing = captured::set;
    AsyncIterator<Integer> it = AsyncIterators.fromPublisher(capturing, 16);
    it.hasNext(); // subscribes: the publisher above captures the subscriber
    return new Flow.Subscriber<Integer>() { // only narrows the type: every signal goes through
      private final Flow.Subscriber<? super Integer> target = captured.get();

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        target.onSubscribe(subscription);
      }

      @Override
      public void onNext(Integer item) {
        target.onNext(item);
      }

      @Override
      public void onError(Throwable failure) {
        target.onError(failure);
      }

      @Override
      public void onComplete() {
        target.onComplete();
      }
    };
  }

  @Override
  public Integer createElement(int element) {
    return element;
  }
}
