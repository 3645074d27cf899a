package io.ambidex.docs;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import io.ambidex.CallFuture;
import io.ambidex.docs.StreamsSamples.AsyncListing;
import io.ambidex.docs.StreamsSamples.BlockingListing;
import io.ambidex.docs.StreamsSamples.ListingCore;
import io.ambidex.docs.StreamsSamples.LogLines;
import io.ambidex.docs.StreamsSamples.Transport;
import java.io.BufferedReader;
import java.io.StringReader;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Runs the samples of docs/streams.md against a fake service, over both kinds of transport. */
@Timeout(30)
class StreamsSamplesTest {
  private final ExecutorService executor = Executors.newSingleThreadExecutor();
  private final List<String> requests = new CopyOnWriteArrayList<>();

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
  }

  private Transport syncTransport() {
    return request -> {
      requests.add(request);
      return CompletableFuture.completedFuture(answer(request));
    };
  }

  private Transport asyncTransport() {
    return request -> {
      requests.add(request);
      return CompletableFuture.supplyAsync(() -> answer(request), executor);
    };
  }

  /** A fake service with three pages: "a.jpg,b.txt" -> "c.jpg" -> "d.jpg,e.jpg". */
  private static String answer(String request) {
    if (request.endsWith(" FROM t1")) {
      return "photos/c.jpg;t2";
    }
    if (request.endsWith(" FROM t2")) {
      return "photos/d.jpg,photos/e.jpg";
    }
    return "photos/a.jpg,photos/b.txt;t1";
  }

  @Test
  void blockingFacade_syncTransport_firstThreeJpegsWithoutReadingFurther() {
    ListingCore core = new ListingCore(syncTransport());
    assertThat(StreamsSamples.firstThreeJpegs(new BlockingListing(core)))
        .containsExactly("photos/a.jpg", "photos/c.jpg", "photos/d.jpg");
    assertThat(requests).hasSize(3);
  }

  /* The page fetch is chained with Async.then, so a close reaches the request in flight. */
  @Test
  void asyncIterator_closedWhileAPageIsInFlight_cancelsTheRequest() throws Exception {
    CompletableFuture<String> inFlight = new CompletableFuture<>();
    ListingCore core =
        new ListingCore(
            request -> {
              requests.add(request);
              return inFlight;
            });
    AsyncIterator<String> keys = core.list("photos/");
    CompletionStage<Boolean> first = keys.hasNext();

    keys.close().toCompletableFuture().get(10, TimeUnit.SECONDS);

    assertThat(inFlight).as("the request in flight").isCancelled();
    assertThat(first.toCompletableFuture()).isCompletedExceptionally();
    assertThat(requests).containsExactly("LIST photos/");
  }

  @Test
  void blockingIterator_asyncTransport_countsEveryKey() {
    ListingCore core = new ListingCore(asyncTransport());
    assertThat(StreamsSamples.countKeys(core)).isEqualTo(5);
  }

  @Test
  void asyncFacade_publisher_deliversEveryKeyToEachSubscriber() throws Exception {
    Flow.Publisher<String> keys =
        new AsyncListing(new ListingCore(asyncTransport())).list("photos/");
    for (int i = 0; i < 2; i++) {
      AsyncIterator<String> back = AsyncIterators.fromPublisher(keys);
      assertThat(AsyncIterators.collect(back, Collectors.toList()).get(10, TimeUnit.SECONDS))
          .hasSize(5);
    }
  }

  @Test
  void deleteJpegs_batchesTheJpegs() throws Exception {
    List<List<String>> deleted = new CopyOnWriteArrayList<>();
    CallFuture<Void> done =
        StreamsSamples.deleteJpegs(
            new ListingCore(asyncTransport()),
            batch -> {
              deleted.add(batch);
              return CompletableFuture.completedFuture(null);
            });
    done.get(10, TimeUnit.SECONDS);
    assertThat(deleted)
        .containsExactly(List.of("photos/a.jpg", "photos/c.jpg", "photos/d.jpg", "photos/e.jpg"));
  }

  @Test
  void firstTenKeysAndTotalLength_overASyncTransport_completeDuringTheCall() {
    ListingCore core = new ListingCore(syncTransport());
    CallFuture<List<String>> first = StreamsSamples.firstTenKeys(core);
    assertThat(first).isDone();
    assertThat(first.join()).hasSize(5);
    CallFuture<Integer> total = StreamsSamples.totalKeyLength(core, List.of("photos/"));
    assertThat(total).isCompletedWithValue(12 * 5);
  }

  @Test
  void logLines_handWrittenIterator_readsEveryLineAndClosesTheReader() {
    BufferedReader reader = new BufferedReader(new StringReader("one\ntwo\nthree\n"));
    List<String> lines;
    try (var stream = AsyncIterators.blockingStream(new LogLines(reader))) {
      lines = stream.toList();
    }
    assertThat(lines).containsExactly("one", "two", "three");
    CompletionStage<Boolean> answer = new LogLines(new BufferedReader(new StringReader("x"))).hasNext();
    assertThat(answer).isSameAs(AsyncIterators.completedStage(true));
  }

  @Test
  void bodyBuffers_submissionPublisher_everyBufferInOrder() throws Exception {
    java.util.concurrent.SubmissionPublisher<List<java.nio.ByteBuffer>> body =
        new java.util.concurrent.SubmissionPublisher<>(executor, 4);
    AsyncIterator<java.nio.ByteBuffer> buffers = StreamsSamples.bodyBuffers(body);
    CallFuture<Integer> bytes =
        AsyncIterators.fold(buffers, 0, (n, buffer) -> n + buffer.remaining());
    for (int i = 0; i < 100; i++) {
      body.submit(List.of(java.nio.ByteBuffer.allocate(3), java.nio.ByteBuffer.allocate(7)));
    }
    body.close();
    assertThat(bytes.get(10, TimeUnit.SECONDS)).isEqualTo(1000);
  }

  @Test
  void save_writesEveryBufferOnTheExecutor_noneOnTheThreadThatDeliversThem() throws Exception {
    ExecutorService writer = Executors.newSingleThreadExecutor(r -> new Thread(r, "writer"));
    try {
      java.util.concurrent.SubmissionPublisher<List<java.nio.ByteBuffer>> body =
          new java.util.concurrent.SubmissionPublisher<>(executor, 4);
      java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
      java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
      java.nio.channels.WritableByteChannel file =
          new java.nio.channels.WritableByteChannel() {
            @Override
            public int write(java.nio.ByteBuffer src) {
              threads.add(Thread.currentThread().getName());
              int n = src.remaining();
              byte[] b = new byte[n];
              src.get(b);
              out.writeBytes(b);
              return n;
            }

            @Override
            public boolean isOpen() {
              return true;
            }

            @Override
            public void close() {}
          };

      CallFuture<?> saved = StreamsSamples.save(StreamsSamples.bodyBuffers(body), writer, file);
      // The writer subscribes when it starts, on its own thread; a SubmissionPublisher drops
      // what is submitted before that.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> body.getNumberOfSubscribers() == 1);
      for (int i = 0; i < 100; i++) {
        body.submit(List.of(java.nio.ByteBuffer.wrap(new byte[] {(byte) i})));
      }
      body.close();

      saved.get(10, TimeUnit.SECONDS);
      assertThat(out.size()).isEqualTo(100);
      assertThat(threads).containsExactly("writer");
    } finally {
      writer.shutdownNow();
    }
  }
}
