package io.ambidex.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.BlockingWait;
import io.ambidex.producer.Producer;
import io.ambidex.producer.ProducerIterator;
import io.ambidex.control.SyncRuntime;
import io.ambidex.docs.ProducerDocSamples.Connection;
import io.ambidex.docs.ProducerDocSamples.Page;
import io.ambidex.docs.ProducerDocSamples.Row;
import io.ambidex.docs.TaskGroupDocSamples.Part;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the documentation samples, so the pages show code that does what they say. */
@Timeout(30)
class DocSamplesTest {
  private static <T> T done(CompletionStage<T> stage) {
    return BlockingWait.get(stage, "sample", Duration.ofSeconds(10));
  }

  @Test
  void producers_quickStart_handlesEveryRow_andClosesTheConnection() {
    assertThat(ProducerDocSamples.quickStart()).containsExactly("row 1", "row 2", "row 3");
    assertThat(Connection.OPEN).hasValue(0);
  }

  @Test
  void producers_withoutSetupValue_streamsTheErrorLines() {
    assertThat(ProducerDocSamples.withoutSetupValue()).containsExactly("error disk full");
  }

  @Test
  void producers_asyncConsumer_sumsTheRows() {
    assertThat(done(ProducerDocSamples.asyncConsumer())).isEqualTo(6);
  }

  @Test
  void producers_publisher_deliversTheRows() throws InterruptedException {
    Flow.Publisher<Row> publisher = ProducerDocSamples.publisher();
    List<Integer> ids = new ArrayList<>();
    CountDownLatch complete = new CountDownLatch(1);
    publisher.subscribe(new Flow.Subscriber<Row>() {
      @Override
      public void onSubscribe(Flow.Subscription s) {
        s.request(Long.MAX_VALUE);
      }

      @Override
      public void onNext(Row item) {
        ids.add(item.id());
      }

      @Override
      public void onError(Throwable t) {}

      @Override
      public void onComplete() {
        complete.countDown();
      }
    });
    complete.await();
    assertThat(ids).containsExactly(1, 2, 3);
  }

  @Test
  void producers_configured_usesTheGivenThreads() {
    List<Thread> made = new ArrayList<>();
    Producer<Row, Connection> rows =
        ProducerDocSamples.configured(r -> {
          Thread t = Thread.ofVirtual().unstarted(r);
          made.add(t);
          return t;
        });
    try (ProducerIterator<Row, Connection> it = rows.iterator()) {
      it.forEachRemaining(row -> {});
    }
    assertThat(made).hasSize(1);
  }

  @Test
  void producers_pollingBody_stopsWhenClosed() {
    try (ProducerIterator<Integer, Void> it = ProducerDocSamples.pollingBody().iterator()) {
      assertThat(it.next()).isEqualTo(0);
      assertThat(it.next()).isEqualTo(1);
    }
  }

  @Test
  void producers_listing_needsNoThread() {
    AsyncIterator<String> names =
        ProducerDocSamples.listing(token -> CompletableFuture.completedFuture(
            token.isEmpty()
                ? new Page(List.of("a", "b"), "2")
                : new Page(List.of("c"), null)));
    List<String> seen = new ArrayList<>();
    while (done(names.hasNext())) {
      seen.add(names.next());
    }
    assertThat(seen).containsExactly("a", "b", "c");
    done(names.close());
  }

  @Test
  void taskGroups_blocking_runsBothTasks_andClosesTheServer() {
    TaskGroupDocSamples.EVENTS.clear();
    TaskGroupDocSamples.blocking();
    assertThat(TaskGroupDocSamples.EVENTS)
        .contains("cache refreshed", "talked to 8080", "server closed");
  }

  @Test
  void taskGroups_ownerFailure_sample_returnsAfterEveryTask() {
    assertThat(TaskGroupDocSamples.ownerFailure()).isEqualTo(6);
  }

  @Test
  void taskGroups_stages_completeAfterEveryUpload() {
    AsyncRuntime runtime = AsyncRuntime.create();
    assertThat(done(TaskGroupDocSamples.stages(runtime, List.of(new Part(1), new Part(2)))))
        .isNull();
    done(runtime.close());
  }

  @Test
  void taskGroups_writtenOnce_givesTheSameResultOnBothRuntimes() {
    List<Part> parts = List.of(new Part(1), new Part(2), new Part(3));
    SyncRuntime sync = SyncRuntime.create();
    assertThat(TaskGroupDocSamples.writtenOnce(sync, parts).join())
        .containsExactlyInAnyOrder("etag-1", "etag-2", "etag-3");
    AsyncRuntime async = AsyncRuntime.create();
    assertThat(done(TaskGroupDocSamples.writtenOnce(async, parts)))
        .containsExactlyInAnyOrder("etag-1", "etag-2", "etag-3");
    done(async.close());
  }

  @Test
  void taskGroups_asyncStart_completesWithTheAddress() {
    assertThat(TaskGroupDocSamples.asyncStart().join()).isEqualTo("127.0.0.1:8080");
  }
}
