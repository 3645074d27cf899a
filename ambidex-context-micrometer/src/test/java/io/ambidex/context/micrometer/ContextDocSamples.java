package io.ambidex.context.micrometer;

import io.ambidex.context.ContextPropagation;
import io.ambidex.context.ContextPropagator;
import io.ambidex.control.AsyncRuntime;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.slf4j.MDC;

/** The samples of docs/context.md, compiled (DocsCompileTest) and run (ContextDocSamplesTest). */
final class ContextDocSamples {
  private ContextDocSamples() {}

  // --- Registering the Micrometer bridge
  static ContextPropagation.Registration startUp() {
    // Once, at start-up: MDC through Micrometer's accessor, then every registered accessor.
    ContextRegistry.getInstance().registerThreadLocalAccessor(new Slf4jThreadLocalAccessor());
    return MicrometerContextPropagator.register();
  }

  // --- A call whose continuation runs on the runtime's timer thread
  static CompletionStage<String> requestIdAfterASleep(AsyncRuntime runtime) {
    MDC.put("requestId", "r-42");
    return runtime
        .sleep(Duration.ofMillis(10))
        .thenApply(done -> MDC.get("requestId")); // "r-42", on ambidex-async-timer-N
  }

  // --- A propagator of your own, over a plain ThreadLocal
  static final ThreadLocal<String> TENANT = new ThreadLocal<>();

  static final class TenantPropagator implements ContextPropagator {
    @Override
    public Snapshot capture() {
      String tenant = TENANT.get(); // on the caller's thread
      return () -> { // on the thread that continues the work
        String previous = TENANT.get();
        set(tenant);
        return () -> set(previous);
      };
    }

    private static void set(String value) {
      if (value == null) {
        TENANT.remove();
      } else {
        TENANT.set(value);
      }
    }
  }
}
