package io.ambidex.it.docs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.test.ApiParity;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the Synchronizer-mode samples of docs/processor.md and docs/synchronizer.md. */
@Timeout(20)
class SessionUsageTest {
  @Test
  void blockingFacade_sample() {
    String result;
    List<String> queries;

    try (Session session = new Session("db")) {
      result = session.query("select 1");
      try (Stream<String> history = session.history()) {
        queries = history.toList();
      }
    }

    assertThat(result).isEqualTo("result of select 1 on ambidex-synchronizer-db");
    assertThat(queries).containsExactly("select 1");
  }

  @Test
  void asyncFacade_sample() throws Exception {
    AsyncSession session = new AsyncSession("db-async");
    CompletableFuture<Integer> length =
        session.query("select 1").thenApply(String::length); // off the loop

    assertThat(length.get(10, TimeUnit.SECONDS))
        .isEqualTo("result of select 1 on ambidex-synchronizer-db-async".length());
    session.close().get(10, TimeUnit.SECONDS);
    assertThatThrownBy(() -> session.query("select 2")).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void facades_haveParallelShapes() {
    ApiParity.assertParallel(Session.class, AsyncSession.class);
  }
}
