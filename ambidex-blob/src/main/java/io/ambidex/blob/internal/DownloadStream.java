package io.ambidex.blob.internal;

import io.ambidex.stream.AsyncIterator;
import io.ambidex.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.NoSuchElementException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * An object's bytes as an {@link AsyncIterator} of buffers: the request is sent on the first
 * {@code hasNext()}, each buffer handed out is a copy the caller owns, and the last {@code
 * hasNext()} checks the bytes against the object's ETag ({@link DownloadVerifier}), failing with
 * {@link io.ambidex.blob.BlobIntegrityException} instead of answering false if they do not match.
 * Closing it early closes the connection. Not API.
 */
public final class DownloadStream implements AsyncIterator<ByteBuffer> {
  private final Supplier<? extends CompletionStage<HttpResponse>> send;
  private final String what;
  private final boolean ranged;
  private @Nullable CompletableFuture<HttpResponse> sending;
  private volatile @Nullable AsyncIterator<ByteBuffer> chunks;
  private @Nullable DownloadVerifier verifier;
  private volatile boolean closed;
  private boolean ended;

  /**
   * Creates the stream.
   *
   * @param send sends the GET and returns its response once the head has arrived
   * @param what names the download, for messages
   * @param ranged true for a ranged download (not checked against the ETag)
   */
  public DownloadStream(
      Supplier<? extends CompletionStage<HttpResponse>> send, String what, boolean ranged) {
    this.send = send;
    this.what = what;
    this.ranged = ranged;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    if (closed) {
      throw new IllegalStateException("The download stream of " + what + " is closed.");
    }
    AsyncIterator<ByteBuffer> c = chunks;
    if (c != null) {
      return checkEnd(c.hasNext());
    }
    if (sending == null) {
      sending = send.get().toCompletableFuture();
    }
    return Chains.then(
        sending,
        response -> {
          if (closed) {
            response.close();
            throw new CancellationException("The download stream of " + what + " was closed.");
          }
          verifier = DownloadVerifier.of(what, response.headers(), ranged);
          AsyncIterator<ByteBuffer> opened = response.body().chunks();
          chunks = opened;
          return checkEnd(opened.hasNext());
        });
  }

  private CompletionStage<Boolean> checkEnd(CompletionStage<Boolean> has) {
    return has.thenApply(
        more -> {
          if (!more && !ended) {
            ended = true;
            DownloadVerifier v = verifier;
            if (v != null) {
              v.finish();
            }
          }
          return more;
        });
  }

  @Override
  public ByteBuffer next() {
    AsyncIterator<ByteBuffer> c = chunks;
    if (c == null) {
      throw new NoSuchElementException("hasNext() did not answer true");
    }
    ByteBuffer chunk = c.next();
    DownloadVerifier v = verifier;
    if (v != null) {
      v.update(chunk);
    }
    ByteBuffer copy = ByteBuffer.allocate(chunk.remaining());
    copy.put(chunk.duplicate()).flip();
    return copy;
  }

  @Override
  public CompletionStage<Void> close() {
    closed = true;
    AsyncIterator<ByteBuffer> c = chunks;
    if (c != null) {
      return c.close();
    }
    CompletableFuture<HttpResponse> s = sending;
    if (s != null) {
      s.cancel(true);
      s.thenAccept(HttpResponse::close); // arrived anyway: release it
    }
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public String toString() {
    return "DownloadStream[" + what + (ranged ? ", ranged" : "") + "]";
  }
}
