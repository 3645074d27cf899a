package com.example.app.hidden;

import java.util.concurrent.CompletionStage;

/** An async store in a package the module does not export: the Synchronizer cannot call it. */
public interface Store {
  /**
   * Reads a value.
   *
   * @param key the key
   * @return the value
   */
  CompletionStage<String> get(String key);
}
