package io.ambidex.stream;

import java.util.Iterator;
import org.jspecify.annotations.Nullable;

/**
 * A blocking {@link Iterator} over a source that holds resources (a producer's thread, a
 * connection, a file), so it must be closed: use it in try-with-resources.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li>{@link #close()} releases the source and is idempotent. Closing before the end is the
 *       normal way to stop early; the source's cleanup runs.
 *   <li>After {@code close()}, {@code hasNext()} and {@code next()} throw {@link
 *       IllegalStateException}.
 *   <li>{@code close()} throws no checked exception; an implementation documents which unchecked
 *       ones it may throw (for example the failure of the source's cleanup).
 * </ul>
 *
 * @param <T> the item type
 */
public interface CloseableIterator<T extends @Nullable Object> extends Iterator<T>, AutoCloseable {
  /** Releases the source. Idempotent. */
  @Override
  void close();
}
