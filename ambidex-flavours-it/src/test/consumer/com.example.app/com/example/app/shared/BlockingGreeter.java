package com.example.app.shared;

/** The blocking view of {@link Greeter} that a Synchronizer wrapper implements. */
public interface BlockingGreeter {
  /**
   * Greets someone.
   *
   * @param name who
   * @return the greeting
   */
  String greet(String name);
}
