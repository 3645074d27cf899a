package io.ambidex.producer;

import io.ambidex.stream.CloseableIterator;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The blocking consumer of one run of a {@link Producer}: the setup value first, if wanted, then
 * the items. Obtained from {@link Producer#iterator()}; use it in try-with-resources.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Lazy</b>: the body's thread starts at the first {@link #setup()}, {@link #hasNext()}
 *       or {@link #next()}; an iterator that is closed before that never runs the body.
 *   <li><b>Thread</b>: the calling thread parks (after a short spin) while it waits for the
 *       producer; the {@link io.ambidex.BlockingGuard} is consulted before it parks. Items are
 *       drained in batches: a consumer that keeps up never parks per item. One consumer thread at
 *       a time; only {@link #close()} may be called from another thread.
 *   <li><b>Failures</b>, translated by the <a href="../package-summary.html#translation">exception
 *       table of {@code io.ambidex}</a> (same type, the caller's stack attached): a failure of
 *       the body before {@code started()} is thrown by {@code setup()} or by the first {@code
 *       hasNext()}; a failure after it is thrown by the {@code hasNext()} that follows the last
 *       item sent before it, and by every later one. A body that returns without calling {@code
 *       started()} fails with {@link IllegalStateException}.
 *   <li><b>End</b>: when {@code hasNext()} returns false or throws the body's failure, the body's
 *       thread has ended.
 *   <li><b>Interrupt</b>: a thread interrupted while it waits closes the iterator (cancelling the
 *       producer), keeps its interrupt flag and gets {@link io.ambidex.CallInterruptedException}.
 *   <li><b>Close</b>: see {@link #close()}. After close, {@code setup()} returns the setup value
 *       if it had arrived, and everything else throws {@link IllegalStateException}.
 * </ul>
 *
 * @param <T> the item type
 * @param <S> the setup value's type
 */
public interface ProducerIterator<T, S extends @Nullable Object> extends CloseableIterator<T> {
  /**
   * Starts the body if needed and waits until it calls {@code started()}; returns the setup value.
   * Does not ask for items: after it returns, the body is parked in {@code started()} until the
   * first {@link #hasNext()}.
   *
   * @return the value the body passed to {@code started()}
   * @throws IllegalStateException if the body returned without calling {@code started()}, or if
   *     the iterator was closed first
   * @throws io.ambidex.CallInterruptedException if the thread was interrupted while waiting
   * @throws java.lang.reflect.UndeclaredThrowableException if the body failed with a checked
   *     exception (use {@link #setup(Class)} to have it thrown as it is)
   */
  S setup();

  /**
   * Like {@link #setup()}, and a checked failure of type {@code declared} is thrown as it is.
   *
   * @param declared the checked exception type the caller declares
   * @return the value the body passed to {@code started()}
   * @throws X if the body failed during setup with an exception of that type
   */
  <X extends Exception> S setup(Class<X> declared) throws X;

  /**
   * Returns true when an item is available, waiting for the producer if needed; false once the
   * body has returned and every item was consumed.
   *
   * @throws IllegalStateException if the iterator was closed
   * @throws io.ambidex.CallInterruptedException if the thread was interrupted while waiting
   */
  @Override
  boolean hasNext();

  /**
   * Returns the next item, waiting for it if needed.
   *
   * @throws NoSuchElementException if the body has returned and every item was consumed
   * @throws IllegalStateException if the iterator was closed
   */
  @Override
  T next();

  /**
   * Returns a sequential, ordered {@link Stream} of the remaining items, backed by this iterator;
   * closing the stream closes this iterator. Use it in try-with-resources.
   */
  Stream<T> stream();

  /**
   * Cancels the producer unless the body has already returned, and waits for its thread to end,
   * at most the {@linkplain Producer.Builder#cleanupGrace cleanup grace} (1 second by default).
   * If the body's cleanup takes longer, close returns anyway and the cleanup finishes in the
   * background on the body's thread. Idempotent. Skips the wait on a thread that must not block.
   *
   * @throws RuntimeException the body's failure during cleanup, if it ended with one within the
   *     grace (translated like any other failure); reactions to the cancellation ({@link
   *     ProducerCancelledException}, interrupts) are not reported
   */
  @Override
  void close();
}
