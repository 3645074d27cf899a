package io.ambidex.http.internal;

import io.ambidex.control.AsyncCallback;
import io.ambidex.http.TransferProgress;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.control.CoreRuntime;
import java.nio.ByteBuffer;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jspecify.annotations.Nullable;

/*
 * Emits TransferProgress through the runtime's callback rule. A chunk is reported on the
 * hasNext() that follows it, i.e. once the consumer has written (upload) or taken (download) it;
 * the stage of that hasNext() waits for the callback as the runtime says (never under the sync
 * runtime, without blocking under the async one), which also paces the transfer to a slow async
 * listener. At the end, one final event with loaded == total is emitted unless the last chunk's
 * event already was one. Closing it while a hasNext() waits for a callback's stage fails that
 * hasNext() at once (the stage may never complete: a cancelled download's consumer would wait on
 * it, holding its temporary file, instead of seeing the end).
 */
public final class ProgressChunks implements AsyncIterator<ByteBuffer> {
  private final AsyncIterator<ByteBuffer> source;
  private final CoreRuntime runtime;
  private final AsyncCallback<? super TransferProgress> listener;
  private final TransferProgress.Direction direction;
  private final long total;
  private long loaded;
  private boolean unreported;
  private boolean lastWasComplete;
  private boolean finished;
  private volatile boolean closed;
  /* The hasNext() that waits for a callback's stage, failed by close(). */
  private volatile @Nullable CompletableFuture<Boolean> waitingForReport;

  public ProgressChunks(
      AsyncIterator<ByteBuffer> source,
      CoreRuntime runtime,
      AsyncCallback<? super TransferProgress> listener,
      TransferProgress.Direction direction,
      long total) {
    this.source = source;
    this.runtime = runtime;
    this.listener = listener;
    this.direction = direction;
    this.total = total;
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    if (!unreported) {
      return afterReport();
    }
    unreported = false;
    lastWasComplete = loaded == total;
    CompletableFuture<Void> report =
        Futures.asFuture(runtime.emit(listener, new TransferProgress(direction, loaded, total)));
    if (report.isDone() && !report.isCompletedExceptionally()) {
      return afterReport();
    }
    CompletableFuture<Boolean> waiting = report.thenCompose(ignored -> afterReport());
    waitingForReport = waiting;
    if (closed) { // close() may have run before the field was set
      waiting.completeExceptionally(closedWhileReporting());
    }
    return waiting;
  }

  private static CancellationException closedWhileReporting() {
    return new CancellationException("the body was closed while a progress callback was pending");
  }

  private CompletionStage<Boolean> afterReport() {
    if (closed) {
      return CompletableFuture.failedFuture(closedWhileReporting());
    }
    CompletionStage<Boolean> s = source.hasNext();
    CompletableFuture<Boolean> f = Futures.asFuture(s);
    if (f.isDone() && !f.isCompletedExceptionally() && f.join()) {
      return s;
    }
    return s.thenCompose(
        has -> {
          if (has || finished) {
            return has ? Chunks.TRUE : Chunks.FALSE;
          }
          finished = true;
          if (lastWasComplete) {
            return Chunks.FALSE;
          }
          return runtime
              .emit(listener, new TransferProgress(direction, loaded, loaded))
              .thenApply(ignored -> Boolean.FALSE);
        });
  }

  @Override
  public ByteBuffer next() {
    ByteBuffer b = source.next();
    loaded += b.remaining();
    unreported = true;
    return b;
  }

  @Override
  public CompletionStage<Void> close() {
    closed = true;
    CompletableFuture<Boolean> waiting = waitingForReport;
    if (waiting != null) {
      waiting.completeExceptionally(closedWhileReporting());
    }
    return source.close();
  }
}
