package io.ambidex.http.internal;

import io.ambidex.http.error.RequestBodyException;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.BlockingWait;
import io.ambidex.CallFuture;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.NoSuchElementException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/** Chunk iterators shared by bodies and transports. */
public final class Chunks {
  private Chunks() {}

  public static final CompletionStage<Boolean> TRUE =
      CallFuture.of("hasNext", CompletableFuture.completedFuture(Boolean.TRUE));
  public static final CompletionStage<Boolean> FALSE =
      CallFuture.of("hasNext", CompletableFuture.completedFuture(Boolean.FALSE));
  public static final CompletionStage<Void> CLOSED =
      CallFuture.of("close", CompletableFuture.<Void>completedFuture(null));

  /**
   * Returns whether the iterator has another chunk, reading its stage in place when complete and
   * waiting with {@link BlockingWait} otherwise. For blocking readers only.
   */
  public static boolean immediateHasNext(AsyncIterator<ByteBuffer> it) {
    return awaitHasNext(it);
  }

  /** Same as {@link #immediateHasNext} but returns the failure unwrapped and unchanged. */
  public static boolean awaitHasNext(AsyncIterator<ByteBuffer> it) {
    CompletionStage<Boolean> stage = it.hasNext();
    CompletableFuture<Boolean> f = Futures.asFuture(stage);
    if (f.isDone() && !f.isCompletedExceptionally()) {
      return f.join();
    }
    return BlockingWait.get(stage, "read chunk");
  }

  /** Waits for a close stage: read in place when complete, else with {@link BlockingWait}. */
  public static void awaitClose(CompletionStage<Void> stage) {
    CompletableFuture<Void> f = Futures.asFuture(stage);
    if (f.isDone() && !f.isCompletedExceptionally()) {
      return;
    }
    BlockingWait.get(stage, "close body");
  }
  /** The failure of a body source that ended before the length it declared. */
  public static RequestBodyException sourceEnded(Object body, long declared, long read) {
    return new RequestBodyException(
        "The request body " + body + " ended after " + read + " bytes, but it declared "
            + declared + "; the source changed or its length was wrong. Nothing more was sent.",
        new java.io.EOFException("request body ended early"));
  }

  /** The failure of a body source that holds more than the length it declared. */
  public static RequestBodyException sourceLonger(Object body, long declared) {
    return new RequestBodyException(
        "The request body " + body + " holds more than the " + declared + " bytes it declared;"
            + " the source changed or its length was wrong.",
        new IOException("request body longer than declared"));
  }


  public static RuntimeException asUnchecked(Throwable t, Object source) {
    if (t instanceof RuntimeException r) {
      return r;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t instanceof IOException io) {
      return new RequestBodyException(
          "Reading the request body " + source + " failed: " + io, io);
    }
    return new UncheckedIOException(new IOException(t));
  }

  /**
   * An iterator over a source that reads synchronously: {@link #read()} returns the next chunk or
   * null at the end. Every stage it returns is complete.
   */
  public abstract static class Immediate implements AsyncIterator<ByteBuffer> {
    private @Nullable ByteBuffer current;
    private @Nullable CompletionStage<Boolean> terminal; // FALSE or a failed stage
    private boolean closed;

    /** Reads the next chunk; null at the end. */
    protected abstract @Nullable ByteBuffer read() throws IOException;

    /** Releases the source; called once, on close or at the end. */
    protected void release() throws IOException {}

