package io.ambidex.http;

import io.ambidex.control.AsyncCallback;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.control.CoreRuntime;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.concurrent.Executor;
import org.jspecify.annotations.Nullable;

/*
 * The body of one attempt of the RequestClient: records whether the transport opened it (a
 * one-shot body that was never opened can still be retried, e.g. after a refused connection) and
 * reports upload progress.
 */
final class AttemptBody extends RequestBody {
  private final RequestBody body;
  private final CoreRuntime runtime;
  private final @Nullable AsyncCallback<? super TransferProgress> listener;
  private volatile boolean opened;

  AttemptBody(
      RequestBody body,
      CoreRuntime runtime,
      @Nullable AsyncCallback<? super TransferProgress> listener) {
    this.body = body instanceof AttemptBody a ? a.body : body;
    this.runtime = runtime;
    this.listener = listener;
  }

  RequestBody original() {
    return body;
  }

  boolean opened() {
    return opened;
  }

  @Override
  public long contentLength() {
    return body.contentLength();
  }

  @Override
  public boolean isReplayable() {
    return body.isReplayable();
  }

  @Override
  public byte[] digest(String algorithm) {
    return body.digest(algorithm);
  }

  @Override
  void updateDigest(MessageDigest md) {
    body.updateDigest(md);
  }

  @Override
  AsyncIterator<ByteBuffer> open(@Nullable Executor blockingReads) {
    opened = true;
    AsyncIterator<ByteBuffer> it = body.open(blockingReads);
    return listener == null
        ? it
        : new ProgressChunks(
            it, runtime, listener, TransferProgress.Direction.UPLOAD, body.contentLength());
  }

  @Override
  public String toString() {
    return body.toString();
  }
}
