package io.ambidex.context.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.context.ContextPropagation;
import io.ambidex.control.AsyncRuntime;
import io.micrometer.context.ContextRegistry;
import io.micrometer.context.integration.Slf4jThreadLocalAccessor;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.MDC;

/** The samples of docs/context.md do what the page says. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@SuppressWarnings("try") // registrations are closed, never read
class ContextDocSamplesTest {

  @Test
  void micrometerSample_requestIdSurvivesTheTimerHop() {
    AsyncRuntime runtime = AsyncRuntime.create();
    try (ContextPropagation.Registration r = ContextDocSamples.startUp()) {
      assertThat(ContextDocSamples.requestIdAfterASleep(runtime).toCompletableFuture().join())
          .isEqualTo("r-42");
    } finally {
      MDC.clear();
      ContextRegistry.getInstance().removeThreadLocalAccessor(Slf4jThreadLocalAccessor.KEY);
      runtime.close();
    }
  }

  @Test
  void ownPropagator_carriesTheTenantToTheTimerThread() {
    AsyncRuntime runtime = AsyncRuntime.create();
    try (ContextPropagation.Registration r =
        ContextPropagation.register(new ContextDocSamples.TenantPropagator())) {
      ContextDocSamples.TENANT.set("acme");
      String seen =
          runtime
              .sleep(Duration.ofMillis(10))
              .thenApply(v -> Thread.currentThread().getName() + "/" + ContextDocSamples.TENANT.get())
              .toCompletableFuture()
              .join();
      // On the timer thread (or, if the sleep ended before thenApply, on the caller): "acme".
      assertThat(seen).endsWith("/acme");
    } finally {
      ContextDocSamples.TENANT.remove();
      runtime.close();
    }
  }
}
