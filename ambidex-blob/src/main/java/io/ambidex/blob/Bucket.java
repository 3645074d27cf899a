package io.ambidex.blob;

import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A bucket the credentials own, as {@code listBuckets} reports it.
 *
 * @param name the bucket's name
 * @param created when the bucket was created, or null if the service did not say
 */
public record Bucket(String name, @Nullable Instant created) {
  /** Checks the components. */
  public Bucket {
    Objects.requireNonNull(name, "name");
  }
}
