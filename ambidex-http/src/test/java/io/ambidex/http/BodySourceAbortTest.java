package io.ambidex.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.CallInterruptedException;
import io.ambidex.OperationTimeoutException;
import io.ambidex.control.RetryPolicy;
import io.ambidex.http.error.RequestBodyException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * An {@code InputStream} request body whose source stalls: the total timeout aborts the upload on
 * both paths (the reading thread is interrupted, the stream closed), an interrupt of a blocking
 * caller reading it is a {@link CallInterruptedException} with the flag kept, and the stream is
 * closed when the exchange ends. Found by exploratory testing: the blocking call waited for the
 * source (8 s, or forever) and then failed with {@code RequestBodyException}; the async call timed
 * out but left the stream open and its reader blocked.
 */
@Timeout(60)
class BodySourceAbortTest {

  /** Gives 10 bytes, then blocks until it is closed or its reader interrupted (at most 30 s). */
  static final class Stalling extends InputStream {
    final CountDownLatch stalled = new CountDownLatch(1);
    final CountDownLatch readerLeft = new CountDownLatch(1);
    volatile boolean closed;
    volatile boolean interrupted;
    private int given;

    @Override
    public int read() throws IOException {
      byte[] b = new byte[1];
      return read(b, 0, 1) < 0 ? -1 : b[0];
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (given < 10) {
        int n = Math.min(len, 10 - given);
        given += n;
        return n;
      }
      stalled.countDown();
      try {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!closed && System.nanoTime() < end) {
          try {
            Thread.sleep(5);
          } catch (InterruptedException e) {
            interrupted = true;
            throw new InterruptedIOException("interrupted while waiting for the producer");
          }
        }
        throw new IOException(closed ? "closed" : "the test's 30 s passed");
      } finally {
        readerLeft.countDown();
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void totalTimeout_whileTheSourceStalls_abortsTheUpload_andClosesTheStream(Fixture.Kind kind)
      throws Exception {
    try (RawHttpServer server = new RawHttpServer();
        Fixture f =
            Fixture.create(
                kind, Duration.ofSeconds(30), 2, b -> b.timeout(Duration.ofMillis(300)))) {
      server.script(
          new RawHttpServer.Script(
              "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(), RawHttpServer.Mode.CLOSE));
      Stalling source = new Stalling();
      HttpRequest put =
          HttpRequest.newBuilder(server.uri("/put"))
              .PUT(RequestBody.ofInputStream(source, 1000))
              .build();
      CompletableFuture<Throwable> failure = new CompletableFuture<>();
      CompletableFuture<Boolean> flag = new CompletableFuture<>();
      Thread.ofPlatform()
          .start(
              () -> {
                try {
                  f.await(f.client.send(put, r -> r.body().readString(100)));
                  failure.completeExceptionally(new AssertionError("the upload succeeded"));
                } catch (Throwable t) {
                  failure.complete(t);
                }
                flag.complete(Thread.currentThread().isInterrupted());
              });

      // The test's own bound is a hang guard: the source would stall for 30 s.
      assertThat(failure.get(20, TimeUnit.SECONDS)).isInstanceOf(OperationTimeoutException.class);
      assertThat(flag.get(5, TimeUnit.SECONDS)).as("interrupt flag after the call").isFalse();
      assertThat(source.readerLeft.await(20, TimeUnit.SECONDS))
          .as("the read of the stalled source was ended")
          .isTrue();
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> source.closed);
      Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> f.leased() == 0);
    }
  }

  @Test
  void interrupt_whileTheBlockingCallerReadsTheSource_isCallInterrupted_flagKept()
      throws Exception {
    try (RawHttpServer server = new RawHttpServer();
        Fixture f =
            Fixture.create(
                Fixture.Kind.SYNC, Duration.ofSeconds(30), 2, b -> b.retryPolicy(RetryPolicy.none()))) {
      server.script(
          new RawHttpServer.Script(
              "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(), RawHttpServer.Mode.CLOSE));
      PipedOutputStream writer = new PipedOutputStream();
      PipedInputStream in = new PipedInputStream(writer);
      writer.write(new byte[10]); // 10 of 1000 bytes; the writer then stalls (but stays alive)
      HttpRequest put =
          HttpRequest.newBuilder(server.uri("/put")).PUT(RequestBody.ofInputStream(in, 1000)).build();
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicReference<Boolean> flagKept = new AtomicReference<>();
      Thread caller =
          Thread.ofPlatform()
              .start(
                  () -> {
                    try {
                      f.await(f.client.send(put, r -> r.body().readString(100)));
                    } catch (Throwable t) {
                      thrown.set(t);
                    }
                    flagKept.set(Thread.currentThread().isInterrupted());
                  });
      // The caller waits in PipedInputStream.read for the writer (wait(1000)).
      Awaitility.await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> caller.getState() == Thread.State.TIMED_WAITING);
      caller.interrupt();
      caller.join(20_000);

      assertThat(thrown.get()).isInstanceOf(CallInterruptedException.class);
      assertThat(flagKept.get()).as("interrupt flag kept").isTrue();
      writer.close();
    }
  }

  @ParameterizedTest
  @EnumSource(Fixture.Kind.class)
  void failingSource_isARequestBodyException_namingTheBody(Fixture.Kind kind) throws Exception {
    try (RawHttpServer server = new RawHttpServer();
        Fixture f = Fixture.create(kind)) {
      server.script(
          new RawHttpServer.Script(
              "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(), RawHttpServer.Mode.CLOSE));
      InputStream broken =
          new InputStream() {
            @Override
            public int read() throws IOException {
              throw new IOException("disk gone");
            }
          };
      HttpRequest put =
          HttpRequest.newBuilder(server.uri("/put"))
              .PUT(RequestBody.ofInputStream(broken, 1000))
              .build();
      assertThatThrownBy(() -> f.await(f.client.send(put, r -> r.body().readString(100))))
          .isInstanceOf(RequestBodyException.class)
          .hasMessageContaining("Reading the request body RequestBody[InputStream, 1000 bytes]"
              + " failed");
    }
  }
}
