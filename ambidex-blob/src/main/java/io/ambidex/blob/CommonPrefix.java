package io.ambidex.blob;

import java.util.Objects;

/**
 * A "directory" in a delimited listing: the keys under it share this prefix up to the delimiter.
 *
 * @param prefix the shared prefix, delimiter included
 */
public record CommonPrefix(String prefix) implements ListEntry {
  /** Checks the component. */
  public CommonPrefix {
    Objects.requireNonNull(prefix, "prefix");
  }
}
