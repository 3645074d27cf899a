package io.ambidex.mutiny.internal;

import io.ambidex.facade.FlavourCalls;
import java.util.Objects;
import java.util.concurrent.Flow;

/*
 * Relays a publisher and unwraps the failure it signals from CompletionException, as the blocking
 * facade's stream does. A subscriber in the middle, not a Mutiny operator: the operator
 * (onFailure().transform) checks request(n) itself and answers a non-positive n with its own
 * message, where the core's publisher names Reactive Streams rule 3.9 (the TCK's optional 3.9
 * check); this one hands the subscription through untouched.
 */
public final class UnwrappingPublisher<T> implements Flow.Publisher<T> {
  private final Flow.Publisher<T> source;

  public UnwrappingPublisher(Flow.Publisher<T> source) {
    this.source = Objects.requireNonNull(source, "source");
  }

  @Override
  public void subscribe(Flow.Subscriber<? super T> subscriber) {
    Objects.requireNonNull(subscriber, "subscriber");
    source.subscribe(
        new Flow.Subscriber<T>() {
          @Override
          public void onSubscribe(Flow.Subscription subscription) {
            subscriber.onSubscribe(subscription);
          }

          @Override
          public void onNext(T item) {
            subscriber.onNext(item);
          }

          @Override
          public void onError(Throwable failure) {
            subscriber.onError(FlavourCalls.unwrap(failure));
          }

          @Override
          public void onComplete() {
            subscriber.onComplete();
          }
        });
  }

  @Override
  public String toString() {
    return "unwrapping " + source;
  }
}
