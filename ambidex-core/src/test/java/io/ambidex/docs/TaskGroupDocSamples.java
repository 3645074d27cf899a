package io.ambidex.docs;

import io.ambidex.taskgroup.AsyncTaskGroup;
import io.ambidex.CallFuture;
import io.ambidex.control.CoreRuntime;
import io.ambidex.taskgroup.TaskGroup;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The code of {@code docs/task-groups.md}: every {@code java} block of that page appears in this
 * file (checked by {@link DocSnippetsTest}), and {@link DocSamplesTest} runs it.
 */
final class TaskGroupDocSamples {
  private TaskGroupDocSamples() {}

  // ---- stand-ins for the reader's own types ----

  static final List<String> EVENTS = new CopyOnWriteArrayList<>();

  /** A server that serves until it is interrupted. */
  static final class Server implements AutoCloseable {
    final int port;
    private final CountDownLatch stopped = new CountDownLatch(1);

    private Server(int port) {
      this.port = port;
    }

    static Server bind(int port) {
      return new Server(port);
    }

    void serve() throws InterruptedException {
      stopped.await(); // until interrupted
    }

    @Override
    public void close() {
      EVENTS.add("server closed");
    }
  }

  static void refreshCache() {
    EVENTS.add("cache refreshed");
  }

  static void talkTo(Server server) {
    EVENTS.add("talked to " + server.port);
  }

  record Part(int number) {}

  static CompletionStage<String> uploadPart(CoreRuntime runtime, Part part) {
    return runtime.sleep(java.time.Duration.ofMillis(1)).thenApply(v -> "etag-" + part.number());
  }

  // ---- the samples ----

  static void blocking() {
    try (TaskGroup group = TaskGroup.open()) {
      group.startSoon(() -> refreshCache());
      Server server = group.start(status -> {
        try (Server s = Server.bind(8080)) {
          status.started(s);            // start() returns s; the task joins the group
          s.serve();
        }
      });
      talkTo(server);
      group.cancel();                   // stop serving: interrupts the tasks
    }                                   // waits for both tasks; throws if one failed
  }

  static int ownerFailure() {
    AtomicInteger done = new AtomicInteger();
    int parts = TaskGroup.run(group -> {
      for (int i = 0; i < 3; i++) {
        group.startSoon(() -> done.incrementAndGet());
      }
      return 3;                         // if this code threw, the tasks would be cancelled
    });
    return parts + done.get();
  }

  static CompletionStage<Void> stages(CoreRuntime runtime, List<Part> parts) {
    AsyncTaskGroup group = AsyncTaskGroup.open();
    for (Part part : parts) {
      group.startSoon(() -> uploadPart(runtime, part));
    }
    return group.close();               // completes when every upload has
  }

  static CallFuture<List<String>> writtenOnce(CoreRuntime runtime, List<Part> parts) {
    // Threads under a SyncRuntime, stages under an AsyncRuntime: the same core code.
    List<String> etags = new CopyOnWriteArrayList<>();
    return AsyncTaskGroup.run(runtime, group -> {
      for (Part part : parts) {
        group.startSoon(() -> uploadPart(runtime, part).thenAccept(etags::add));
      }
      return CompletableFuture.completedFuture(etags);
    });
  }

  static CallFuture<String> asyncStart() {
    AsyncTaskGroup group = AsyncTaskGroup.open();
    CompletableFuture<Void> work = new CompletableFuture<>();
    CallFuture<String> address = group.start(status -> {
      status.started("127.0.0.1:8080"); // the stage of start() completes here
      return work;                      // the rest of the task, now in the group
    });
    work.complete(null);
    group.close();
    return address;
  }
}
