package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.ambidex.stream.AsyncIterator;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The async transport recycles its chunk buffers: a chunk is reused once the reader's next {@code
 * hasNext()} has ended its loan ({@link ResponseBody#chunks()}'s contract), never while the reader
 * may still hold it, and its flow-control window lets a reader that lags far behind resume.
 */
class AsyncChunkReuseTest {
  private static final int BODY = 2 * 1024 * 1024;

  private RawHttpServer server;
  private AsyncHttpTransport transport;
  private byte[] body;

  @BeforeEach
  void setUp() throws Exception {
    server = new RawHttpServer();
    transport = AsyncHttpTransport.create();
    body = new byte[BODY];
    new Random(14).nextBytes(body);
  }

  @AfterEach
  void tearDown() {
    transport.close().toCompletableFuture().join();
    server.close();
  }

  private void serve(byte[] content) {
    byte[] head =
        ("HTTP/1.1 200 OK\r\nContent-Length: " + content.length + "\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1);
    byte[] response = Arrays.copyOf(head, head.length + content.length);
    System.arraycopy(content, 0, response, head.length, content.length);
    server.script(new RawHttpServer.Script(response, RawHttpServer.Mode.KEEP_ALIVE));
  }

  private HttpResponse get() {
    return transport
        .send(HttpRequest.newBuilder(server.uri("/big")).build())
        .toCompletableFuture()
        .join();
  }

  @Test
  void chunks_readerHoldsEachChunkWhileMoreArrives_chunkIntactUntilItsNextHasNext() {
    serve(body);
    HttpResponse response = get();
    AsyncIterator<ByteBuffer> it = response.body().chunks();
    int offset = 0;
    int held = 0;
    while (it.hasNext().toCompletableFuture().join()) {
      long before = AsyncHttpTransport.deliveredBytes(response.body());
      ByteBuffer chunk = it.next();
      // Hold the chunk until the I/O thread has copied more of the body (into a spare buffer,
      // which must not be this one), unless it has no credit to or has delivered all of it.
      await()
          .pollDelay(Duration.ZERO)
          .pollInterval(Duration.ofMillis(1))
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  AsyncHttpTransport.deliveredBytes(response.body()) > before
                      || AsyncHttpTransport.credit(response.body()) <= 0
                      || AsyncHttpTransport.deliveredBytes(response.body()) == BODY);
      if (AsyncHttpTransport.deliveredBytes(response.body()) > before) {
        held++;
      }
      byte[] got = new byte[chunk.remaining()];
      chunk.get(got);
      assertThat(got)
          .as("chunk at offset %d, read after more of the body arrived", offset)
          .isEqualTo(Arrays.copyOfRange(body, offset, offset + got.length));
      offset += got.length;
    }
    assertThat(offset).isEqualTo(BODY);
    // The body is 16 windows (128 KiB) long and the reader's next() returns credit as it frees
    // half of one, so more arrives while a chunk is held many times (20 to 24 of about 35 chunks
    // in four runs beside two busy loops); fewer would mean this test no longer tests reuse.
    assertThat(held).isGreaterThanOrEqualTo(8);
  }

  @Test
  void chunks_readerOnOtherThreadsLagsBehind_wholeBodyInOrderAndComplete() throws Exception {
    serve(body);
    ExecutorService readers = Executors.newFixedThreadPool(2);
    try {
      for (int round = 0; round < 3; round++) { // the same connection, kept alive
        HttpResponse response = get();
        AsyncIterator<ByteBuffer> it = response.body().chunks();
        ByteArrayOutputStream out = new ByteArrayOutputStream(BODY);
        CompletableFuture<Void> done = new CompletableFuture<>();
        readNext(it, out, readers, done);
        done.get();
        assertThat(out.toByteArray()).isEqualTo(body);
      }
    } finally {
      readers.shutdownNow();
    }
  }

  /* Each chunk is taken on one of the readers' threads, after a hop, so the I/O thread runs ahead. */
  private static void readNext(
      AsyncIterator<ByteBuffer> it,
      ByteArrayOutputStream out,
      ExecutorService readers,
      CompletableFuture<Void> done) {
    it.hasNext()
        .whenCompleteAsync(
            (has, failure) -> {
              if (failure != null) {
                done.completeExceptionally(failure);
              } else if (!has) {
                done.complete(null);
              } else {
                ByteBuffer chunk = it.next();
                byte[] b = new byte[chunk.remaining()];
                chunk.get(b);
                out.writeBytes(b);
                readers.execute(() -> readNext(it, out, readers, done));
              }
            },
            readers);
  }

  @Test
  void chunks_smallBody_oneChunkTheSizeOfTheBody() {
    byte[] small = Arrays.copyOf(body, 1024);
    serve(small);
    HttpResponse response = get();
    AsyncIterator<ByteBuffer> it = response.body().chunks();
    assertThat(it.hasNext().toCompletableFuture().join()).isTrue();
    ByteBuffer chunk = it.next();
    // A small body costs a buffer of its own size, not one of the transport's 64 KiB buffers.
    assertThat(chunk.capacity()).isEqualTo(small.length);
    byte[] got = new byte[chunk.remaining()];
    chunk.get(got);
    assertThat(got).isEqualTo(small);
    assertThat(it.hasNext().toCompletableFuture().join()).isFalse();
  }
}
