package io.ambidex.examples.docs;

import io.ambidex.AsyncCloseable;
import io.ambidex.CallFuture;
import io.ambidex.synchronizer.Synchronizer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/** The code samples of docs/synchronizer.md. */
@SuppressWarnings("unused")
final class SynchronizerSamples {
  private SynchronizerSamples() {}

  /** A library whose core is genuinely async and confined to one thread. */
  public interface AsyncConnection extends AsyncCloseable {
    CompletionStage<String> query(String sql);
  }

  /** The blocking interface users of the library program against. */
  public interface Connection extends AutoCloseable {
    String query(String sql);

    @Override
    void close();
  }

  static String blockingCall(Synchronizer synchronizer, AsyncConnection connection) {
    // Runs on the library's loop thread; the caller blocks until the stage completes.
    return synchronizer.call("Connection.query", () -> connection.query("select 1"));
  }

  static List<String> fanOutFromBlockingCode(Synchronizer synchronizer, AsyncConnection connection) {
    List<CallFuture<String>> futures = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String sql = "select " + i;
      futures.add(synchronizer.future("Connection.query", () -> connection.query(sql)));
    }
    return futures.stream().map(CallFuture::join).toList();
  }

  static CompletionStage<Integer> isolatedAsync(
      Synchronizer synchronizer, AsyncConnection connection, Executor mine) {
    // Completes on `mine`, never on the library's loop.
    return synchronizer
        .async("Connection.query", mine, () -> connection.query("select 1"))
        .thenApply(String::length);
  }

  static String wrapWholeObject(AsyncConnection connection) {
    try (Synchronizer synchronizer = Synchronizer.create("db");
        Connection blocking = synchronizer.blocking(Connection.class, connection)) {
      return blocking.query("select 1");
    }
  }
}
