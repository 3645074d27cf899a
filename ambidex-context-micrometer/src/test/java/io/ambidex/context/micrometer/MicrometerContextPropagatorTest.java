package io.ambidex.context.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.context.ContextPropagation;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link MicrometerContextPropagator#register()}'s sharing. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
@SuppressWarnings("try") // registrations are closed, never read
class MicrometerContextPropagatorTest {

  /*
   * Two parts of an application (two libraries, a framework and the application) that each
   * called register() used to register two propagators, so every hop captured and restored every
   * accessor twice.
   */
  @Test
  void register_calledTwice_registersOnePropagator_untilBothHandlesAreClosed() {
    ContextPropagation.Registration first = MicrometerContextPropagator.register();
    try {
      try (ContextPropagation.Registration second = MicrometerContextPropagator.register()) {
        assertThat(ContextPropagation.registered()).hasSize(1);
        assertThat(ContextPropagation.registered().get(0))
            .isInstanceOf(MicrometerContextPropagator.class);
      }
      assertThat(ContextPropagation.registered()).as("the first handle still holds it").hasSize(1);
    } finally {
      first.close();
    }
    assertThat(ContextPropagation.registered()).isEmpty();
  }
}
