package com.example.app.shared;

import java.util.concurrent.CompletionStage;

/** An async greeter in a package exported to io.ambidex.core, whose Synchronizer calls it. */
public interface Greeter {
  /**
   * Greets someone.
   *
   * @param name who
   * @return the greeting
   */
  CompletionStage<String> greet(String name);
}
