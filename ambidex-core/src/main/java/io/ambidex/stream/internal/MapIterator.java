package io.ambidex.stream.internal;

import io.ambidex.stream.AsyncIterator;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * map: hasNext() is the source's own stage, passed through (no allocation, no extra step); the
 * function runs in next(), on the caller's thread, once per item.
 */
public final class MapIterator<T extends @Nullable Object, R extends @Nullable Object>
    extends DerivedIterator<R> {
  private final AsyncIterator<T> source;
  private final Function<? super T, ? extends R> mapper;

  public MapIterator(AsyncIterator<T> source, Function<? super T, ? extends R> mapper) {
    super("map iterator");
    this.source = source;
    this.mapper = mapper;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    ensureOpen("hasNext");
    return source.hasNext();
  }

  @Override
  public R next() {
    ensureOpen("next");
    return mapper.apply(source.next());
  }

  @Override
  CompletionStage<?> closeOwned() {
    return source.close();
  }
}
