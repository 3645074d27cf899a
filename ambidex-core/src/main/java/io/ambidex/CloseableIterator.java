package io.ambidex;

import java.util.Iterator;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * A blocking {@link Iterator} that holds resources until it is closed: use it in
 * try-with-resources, or iterate it to the end.
 *
 * <p>Contract:
 *
 * <ul>
 *   <li><b>Close</b>: {@link #close()} releases the resources and is idempotent. Closing before
 *       the end is the normal way to stop early.
 *   <li><b>After close</b>: {@code hasNext()} and {@code next()} throw {@link
 *       IllegalStateException}.
 *   <li><b>One consumer</b>: like any {@code Iterator}, it is not safe for concurrent iteration.
 * </ul>
 *
 * @param <T> the item type
 */
public interface CloseableIterator<T extends @Nullable Object> extends Iterator<T>, AutoCloseable {
  /**
   * Releases the resources held by this iterator. Idempotent.
   *
   * <p>Declares no checked exception: implementations throw unchecked exceptions, translated as
   * the bridges translate failures.
   */
  @Override
  void close();

  /**
   * Returns a sequential, ordered {@link Stream} of the remaining items whose {@link Stream#close()}
   * closes this iterator. Consume the stream instead of this iterator, not both.
   *
   * @return a stream over the remaining items
   */
  default Stream<T> stream() {
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED), false)
        .onClose(this::close);
  }
}
