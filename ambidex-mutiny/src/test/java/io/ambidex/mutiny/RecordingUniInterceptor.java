package io.ambidex.mutiny;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.UniInterceptor;
import java.util.Collections;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * A Mutiny interceptor, found through {@code ServiceLoader} as the ones of context propagation
 * libraries are, that records every {@code Uni} passed to {@code onUniCreation}.
 */
public final class RecordingUniInterceptor implements UniInterceptor {
  private static final Set<Uni<?>> CREATED =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  /** Made by {@code ServiceLoader}. */
  public RecordingUniInterceptor() {}

  /** Whether {@code uni} went through {@code Infrastructure.onUniCreation}. */
  static boolean sawCreation(Uni<?> uni) {
    return CREATED.contains(uni);
  }

  @Override
  public <T> Uni<T> onUniCreation(Uni<T> uni) {
    CREATED.add(uni);
    return uni;
  }
}
