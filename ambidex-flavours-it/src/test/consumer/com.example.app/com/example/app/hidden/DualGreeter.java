package com.example.app.hidden;

import com.example.app.shared.Greeter;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A greeter whose {@code greet} is declared both by {@link Greeter}, exported to io.ambidex.core,
 * and by {@link HiddenGreeter}, in this package, which is not exported: a Synchronizer wrapper
 * must call it through the first.
 */
public final class DualGreeter implements Greeter, HiddenGreeter {
  /** Creates the greeter. */
  public DualGreeter() {}

  @Override
  public CompletionStage<String> greet(String name) {
    return CompletableFuture.completedFuture("dual hello " + name);
  }
}
