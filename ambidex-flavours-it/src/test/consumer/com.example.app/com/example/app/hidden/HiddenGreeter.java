package com.example.app.hidden;

import java.util.concurrent.CompletionStage;

/** The same method as {@code Greeter}'s, in a package the module does not export. */
public interface HiddenGreeter {
  /**
   * Greets someone.
   *
   * @param name who
   * @return the greeting
   */
  CompletionStage<String> greet(String name);
}
