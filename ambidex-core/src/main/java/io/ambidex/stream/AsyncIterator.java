package io.ambidex.stream;

import io.ambidex.AsyncCloseable;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * A pull-based sequence whose items arrive over time: pages of a listing, lines of a log, chunks
 * of a body. It is {@link java.util.Iterator} made asynchronous: {@link #hasNext()} returns a
 * stage, because finding out may take I/O, and {@link #next()} then hands over the item that
 * {@code hasNext()} made available.
 *
 * <p>Why this shape rather than {@code CompletionStage<Optional<T>> next()}: a source backed by a
 * sync transport answers {@code hasNext()} with a shared, already completed stage, so iterating it
 * allocates nothing per item and a blocking consumer pulls with no thread and no wrapper.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>One consumer. Calls are sequential: do not call {@code hasNext()} again, nor {@code
 *       next()}, before the previous {@code hasNext()} stage has completed.
 *   <li>{@code hasNext()} completes with true when an item is available, false when the sequence
 *       has ended, or exceptionally with the failure of the source. After false or a failure it
 *       keeps answering the same way.
 *   <li>{@code next()} returns the available item and consumes it; it throws {@link
 *       NoSuchElementException} if the last {@code hasNext()} did not complete with true (or
 *       {@code next()} already took the item).
 *   <li>{@link #close()} releases the source (cancels an in-flight fetch, runs the source's
 *       cleanup) and is idempotent. Closing before the end is the normal way to stop early. After
 *       close, {@code hasNext()} fails with {@link IllegalStateException}.
 *   <li>Under a sync transport every stage this iterator returns is already complete.
 * </ul>
 *
 * @param <T> the item type
 */
public interface AsyncIterator<T extends @Nullable Object> extends AsyncCloseable {
  /**
   * Finds out whether another item is available, fetching it if needed.
   *
   * @return a stage completed with true if {@link #next()} may be called, false at the end
   */
  CompletionStage<Boolean> hasNext();

  /**
   * Returns the item that the last {@link #hasNext()} made available.
   *
   * @return the item
   * @throws NoSuchElementException if no item is available
   */
  T next();
}
