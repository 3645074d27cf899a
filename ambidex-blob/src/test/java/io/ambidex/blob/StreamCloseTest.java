package io.ambidex.blob;

import static io.ambidex.blob.Fixtures.MIB;
import static io.ambidex.blob.Fixtures.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A stream read in ranges and closed early, through both facades: the ranges still in flight are
 * cancelled and give their connections back. The client has as many connections as ranges in
 * flight, so one connection kept by a cancelled range would leave the next stream (blocking: a
 * whole stream read at the end; async: as many gets at once as connections) waiting for a
 * connection until the test times out.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StreamCloseTest extends EmbeddedS3Fixture {
  static final int SIZE = 24 * MIB + 3; // above the 5 MiB threshold: four 5 MiB ranges and one more
  static final int CONCURRENCY = 3;
  static final int ROUNDS = 12;

  static BlobConfig config() {
    return Fixtures.config(s3.endpoint(), s3.accessKey(), s3.secretKey())
        .concurrency(CONCURRENCY)
        .maxConnections(CONCURRENCY)
        .build();
  }

  @Test
  void blockingStream_closedAfterItsFirstBuffer_cancelsItsRanges_andKeepsNoConnection() {
    String bucket = Fixtures.bucket();
    byte[] data = bytes(SIZE, 51);
    try (BlobClient client = new BlobClient(config())) {
      client.createBucket(bucket);
      client.put(bucket, "k", data);
      client.put(bucket, "small", bytes(1024, 52));
      for (int i = 0; i < ROUNDS; i++) {
        try (Stream<ByteBuffer> body = client.open(bucket, "k")) {
          Iterator<ByteBuffer> it = body.iterator();
          ByteBuffer first = it.next();
          assertThat(first.remaining()).isPositive();
          assertThat(first.get(0)).isEqualTo(data[0]);
        }
      }
      List<ByteBuffer> whole;
      try (Stream<ByteBuffer> body = client.open(bucket, "k")) {
        whole = body.toList();
      }
      Fixtures.assertSameBytes(RangedDownloadTest.concat(whole), data);
      for (int i = 0; i < CONCURRENCY; i++) {
        assertThat(client.get(bucket, "small")).hasSize(1024);
      }
    }
  }

  @Test
  void asyncStream_cancelledAfterItsFirstBuffer_cancelsItsRanges_andKeepsNoConnection()
      throws Exception {
    String bucket = Fixtures.bucket();
    byte[] data = bytes(SIZE, 53);
    AsyncBlobClient client = new AsyncBlobClient(config());
    try {
      client.createBucket(bucket).get(30, TimeUnit.SECONDS);
      client.put(bucket, "k", data).get(60, TimeUnit.SECONDS);
      client.put(bucket, "small", bytes(1024, 54)).get(30, TimeUnit.SECONDS);
      for (int i = 0; i < ROUNDS; i++) {
        CompletableFuture<Byte> first = new CompletableFuture<>();
        client.open(bucket, "k").subscribe(new Flow.Subscriber<>() {
          Flow.Subscription subscription;

          @Override
          public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
          }

          @Override
          public void onNext(ByteBuffer item) {
            subscription.cancel();
            first.complete(item.get(item.position()));
          }

          @Override
          public void onError(Throwable t) {
            first.completeExceptionally(t);
          }

          @Override
          public void onComplete() {
            first.completeExceptionally(new AssertionError("ended before its first buffer"));
          }
        });
        assertThat(first.get(60, TimeUnit.SECONDS)).isEqualTo(data[0]);
      }
      // As many gets at once as the client has connections: one kept by a cancelled range
      // would leave a get waiting.
      List<CompletableFuture<byte[]>> gets = new ArrayList<>();
      for (int i = 0; i < CONCURRENCY; i++) {
        gets.add(client.get(bucket, "small").toCompletableFuture());
      }
      for (CompletableFuture<byte[]> g : gets) {
        assertThat(g.get(60, TimeUnit.SECONDS)).hasSize(1024);
      }
    } finally {
      client.close().get(30, TimeUnit.SECONDS);
    }
  }
}
