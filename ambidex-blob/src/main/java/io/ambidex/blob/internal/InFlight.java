package io.ambidex.blob.internal;

import io.ambidex.CallFuture;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * The transfers of one client that its {@code close()} waits for. A transfer is {@link #begin
 * begun} when it is called, before its first request, so that a close that starts later sees it
 * whatever it is doing at that moment (waiting for its first response, reading its first part).
 * The phases that leave something to clean up (a temporary file, a multipart upload) {@link
 * Transfer#join join} it. A transfer is over once its stage has completed, which for a cancelled
 * one is at once, and every phase that joined it has finished its cleanup. The future a caller
 * gets settles ({@link CallFuture#settled()}) when its transfer is over. Not API.
 */
public final class InFlight {
  private final Set<CompletableFuture<Void>> open = ConcurrentHashMap.newKeySet();

  /** Begins a transfer; end it with {@link Transfer#endWith} or {@link Transfer#end}. */
  public Transfer begin() {
    Transfer transfer = new Transfer();
    open.add(transfer.over);
    transfer.over.whenComplete((v, e) -> open.remove(transfer.over));
    return transfer;
  }

  /**
   * Registers a transfer that is one phase already: complete the returned stage once it and its
   * cleanup have finished. Hand the transfer's stage to its caller through {@link
   * CallFuture#settlingWith}, with this phase as its end.
   */
  public CompletableFuture<Void> track() {
    Transfer transfer = begin();
    CompletableFuture<Void> phase = transfer.join();
    transfer.end();
    // Cannot be null: the transfer's own hold was still there when it was joined.
    return java.util.Objects.requireNonNull(phase);
  }

  /** Returns a stage that completes when every transfer begun so far is over. */
  public CompletableFuture<Void> settled() {
    return CompletableFuture.allOf(open.toArray(CompletableFuture<?>[]::new));
  }

  /** One transfer: its own hold, plus one per phase that joined it. */
  public static final class Transfer {
    private final AtomicInteger holds = new AtomicInteger(1);
    private final CompletableFuture<Void> over = new CompletableFuture<>();
    private final CompletableFuture<Void> own = new CompletableFuture<>();

    private Transfer() {
      own.whenComplete((v, e) -> release());
    }

    /**
     * Joins a phase to the transfer: it stays open until the returned stage is completed (complete
     * it once the phase's cleanup has run; completing it again does nothing). Returns null if the
     * transfer is already over (it was cancelled before this phase began): the phase must not
     * start, and must release what it was handed (close a response).
     */
    public @Nullable CompletableFuture<Void> join() {
      for (; ; ) {
        int n = holds.get();
        if (n == 0) {
          return null;
        }
        if (holds.compareAndSet(n, n + 1)) {
          break;
        }
      }
      CompletableFuture<Void> phase = new CompletableFuture<>();
      phase.whenComplete((v, e) -> release());
      return phase;
    }

    /**
     * Ends the transfer's own hold once {@code stage} has completed, and returns the stage as the
     * future the caller gets: its {@link CallFuture#settled()} completes once the transfer is
     * over, cleanup included.
     */
    public <T extends @Nullable Object> CallFuture<T> endWith(
        String operation, CompletionStage<T> stage) {
      stage.whenComplete((v, e) -> own.complete(null));
      return CallFuture.settlingWith(operation, stage, over);
    }

    /** Ends the transfer's own hold now (the call failed before it had a stage). */
    public void end() {
      own.complete(null);
    }

    private void release() {
      if (holds.decrementAndGet() == 0) {
        over.complete(null);
      }
    }
  }
}
