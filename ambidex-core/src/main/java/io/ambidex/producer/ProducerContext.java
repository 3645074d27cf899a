package io.ambidex.producer;

import org.jspecify.annotations.Nullable;

/**
 * What a {@link Producer} body talks to: it signals the end of its setup with {@link #started},
 * then hands over items with {@link #send}. Both return only when the consumer wants more, so the
 * body is plain blocking code and backpressure is automatic.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Thread</b>: only the thread that runs the body may call these methods (the context
 *       must not escape to other threads); any other thread gets {@link IllegalStateException}.
 *   <li><b>Order</b>: {@code started} exactly once, before the first {@code send}. Calling it
 *       twice, or {@code send} before it, throws {@link IllegalStateException}. A body that returns
 *       without calling it fails the producer (its consumer sees an {@link IllegalStateException}).
 *   <li><b>Backpressure</b>: {@code started} and {@code send} park the body's thread until the
 *       consumer has demand for another item (see {@link Producer.Builder#bufferSize}).
 *   <li><b>Cancellation</b>: once the consumer has closed or cancelled, the pending or next
 *       {@code started}/{@code send} throws {@link ProducerCancelledException}. If the body was
 *       running its own code at that moment, its thread is also interrupted once, so a blocking
 *       read or sleep ends early.
 * </ul>
 *
 * @param <T> the item type
 * @param <S> the type of the value handed over at the end of setup ({@link Void} for none)
 */
public interface ProducerContext<T, S extends @Nullable Object> {
  /**
   * Signals that setup is complete and hands {@code setupValue} to whoever waits for it (the
   * consumer's {@code setup()}), then waits until the consumer wants the first item.
   *
   * @param setupValue the value of the setup phase, may be null
   * @throws IllegalStateException if called twice ("started() was called twice"), or from another
   *     thread than the body's
   * @throws ProducerCancelledException if the consumer closed or cancelled the producer
   */
  void started(S setupValue);

  /**
   * Signals that setup is complete, with a null setup value. Same as {@code started(null)}.
   *
   * @throws IllegalStateException if called twice, or from another thread than the body's
   * @throws ProducerCancelledException if the consumer closed or cancelled the producer
   */
  void started();

  /**
   * Hands {@code item} to the consumer, then returns when the consumer wants another item.
   *
   * @param item the item, not null
   * @throws NullPointerException if {@code item} is null
   * @throws IllegalStateException if {@link #started} has not been called, or if called from
   *     another thread than the body's
   * @throws ProducerCancelledException if the consumer closed or cancelled the producer; the item
   *     may or may not have been delivered
   */
  void send(T item);

  /**
   * Returns true once the consumer has closed or cancelled the producer. A body doing long work
   * between two {@code send}s may poll it to stop early.
   */
  boolean isCancelled();
}
