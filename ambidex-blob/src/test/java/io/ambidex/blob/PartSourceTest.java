package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.Immediate;
import io.ambidex.blob.internal.PartSource;
import io.ambidex.blob.internal.PartSource.Part;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream's parts are read into at most as many buffers as there are parts in flight: a buffer
 * handed back after its part was stored is reused for a later part, and one that is not handed
 * back (a failed or cancelled part, which a request may still read) never is.
 */
@Timeout(60)
class PartSourceTest {
  static final int PART = 5 * 1024 * 1024;

  private static Part next(PartSource source) {
    return Immediate.get(source.next(), "next part");
  }

  @Test
  void recycledBuffer_isReusedForALaterPart_andTheBytesAreTheStreamsOwn() {
    byte[] data = Fixtures.bytes(4 * PART + 10, 21);
    PartSource source = PartSource.ofStream(
        new ByteArrayInputStream(data), PART, false, ChecksumAlgorithm.MD5, null);

    Part one = next(source);
    Part two = next(source);
    assertThat(two.buffer()).isNotSameAs(one.buffer());
    source.recycle(one);
    Part three = next(source);
    Part four = next(source);

    assertThat(three.buffer()).isSameAs(one.buffer()); // reused, once
    assertThat(four.buffer()).isNotSameAs(one.buffer()).isNotSameAs(two.buffer());
    assertThat(three.length()).isEqualTo(PART);
    byte[] expected = java.util.Arrays.copyOfRange(data, 2 * PART, 3 * PART);
    assertThat(java.util.Arrays.copyOf(three.buffer(), PART)).isEqualTo(expected);
    assertThat(three.digests().checksum()).isEqualTo(FaultTest.md5(expected));
  }

  @Test
  void bufferNotHandedBack_isNeverReused() {
    byte[] data = Fixtures.bytes(3 * PART, 22);
    PartSource source = PartSource.ofStream(
        new ByteArrayInputStream(data), PART, false, ChecksumAlgorithm.MD5, null);

    Part one = next(source);
    Part two = next(source);
    Part three = next(source);

    assertThat(three.buffer()).isNotSameAs(one.buffer()).isNotSameAs(two.buffer());
    assertThat(next(source)).isNull();
  }

  /**
   * A lane hands its part back on the thread that completed the part's upload: on the async
   * client, a transport I/O thread. Another lane may meanwhile be reading the next part from a
   * slow stream (a socket, a pipe), so neither the hand-back nor the size queries may wait for
   * that read: an I/O thread parked there stalls every exchange it serves, the abort of a
   * cancelled upload among them.
   */
  @Test
  void recycleAndSize_whileAnotherPartIsBeingRead_doNotWaitForTheStream() throws Exception {
    byte[] data = Fixtures.bytes(2 * PART + 1, 23);
    CountDownLatch stalled = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    InputStream slow =
        new InputStream() {
          private final ByteArrayInputStream head = new ByteArrayInputStream(data);

          @Override
          public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            int n = head.read(b, off, len);
            if (n >= 0) {
              return n;
            }
            stalled.countDown(); // the stream has more, but not yet
            try {
              release.await(30, TimeUnit.SECONDS);
              return -1;
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new InterruptedIOException("interrupted");
            }
          }
        };
    PartSource source = PartSource.ofStream(slow, PART, false, ChecksumAlgorithm.MD5, null);
    Part one = next(source);
    next(source); // part 2; the byte read ahead of it is the start of part 3
    java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
    CompletableFuture<Part> three = CompletableFuture.supplyAsync(() -> next(source), threads);
    assertThat(stalled.await(10, TimeUnit.SECONDS)).as("part 3's read waits for the stream").isTrue();

    CompletableFuture<Long> handedBack =
        CompletableFuture.supplyAsync(
            () -> {
              source.recycle(one);
              return source.size() + source.partCount();
            },
            threads);

    try {
      assertThat(handedBack.get(5, TimeUnit.SECONDS))
          .as("size() and partCount() while the stream has not ended")
          .isEqualTo(-2L);
    } finally {
      release.countDown();
      threads.shutdown();
    }
    assertThat(three.get(10, TimeUnit.SECONDS).length()).isEqualTo(1);
    assertThat(source.size()).isEqualTo(data.length);
    assertThat(source.partCount()).isEqualTo(3);
  }
}
