package io.ambidex.producer;

import io.ambidex.stream.AsyncIterator;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/**
 * The async consumer of one run of a {@link Producer}: an {@link AsyncIterator} of its items that
 * can also hand over the setup value. Obtained from {@link Producer#asyncIterator()}.
 *
 * <p>Policies, in addition to the {@link AsyncIterator} contract:
 *
 * <ul>
 *   <li><b>Lazy</b>: the body's thread starts at the first {@link #setup()} or {@link
 *       #hasNext()}.
 *   <li><b>No consumer thread</b>: nothing blocks. A {@code hasNext()} whose answer is already
 *       buffered returns a completed stage; otherwise its stage is completed <em>on the
 *       producer's thread</em>, which then runs the continuations attached to it (so they must
 *       not block waiting for the producer; hop with an {@code *Async} method if they are slow).
 *   <li><b>Failures</b>: a failure of the body before {@code started()} fails {@code setup()} and
 *       the first {@code hasNext()}; after it, the {@code hasNext()} that follows the last item
 *       sent before it, and every later one. A body that returns without calling {@code
 *       started()} fails them with {@link IllegalStateException}.
 *   <li><b>Cancellation</b>: cancelling the stage of {@code setup()} or of a pending {@code
 *       hasNext()} closes the iterator, which cancels the producer.
 *   <li><b>Close</b>: see {@link #close()}.
 * </ul>
 *
 * @param <T> the item type
 * @param <S> the setup value's type
 */
public interface AsyncProducerIterator<T, S extends @Nullable Object> extends AsyncIterator<T> {
  /**
   * Starts the body if needed and returns a stage completed with the value it passes to {@code
   * started()}, or failed with its failure during setup. Does not ask for items.
   *
   * @return the stage of the setup value; the same stage on every call
   */
  CompletionStage<S> setup();

  /**
   * Cancels the producer unless the body has already returned. The stage completes when the
   * body's thread has ended, or after the {@linkplain Producer.Builder#cleanupGrace cleanup
   * grace} (1 second by default) if its cleanup takes longer, which then finishes in the
   * background. It fails with the body's failure during cleanup, if it ended with one within the
   * grace. Idempotent.
   *
   * @return a stage completing as described; the same stage on every call
   */
  @Override
  CompletionStage<Void> close();
}
