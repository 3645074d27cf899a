package io.ambidex.mutiny;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.mutiny.Uni;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The {@code Uni} and {@code Multi} {@link MutinyFacades} makes, used as a Mutiny application does. */
@Timeout(30)
class MutinyFacadesTest {

  /**
   * Every {@code Uni} Mutiny's own factories make passes through {@code
   * Infrastructure.onUniCreation}, where the registered {@code UniInterceptor}s (context
   * propagation's, for one) decorate it; a facade's {@code Uni} must too.
   */
  @Test
  void uni_passesThroughTheCreationInterceptors() {
    Uni<String> own = Uni.createFrom().completionStage(() -> CompletableFuture.completedFuture("v"));
    Uni<String> facades = MutinyFacades.uni(() -> CompletableFuture.completedFuture("v"));

    assertThat(RecordingUniInterceptor.sawCreation(own)).as("Mutiny's own Uni").isTrue();
    assertThat(RecordingUniInterceptor.sawCreation(facades)).as("the facade's Uni").isTrue();
  }
}
