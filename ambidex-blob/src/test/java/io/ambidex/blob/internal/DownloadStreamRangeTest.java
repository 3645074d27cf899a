package io.ambidex.blob.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.BlobIntegrityException;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.stream.AsyncIterators;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link DownloadStream.Range}, the part of a ranged stream that its fetch writes and its reader
 * takes from: blocks of {@link DownloadStream#BLOCK} bytes allocated as bytes arrive and let go
 * of once taken, a retry that goes on where the bytes in place end, and the bad bodies refused.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DownloadStreamRangeTest {
  static final int BLOCK = DownloadStream.BLOCK;

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /* `data[from, to)` as chunks of `size` bytes (the last shorter). */
  static List<ByteBuffer> chunks(byte[] data, int from, int to, int size) {
    List<ByteBuffer> out = new ArrayList<>();
    for (int at = from; at < to; at += size) {
      out.add(ByteBuffer.wrap(Arrays.copyOfRange(data, at, Math.min(to, at + size))));
    }
    return out;
  }

  static AsyncIterator<ByteBuffer> body(List<ByteBuffer> chunks) {
    return AsyncIterators.fromIterable(chunks);
  }

  /* Every block of `range`, taken in order, as one array. */
  static byte[] takeAll(DownloadStream.Range range) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i * BLOCK < range.length(); i++) {
      byte[] block = range.take(i);
      out.write(block, 0, block.length);
    }
    return out.toByteArray();
  }

  @Test
  void chunksAcrossBlocks_landInBlocksOfTheirOwn_whichAreLetGoOnceTaken() {
    int length = 2 * BLOCK + 12_345;
    byte[] data = bytes(length, 1);
    DownloadStream.Range range = new DownloadStream.Range(length, "range at 0 of test");
    range.fill(body(chunks(data, 0, length, 100_003))).toCompletableFuture().join();

    assertThat(range.filled()).isEqualTo(length);
    byte[] first = range.take(0);
    assertThat(first).hasSize(BLOCK).isEqualTo(Arrays.copyOfRange(data, 0, BLOCK));
    assertThatThrownBy(() -> range.take(0))
        .as("a block taken is no longer the range's")
        .isInstanceOf(NullPointerException.class);
    assertThat(range.take(1)).isEqualTo(Arrays.copyOfRange(data, BLOCK, 2 * BLOCK));
    assertThat(range.take(2)).as("the last block is as long as what is left").hasSize(12_345);
  }

  @Test
  void aRetry_skipsWhatIsInPlace_andWritesTheRest() {
    int length = 3 * BLOCK;
    byte[] data = bytes(length, 2);
    DownloadStream.Range range = new DownloadStream.Range(length, "range at 0 of test");
    List<ByteBuffer> firstPart = chunks(data, 0, BLOCK + 1000, 64 * 1024);
    AsyncIterator<ByteBuffer> broken =
        AsyncIterators.concat(
            List.of(body(firstPart), AsyncIterators.failed(new IOException("reset"))));
    assertThatThrownBy(() -> range.fill(broken).toCompletableFuture().join())
        .hasCauseInstanceOf(IOException.class);
    assertThat(range.filled()).isEqualTo(BLOCK + 1000);
    byte[] taken = range.take(0); // the reader has the first block

    // The retry sends the range from its start, in chunks that straddle what is in place; a
    // retry that wrote again would not touch `taken` (the range let go of it), so what this
    // checks is that the rest lands where it belongs.
    range.fill(body(chunks(data, 0, length, 70_001))).toCompletableFuture().join();
    assertThat(range.filled()).isEqualTo(length);
    assertThat(taken).isEqualTo(Arrays.copyOfRange(data, 0, BLOCK));
    assertThat(range.take(1)).isEqualTo(Arrays.copyOfRange(data, BLOCK, 2 * BLOCK));
    assertThat(range.take(2)).isEqualTo(Arrays.copyOfRange(data, 2 * BLOCK, 3 * BLOCK));
  }

  @Test
  void aStragglingAttempt_isRefusedOnceALaterOneStarted() {
    int length = BLOCK;
    byte[] data = bytes(length, 3);
    DownloadStream.Range range = new DownloadStream.Range(length, "range at 0 of test");
    List<ByteBuffer> late = chunks(data, 0, length, 1000);
    // An attempt's body whose first chunk comes only after a second attempt has begun.
    CompletableFuture<Boolean> gate = new CompletableFuture<>();
    AsyncIterator<ByteBuffer> slow =
        new AsyncIterator<>() {
          private final AsyncIterator<ByteBuffer> rest = body(late);
          private boolean first = true;

          @Override
          public CompletionStage<Boolean> hasNext() {
            if (first) {
              first = false;
              return gate.thenCompose(ignored -> rest.hasNext());
            }
            return rest.hasNext();
          }

          @Override
          public ByteBuffer next() {
            return rest.next();
          }

          @Override
          public CompletionStage<Void> close() {
            return rest.close();
          }
        };
    var straggler = range.fill(slow).toCompletableFuture();
    range.fill(body(chunks(data, 0, length, 4096))).toCompletableFuture().join();
    gate.complete(true);

    Throwable refused = straggler.handle((ignored, e) -> e).join();
    assertThat(refused instanceof CompletionException ? refused.getCause() : refused)
        .isInstanceOf(CancellationException.class)
        .hasMessageContaining("A later attempt took over the range at 0 of test");
    assertThat(takeAll(range)).isEqualTo(data);
  }

  @Test
  void aBodyLongerOrShorterThanTheRange_isRefused_namingTheRange() {
    byte[] data = bytes(BLOCK + 10, 4);
    DownloadStream.Range longer = new DownloadStream.Range(BLOCK, "range at 0 of bkt/k");
    assertThatThrownBy(
            () -> longer.fill(body(chunks(data, 0, BLOCK + 10, 4096))).toCompletableFuture().join())
        .hasCauseInstanceOf(IllegalStateException.class)
        .hasMessageContaining("more than the " + BLOCK + " bytes of the range at 0 of bkt/k");

    DownloadStream.Range shorter = new DownloadStream.Range(BLOCK, "range at 0 of bkt/k");
    assertThatThrownBy(
            () -> shorter.fill(body(chunks(data, 0, BLOCK - 1, 4096))).toCompletableFuture().join())
        .hasCauseInstanceOf(BlobIntegrityException.class)
        .hasMessageContaining("range at 0 of bkt/k ended after " + (BLOCK - 1));
  }

  @Test
  void spread_onlyWhenTheTwoTogetherBringAHalfMoreThanTheLeadAlone() {
    long mib = 1024 * 1024;
    long ms = 1_000_000;
    // Alone: 16 MiB in 100 ms. Together (the lead and the probe): per 100 ms.
    assertThat(DownloadStream.spread(16 * mib, 100 * ms, 24 * mib, 100 * ms)).isTrue();
    assertThat(DownloadStream.spread(16 * mib, 100 * ms, 32 * mib, 100 * ms)).isTrue();
    assertThat(DownloadStream.spread(16 * mib, 100 * ms, 24 * mib - 1, 100 * ms))
        .as("just under 1.5 times")
        .isFalse();
    assertThat(DownloadStream.spread(16 * mib, 100 * ms, 16 * mib, 100 * ms))
        .as("a shared bound: the probe took what the lead lost")
        .isFalse();
    assertThat(DownloadStream.spread(16 * mib, 100 * ms, 24 * mib, 200 * ms)).isFalse();
    assertThat(DownloadStream.spread(16 * mib, 0, 24 * mib, 100 * ms)).as("nothing measured").isFalse();
    assertThat(DownloadStream.spread(16 * mib, 100 * ms, 24 * mib, 0)).isFalse();
  }
}
