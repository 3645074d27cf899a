package io.ambidex.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.CallFuture;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class CallsTest {
  @Test
  void settle_withoutFailure_succeedsWithTheValue() {
    CallFuture<String> f = Calls.create("op");

    assertThat(Calls.settle(f, "v", null)).isTrue();

    assertThat(f.toCompletableFuture().getNow(null)).isEqualTo("v");
  }

  @Test
  void settle_withAWrappedFailure_failsWithTheCauseAndIgnoresTheValue() throws Exception {
    IOException cause = new IOException("broken");
    CallFuture<String> f = Calls.create("op");

    assertThat(Calls.settle(f, "ignored", new CompletionException(new ExecutionException(cause))))
        .isTrue();

    CompletableFuture<String> seen = f.toCompletableFuture();
    assertThat(seen.isCompletedExceptionally()).isTrue();
    assertThat(seen.exceptionNow()).isSameAs(cause);
  }

  @Test
  void settle_onADoneFuture_returnsFalseAndChangesNothing() {
    CallFuture<String> f = Calls.create("op");
    Calls.succeed(f, "first");

    assertThat(Calls.settle(f, "second", null)).isFalse();
    assertThat(Calls.settle(f, null, new IOException("late"))).isFalse();

    assertThat(f.toCompletableFuture().getNow(null)).isEqualTo("first");
  }
}
