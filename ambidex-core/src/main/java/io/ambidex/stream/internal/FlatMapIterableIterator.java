package io.ambidex.stream.internal;

import io.ambidex.stream.AsyncIterator;
import java.util.Iterator;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/*
 * flatMapIterable (and so paginate): the elements of the Iterable made from each source item. The
 * elements of the current Iterable are a plain java.util.Iterator, read in hasNext() with no stage
 * at all: per element this costs an Iterator.hasNext() and returns the shared TRUE. Only crossing
 * to the next source item (the next page) pulls the source, through DerivedIterator.pull(), so a
 * run of empty Iterables from an immediate source is crossed in one loop.
 *
 * A throw from the Iterable or its Iterator fails that hasNext() and every later one.
 */
public final class FlatMapIterableIterator<T extends @Nullable Object, R extends @Nullable Object>
    extends DerivedIterator<R> {
  private final AsyncIterator<T> source;
  private final Function<? super T, ? extends Iterable<? extends R>> mapper;
  private @Nullable Iterator<? extends R> current;
  private boolean ready;

  public FlatMapIterableIterator(
      AsyncIterator<T> source, Function<? super T, ? extends Iterable<? extends R>> mapper) {
    super("flatMapIterable iterator");
    this.source = source;
    this.mapper = mapper;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    ensureOpen("hasNext");
    return pull();
  }

  @Override
  CompletionStage<?> start() {
    if (ready) {
      return YES;
    }
    Iterator<? extends R> elements = current;
    if (elements != null && elements.hasNext()) {
      ready = true;
      return YES;
    }
    current = null;
    return source.hasNext();
  }

  @Override
  CompletionStage<?> advance(@Nullable Object value, @Nullable Throwable failure)
      throws Throwable {
    if (failure != null) {
      throw failure;
    }
    if (!Iteration.has(value)) {
      return NO;
    }
    Iterable<? extends R> elements = mapper.apply(source.next());
    if (elements == null) {
      throw new NullPointerException("The flatMapIterable function returned null");
    }
    Iterator<? extends R> it = elements.iterator();
    if (it == null) {
      throw new NullPointerException("The Iterable's iterator() returned null");
    }
    if (it.hasNext()) {
      current = it;
      ready = true;
      return YES;
    }
    return source.hasNext();
  }

  @Override
  public R next() {
    ensureOpen("next");
    Iterator<? extends R> elements = current;
    if (!ready || elements == null) {
      throw Iteration.noItem(name);
    }
    ready = false;
    return elements.next();
  }

  @Override
  CompletionStage<?> closeOwned() {
    return source.close();
  }
}
