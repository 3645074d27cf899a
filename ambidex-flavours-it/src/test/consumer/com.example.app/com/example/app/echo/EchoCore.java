package com.example.app.echo;

import io.ambidex.annotations.AsyncCore;
import io.ambidex.annotations.AsyncFactory;
import io.ambidex.annotations.BlockingFactory;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.SyncRuntime;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * A core of the user's own named module: the processor writes {@code Echo}, {@code AsyncEcho} and
 * {@code ReactorEcho} beside it, in the same module.
 */
@AsyncCore(blocking = "Echo", async = "AsyncEcho", reactor = "ReactorEcho")
final class EchoCore {
  private final CoreRuntime runtime;

  private EchoCore(CoreRuntime runtime) {
    this.runtime = runtime;
  }

  @BlockingFactory
  static EchoCore blocking() {
    return new EchoCore(SyncRuntime.create());
  }

  @AsyncFactory
  static EchoCore async() {
    return new EchoCore(AsyncRuntime.create());
  }

  /**
   * Returns the text after a short sleep on the core's runtime.
   *
   * @param text the text
   * @return the same text
   */
  public CompletionStage<String> echo(String text) {
    return runtime.sleep(Duration.ofMillis(1)).thenApply(ignored -> text);
  }
}
