package com.example.app.hidden;

/** The blocking view of {@link Store} that a Synchronizer wrapper implements. */
public interface BlockingStore {
  /**
   * Reads a value.
   *
   * @param key the key
   * @return the value
   */
  String get(String key);
}
