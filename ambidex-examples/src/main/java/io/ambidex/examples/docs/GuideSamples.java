package io.ambidex.examples.docs;

import io.ambidex.control.Async;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.BlockingGuard;
import io.ambidex.BlockingWait;
import io.ambidex.CallFuture;
import io.ambidex.CallerDrained;
import io.ambidex.control.CoreRuntime;
import io.ambidex.Immediate;
import io.ambidex.OperationTimeoutException;
import io.ambidex.control.RetryPolicy;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The code samples of docs/bridges.md, docs/control-flow.md, docs/runtimes.md and docs/guard.md.
 * A test checks that every ```java block of those pages appears here (or in another source file)
 * line for line, so the samples always compile.
 */
@SuppressWarnings("unused")
final class GuideSamples {
  private GuideSamples() {}

  interface Core {
    CompletionStage<String> fetch(String key) throws IOException;
  }

  static String immediateBridge(Core core) throws IOException {
    // The core was built on a sync transport and SyncRuntime: the stage is already complete.
    return Immediate.get(core.fetch("k"), "Store.fetch", IOException.class);
  }

  static String blockingWaitBridge(CompletionStage<String> pending) {
    return BlockingWait.get(pending, "Store.fetch", Duration.ofSeconds(30));
  }

  static String callerDrainedBridge(AsyncRuntime runtime, Function<String, CompletionStage<String>> send) {
    RetryPolicy policy = RetryPolicy.builder().maxAttempts(5).build();
    // Sleeps between attempts are timers of this call's loop: they fire on this thread.
    return CallerDrained.get(
        "Store.fetch", executor -> Async.retry(policy, runtime, () -> send.apply("k")));
  }

  static CallFuture<String> asyncFacade(CompletionStage<String> coreStage) {
    // Callers can cancel this future (which cancels the core's stage) but cannot complete it.
    return CallFuture.of("AsyncStore.fetch", coreStage);
  }

  // docs/bridges.md, "Done is not over": cancel, then wait until the cleanup has run.
  static void cancelAndSettle(CallFuture<?> upload) throws Exception {
    upload.cancel(true);
    upload.settled().get(30, TimeUnit.SECONDS); // the multipart upload has been aborted by now
  }

  static CompletionStage<Integer> pagesLoop(Function<Integer, CompletionStage<Integer>> fetchPage) {
    // Follows page tokens until there is none; runs inline when every fetch is immediate.
    return Async.loop(0, token -> token >= 0, token -> fetchPage.apply(token));
  }

  static CompletionStage<String> retrying(CoreRuntime runtime, Function<String, CompletionStage<String>> send) {
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(4)
            .initialDelay(Duration.ofMillis(100))
            .multiplier(2)
            .maxDelay(Duration.ofSeconds(5))
            .jitter(RetryPolicy.Jitter.FULL)
            .retryOn(RetryPolicy.IO_FAILURES)
            .build();
    return Async.retry(policy, runtime, () -> send.apply("GET /object"));
  }

  static CompletionStage<List<String>> uploadParts(
      CoreRuntime runtime, List<byte[]> parts, Function<byte[], CompletionStage<String>> uploadPart) {
    // Threads under SyncRuntime, stages under AsyncRuntime: the same call site.
    return runtime.mapConcurrently(parts, 4, uploadPart);
  }

  static CompletionStage<String> bounded(CoreRuntime runtime, Function<String, CompletionStage<String>> send) {
    return Async.withTimeout(Duration.ofSeconds(10), runtime, "Store.fetch", () -> send.apply("k"));
  }

  static void guardConfiguration() {
    BlockingGuard.setMode(BlockingGuard.Mode.WARN); // or start the JVM with -Dambidex.blocking-guard=warn
    BlockingGuard.Registration akka =
        BlockingGuard.register("an Akka dispatcher thread", t -> t.getName().contains("dispatcher"));
    akka.close();
  }

  static boolean timedOut(CompletionStage<String> stage) {
    try {
      BlockingWait.get(stage, "op", Duration.ofMillis(1));
      return false;
    } catch (OperationTimeoutException e) {
      return true;
    }
  }

  static CompletionStage<String> completed() {
    return CompletableFuture.completedFuture("x");
  }
}
