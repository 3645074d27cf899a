package io.ambidex.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.test.Counters.AsyncCounter;
import io.ambidex.test.Counters.AsyncLoader;
import io.ambidex.test.Counters.AsyncWildLoader;
import io.ambidex.test.Counters.Counter;
import io.ambidex.test.Counters.DriftedCounter;
import io.ambidex.test.Counters.Loader;
import io.ambidex.test.Counters.WildLoader;
import org.junit.jupiter.api.Test;

class ApiParityTest {
  @Test
  void assertParallel_parallelTypes_passes() {
    assertThatCode(() -> ApiParity.assertParallel(Counter.class, AsyncCounter.class))
        .doesNotThrowAnyException();
    assertThat(ApiParity.between(Counter.class, AsyncCounter.class).differences()).isEmpty();
  }

  @Test
  void differences_driftedTypes_listsEveryDrift() {
    assertThat(ApiParity.between(Counter.class, DriftedCounter.class).differences())
        .containsExactly(
            "Counter is AutoCloseable but DriftedCounter is not AsyncCloseable",
            "the result of add(int) differs: Counter returns int, DriftedCounter returns"
                + " CallFuture<String> (expected a future of java.lang.Integer)",
            "close() is in Counter but not in DriftedCounter",
            "reset() is in Counter but not in DriftedCounter",
            "resetAll() is in DriftedCounter but not in Counter");
  }

  @Test
  void assertParallel_driftedTypes_failsWithTheListInTheMessage() {
    assertThatThrownBy(() -> ApiParity.assertParallel(Counter.class, DriftedCounter.class))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("Counter and DriftedCounter have drifted apart (5 differences):")
        .hasMessageContaining("\n  - reset() is in Counter but not in DriftedCounter");
  }

  @Test
  void differences_asyncFunctionParameter_matchesTheSyncFunctionAndReportsAMismatch() {
    assertThat(ApiParity.between(Loader.class, AsyncLoader.class).differences())
        .containsExactly(
            "loadAll(java.util.function.Function<java.lang.String, java.lang.String>) is in"
                + " Loader but not in AsyncLoader (parameters differ from"
                + " loadAll(java.util.function.Function<java.lang.String, java.lang.Integer>))",
            "loadAll(java.util.function.Function<java.lang.String, java.lang.Integer>) is in"
                + " AsyncLoader but not in Loader (parameters differ from"
                + " loadAll(java.util.function.Function<java.lang.String, java.lang.String>))");
  }

  @Test
  void differences_asyncFunctionOfWildcardStageOfWildcard_matchesTheSyncFunction() {
    assertThat(ApiParity.between(WildLoader.class, AsyncWildLoader.class).differences())
        .isEmpty();
  }

  @Test
  void ignoring_namedMethods_leavesThemOut() {
    assertThat(
            ApiParity.between(Counter.class, DriftedCounter.class)
                .ignoring("add", "reset", "resetAll", "close")
                .differences())
        .containsExactly("Counter is AutoCloseable but DriftedCounter is not AsyncCloseable");
  }
}
