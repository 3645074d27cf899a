package io.ambidex.context.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.context.ContextPropagation;
import io.ambidex.context.ContextPropagator;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.taskgroup.TaskGroup;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.ContextKey;
import io.opentelemetry.context.Scope;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An OpenTelemetry {@code Context} needs no bridge module: the core's SPI maps onto it directly
 * ({@code Context.current()}, {@code makeCurrent()}, the scope's {@code close()}).
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@SuppressWarnings("try") // scopes and registrations are closed, never read
class OpenTelemetryContextTest {
  static final ContextKey<String> SPAN = ContextKey.named("span");

  /** The whole propagator for OpenTelemetry. */
  static final class OpenTelemetryPropagator implements ContextPropagator {
    @Override
    public Snapshot capture() {
      Context captured = Context.current();
      return () -> captured.makeCurrent()::close;
    }
  }

  record Seen(String thread, @Nullable String span) {}

  static Seen seen() {
    return new Seen(Thread.currentThread().getName(), Context.current().get(SPAN));
  }

  @Test
  void openTelemetryContext_crossesTheTimerAndATaskGroupChild_andLeavesNothingBehind()
      throws Exception {
    AsyncRuntime runtime = AsyncRuntime.create();
    try (ContextPropagation.Registration r =
            ContextPropagation.register(new OpenTelemetryPropagator());
        Scope s = Context.current().with(SPAN, "span-1").makeCurrent()) {
      String caller = Thread.currentThread().getName();
      Seen timer = null;
      for (long ms = 5; timer == null || timer.thread().equals(caller); ms *= 4) {
        timer = runtime.sleep(Duration.ofMillis(ms)).thenApply(v -> seen()).toCompletableFuture().join();
      }
      assertThat(timer.thread()).startsWith("ambidex-async-timer-");
      assertThat(timer.span()).isEqualTo("span-1");

      CompletableFuture<Seen> child = new CompletableFuture<>();
      try (TaskGroup group = TaskGroup.open()) {
        group.startSoon(() -> child.complete(seen()));
      }
      assertThat(child.join().thread()).isNotEqualTo(caller);
      assertThat(child.join().span()).isEqualTo("span-1");
    } finally {
      runtime.close();
    }
    assertThat(Context.current().get(SPAN)).isNull();
  }
}
