package io.ambidex.reactor;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The adapters' failure contract: what the call throws arrives unwrapped, on Mono and Flux. */
@Timeout(30)
class ReactorFacadesTest {

  @Test
  void flux_callThrowsCompletionException_arrivesUnwrapped() throws Exception {
    UncheckedIOException cause = new UncheckedIOException(new IOException("bad prefix p"));
    CompletableFuture<Throwable> error = new CompletableFuture<>();

    ReactorFacades.<String>flux(
            () -> {
              Flow.Publisher<String> never = null;
              if (cause != null) {
                throw new CompletionException(cause);
              }
              return never;
            })
        .subscribe(v -> {}, error::complete);

    assertThat(error.get(10, TimeUnit.SECONDS)).isSameAs(cause);
  }

  @Test
  void mono_callThrowsCompletionException_arrivesUnwrapped() throws Exception {
    UncheckedIOException cause = new UncheckedIOException(new IOException("bad key k"));
    CompletableFuture<Throwable> error = new CompletableFuture<>();

    ReactorFacades.<String>mono(
            () -> {
              throw new CompletionException(cause);
            })
        .subscribe(v -> {}, error::complete);

    assertThat(error.get(10, TimeUnit.SECONDS)).isSameAs(cause);
  }
}
