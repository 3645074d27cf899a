package io.ambidex.control;

import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A user callback, such as a progress listener, that may be synchronous or asynchronous: it
 * returns null (or a completed stage) when it finished during the call, or a stage that completes
 * when it has. Cores invoke callbacks only through {@link CoreRuntime#emit}, which applies the
 * rule of the runtime: the {@link SyncRuntime} never waits for a returned stage on another thread,
 * the {@link AsyncRuntime} waits for it without blocking.
 *
 * @param <E> the event type
 */
@FunctionalInterface
public interface AsyncCallback<E> {
  /**
   * Handles one event.
   *
   * @param event the event
   * @return null, or a stage that completes when the callback is done with the event
   */
  @Nullable CompletionStage<?> call(E event);

  /**
   * Adapts a synchronous consumer, the form blocking facades accept.
   *
   * @param consumer the consumer to call with each event
   * @return a callback that calls {@code consumer} and returns null
   */
  static <E> AsyncCallback<E> of(Consumer<? super E> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    return event -> {
      consumer.accept(event);
      return null;
    };
  }
}
