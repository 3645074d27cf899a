package io.ambidex.http.error;

import io.ambidex.http.RequestClient;
import org.jspecify.annotations.Nullable;

/** Test-only class in the lowest http concept that uses a higher one (HttpPackageLayoutTest). */
public final class UpwardSample {
  @Nullable RequestClient client;

  private UpwardSample() {}
}