    @Override
    public final CompletionStage<Boolean> hasNext() {
      if (closed) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("hasNext() was called on a closed body iterator"));
      }
      if (terminal != null) {
        return terminal;
      }
      try {
        ByteBuffer b = readChunk();
        if (b == null) {
          terminal = FALSE;
          releaseQuietly();
          return FALSE;
        }
        current = b;
        return TRUE;
      } catch (IOException | RuntimeException e) {
        CompletionStage<Boolean> failed = CompletableFuture.failedFuture(asUnchecked(e, this));
        terminal = failed;
        releaseQuietly();
        return failed;
      }
    }

    /* read(), as the source's kind needs it done. */
    @Nullable ByteBuffer readChunk() throws IOException {
      return read();
    }

    /**
     * Ends a read in progress from another thread, if the source's reads may block (see {@link
     * Blocking}); a no-op for sources whose reads return at once.
     */
    public void abort() {}

    @Override
    public final ByteBuffer next() {
      ByteBuffer b = current;
      if (b == null) {
        throw new NoSuchElementException("next() was called without a successful hasNext()");
      }
      current = null;
      return b;
    }

    @Override
    public final CompletionStage<Void> close() {
      if (!closed) {
        closed = true;
        current = null;
        try {
          release();
        } catch (IOException | RuntimeException e) {
          return CompletableFuture.failedFuture(asUnchecked(e, this));
        }
      }
      return CLOSED;
    }

    private void releaseQuietly() {
      try {
        release();
      } catch (IOException | RuntimeException ignored) {
        // the read outcome is what matters; close() reports nothing more
      }
    }

    /** Returns a view that performs each read on {@code executor} (for blocking sources). */
    public final AsyncIterator<ByteBuffer> on(Executor executor) {
      Immediate self = this;
      return new AsyncIterator<>() {
        private @Nullable CompletableFuture<Boolean> pending;

        @Override
        public CompletionStage<Boolean> hasNext() {
          CompletableFuture<Boolean> p = new CompletableFuture<>();
          pending = p;
          try {
            executor.execute(
                () -> {
                  CompletableFuture<Boolean> r = Futures.asFuture(self.hasNext());
                  r.whenComplete(
                      (v, e) -> {
                        if (e != null) {
                          p.completeExceptionally(e);
                        } else {
                          p.complete(v);
                        }
                      });
                });
          } catch (RuntimeException rejected) {
            p.completeExceptionally(rejected);
          }
          return p;
        }

        @Override
        public ByteBuffer next() {
          return self.next();
        }

        @Override
        public CompletionStage<Void> close() {
          CompletableFuture<Boolean> p = pending;
          if (p == null || p.isDone()) {
            return self.close();
          }
          // The exchange ended while a read is in flight: end the read (a source that stalls
          // would hold its thread and stay open), then close after it, on the thread that runs it.
          self.abort();
          return p.handle((v, e) -> null).thenCompose(ignored -> self.close());
        }

        @Override
        public String toString() {
          return self.toString();
        }
      };
    }
  }

  /**
   * An {@link Immediate} whose reads may block for long (an {@code InputStream}). {@link #abort}
   * ends a read in progress: it interrupts the reading thread and releases (closes) the source, so
   * a total timeout or a cancellation does not wait for a source that stalls. The interrupt is
   * taken back when the read returns: the reading thread's flag is left as it was before.
   */
  public abstract static class Blocking extends Immediate {
    private final Object readLock = new Object();
    private @Nullable Thread reader; // guarded by readLock
    private boolean aborted; // guarded by readLock
    private boolean interruptedReader; // guarded by readLock

    @Override
    final @Nullable ByteBuffer readChunk() throws IOException {
      synchronized (readLock) {
        if (aborted) {
          throw new InterruptedIOException("the exchange was aborted while its body was read");
        }
        reader = Thread.currentThread();
      }
      try {
        return read();
      } finally {
        synchronized (readLock) {
          reader = null;
          if (interruptedReader) {
            interruptedReader = false;
            Thread.interrupted(); // ours, not the caller's: clear it
          }
        }
      }
    }

    @Override
    public final void abort() {
      synchronized (readLock) {
        if (aborted) {
          return;
        }
        aborted = true;
        Thread r = reader;
        if (r != null && !r.isInterrupted()) {
          interruptedReader = true;
          r.interrupt();
        }
      }
      try {
        release(); // closes the source: unblocks reads that ignore interrupts (sockets, pipes)
      } catch (IOException | RuntimeException ignored) {
        // aborting anyway; close() releases it again and reports nothing more
      }
    }
  }

  /** Checks that an async chunk source holds exactly its declared length. */
  public static final class LengthChecked implements AsyncIterator<ByteBuffer> {
    private final AsyncIterator<ByteBuffer> source;
    private final long length;
    private final Object body;
    private long seen;

    public LengthChecked(AsyncIterator<ByteBuffer> source, long length, Object body) {
      this.source = source;
      this.length = length;
      this.body = body;
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      return source
          .hasNext()
          .thenApply(
              has -> {
                if (!has && seen < length) {
                  throw sourceEnded(body, length, seen);
                }
                return has;
              });
    }

    @Override
    public ByteBuffer next() {
      ByteBuffer b = source.next();
      seen += b.remaining();
      if (seen > length) {
        throw sourceLonger(body, length);
      }
      return b;
    }

    @Override
    public CompletionStage<Void> close() {
      return source.close();
    }
  }
}
