package io.ambidex.internal;

import java.util.concurrent.Flow;

/**
 * Signals to a {@code Flow.Subscriber} from the core's publishers, which must survive a
 * subscriber that breaks rule 2.13 by throwing from a signal: the violation is logged (WARNING)
 * on the publisher's logger and the caller is told, so it can treat the subscription as
 * cancelled. Rule 1.9 forbids {@code subscribe()} to throw it, and a publisher's own thread must
 * not die of it.
 */
public final class Signals {
  private Signals() {}

  /** Calls {@code onSubscribe}; returns false, having logged it, if the subscriber threw. */
  public static boolean onSubscribe(
      System.Logger log, Flow.Subscriber<?> subscriber, Flow.Subscription subscription) {
    try {
      subscriber.onSubscribe(subscription);
      return true;
    } catch (Throwable violation) {
      log.log(System.Logger.Level.WARNING, "onSubscribe threw, in violation of rule 2.13",
          violation);
      return false;
    }
  }

  /** Calls {@code onError}; logs a throw, as there is nobody left to tell. */
  public static void onError(System.Logger log, Flow.Subscriber<?> subscriber, Throwable failure) {
    try {
      subscriber.onError(failure);
    } catch (Throwable violation) {
      log.log(System.Logger.Level.WARNING, "onError threw, in violation of rule 2.13", violation);
    }
  }

  /** Calls {@code onComplete}; logs a throw, as there is nobody left to tell. */
  public static void onComplete(System.Logger log, Flow.Subscriber<?> subscriber) {
    try {
      subscriber.onComplete();
    } catch (Throwable violation) {
      log.log(System.Logger.Level.WARNING, "onComplete threw, in violation of rule 2.13",
          violation);
    }
  }

  /**
   * Refuses a subscription: {@code onSubscribe} with {@code subscription} (rule 1.9: it comes
   * first, even for a refusal), then {@code onError} with {@code failure}, each violation logged.
   */
  public static void refuse(
      System.Logger log,
      Flow.Subscriber<?> subscriber,
      Flow.Subscription subscription,
      Throwable failure) {
    onSubscribe(log, subscriber, subscription);
    onError(log, subscriber, failure);
  }
}
