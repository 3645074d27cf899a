package io.ambidex.blob.internal;

import io.ambidex.CallInterruptedException;
import io.ambidex.Deadline;
import io.ambidex.context.ContextPropagation;
import io.ambidex.control.AsyncCallback;
import io.ambidex.control.CoreRuntime;
import io.ambidex.control.SyncRuntime;
import io.ambidex.http.TransferProgress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The part exchanges of one multipart upload, and which of them a cancellation may cut. Not API.
 *
 * <p>A part whose body the transport has taken in full is <em>in doubt</em>: the service may store
 * it whatever happens to the connection afterwards (it reads what the kernel already holds, and
 * stores what it read in full), and only its response says when that is done. Cutting such an
 * exchange when the upload is cancelled lets the part be stored after the abort, where nothing
 * removes it (S3Proxy answers a second abort with NoSuchUpload and lists no upload for it, yet
 * keeps the file). So a cancellation cuts a part exchange only while its body is still being
 * sent; an exchange in doubt is handed over instead, runs to its response, and {@link #settle}
 * (called before the abort) waits for it, bounded.
 *
 * <p>Which one a part is, is decided by its {@link Gate} without a race: the request's progress
 * listener sees every event before the transport takes the next chunk, so the gate marks the part
 * in doubt before the chunk that may complete its body is taken, and once cut it refuses that
 * chunk. Both paths decide the same way; they differ in how a lane waits: on the async path the
 * lane's stage is cancelled, on the blocking path the lane thread is interrupted, and since an
 * interrupt closes the interruptible channel its thread is blocked in, the exchange runs on a
 * thread of its own there, which only a cut interrupts.
 */
public final class PartExchanges {
  /*
   * How close to the end of its body a part is treated as in doubt: more than any chunk a
   * RequestBody hands the transport (64 KiB; bytes and file bodies, the only part bodies), so the
   * chunk after a listener call cannot complete a body that was not yet in doubt. Being in doubt
   * early only costs waiting for the rest of the part on a cancellation.
   */
  static final long LAST_BYTES = 1024 * 1024;

  private final CoreRuntime runtime;
  private final String name;
  private final Set<Exchange> live = ConcurrentHashMap.newKeySet();
  private volatile boolean settling;

  /**
   * @param runtime the core's runtime
   * @param name the upload, for exceptions
   */
  public PartExchanges(CoreRuntime runtime, String name) {
    this.runtime = runtime;
    this.name = name;
  }

  /** Returns the gate of a new part exchange, for a body of {@code length} bytes. */
  public Gate gate(long length) {
    return new Gate(length);
  }

  /**
   * Starts a part's exchange and returns the lane's stage of it. Cancelling that stage (async) or
   * interrupting the lane (blocking) cuts the exchange if its body is still being sent, and
   * otherwise hands it over to {@link #settle}; either way the lane's stage ends at once.
   *
   * @param gate the part's gate, whose {@link Gate#listener} the request reports progress to
   * @param exchange sends the request
   */
  public <T extends @Nullable Object> CompletionStage<T> send(
      Gate gate, Supplier<? extends CompletionStage<T>> exchange) {
    return runtime.isBlocking() ? onThread(gate, exchange) : inLane(gate, exchange);
  }

  private <T extends @Nullable Object> CompletionStage<T> inLane(
      Gate gate, Supplier<? extends CompletionStage<T>> exchange) {
    CompletableFuture<T> sent;
    Exchange ex;
    synchronized (live) { // so that settle sees every exchange that starts
      if (settling) {
        return Chains.failed(abortingFailure());
      }
      sent = exchange.get().toCompletableFuture();
      ex = new Exchange(gate, sent, () -> sent.cancel(true));
      live.add(ex);
    }
    untrackWhenEnded(ex);
    LaneStage<T> lane = new LaneStage<>(ex);
    sent.whenComplete(
        (v, e) -> {
          if (e == null) {
            lane.complete(v);
          } else {
            lane.completeExceptionally(Chains.unwrap(e));
          }
        });
    return lane;
  }

  /* The async lane's stage: its cancellation cuts the exchange or hands it over. */
  private final class LaneStage<T extends @Nullable Object> extends CompletableFuture<T> {
    private final Exchange exchange;

    LaneStage(Exchange exchange) {
      this.exchange = exchange;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean cancelled = super.cancel(mayInterruptIfRunning);
      if (cancelled) {
        exchange.stop();
      }
      return cancelled;
    }

    @Override
    public <U> CompletableFuture<U> newIncompleteFuture() {
      return new CompletableFuture<>();
    }
  }

  private <T extends @Nullable Object> CompletionStage<T> onThread(
      Gate gate, Supplier<? extends CompletionStage<T>> exchange) {
    if (Thread.currentThread().isInterrupted()) {
      return Chains.failed(new CallInterruptedException(name));
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    CompletableFuture<@Nullable Void> ended = new CompletableFuture<>();
    Runnable body =
        ContextPropagation.wrap(
            () -> {
              try {
                exchange
                    .get()
                    .whenComplete(
                        (v, e) -> {
                          if (e == null) {
                            result.complete(v);
                          } else {
                            result.completeExceptionally(Chains.unwrap(e));
                          }
                        });
              } catch (Throwable e) {
                result.completeExceptionally(e);
              } finally {
                ended.complete(null);
              }
            });
    Thread thread = threads().newThread(body);
    if (thread == null) {
      throw new IllegalStateException("the runtime's thread factory returned null");
    }
    Exchange ex = new Exchange(gate, ended, thread::interrupt);
    synchronized (live) {
      if (settling) {
        return Chains.failed(abortingFailure());
      }
      live.add(ex);
    }
    untrackWhenEnded(ex);
    thread.start();
    /*
     * The lane waits here, interruptibly: an interrupt (the caller's, or another lane's failure)
     * reaches this wait, not the exchange's socket. A Deadline of the lane's bounds the wait as it
     * would have bounded the exchange (the request client installs its own per request).
     */
    Deadline deadline = Deadline.current();
    try {
      T value =
          deadline == null
              ? result.get()
              : result.get(Math.max(0, deadline.remainingNanos()), TimeUnit.NANOSECONDS);
      return Chains.done(value);
    } catch (ExecutionException e) {
      return Chains.failed(Chains.unwrap(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ex.stop();
      return Chains.failed(new CallInterruptedException(name));
    } catch (TimeoutException e) {
      ex.stop();
      return Chains.failed(deadline.exceeded());
    }
  }

  private ThreadFactory threads() {
    return runtime instanceof SyncRuntime sync
        ? sync.threadFactory()
        : Thread.ofVirtual().name("ambidex-part-", 0).factory();
  }

  private void untrackWhenEnded(Exchange exchange) {
    exchange.ended.whenComplete((v, e) -> live.remove(exchange));
  }

  private CancellationException abortingFailure() {
    return new CancellationException(name + " is being aborted: no part is sent any more.");
  }

  /**
   * Stops every part exchange still running as a cancellation does (cut if sending, left to run
   * to its response if in doubt), refuses new ones, and waits until they have all ended, at most
   * {@code bound}; then cuts those still running. Call it before the abort: it does not rely on
   * the lanes' cancellation having reached the exchanges yet (on the async path, cancelling the
   * upload completes its stages before it cancels the stages they wait on). On the blocking path
   * it blocks the calling thread (a shielded cleanup's, which no interrupt reaches).
   *
   * @param bound the longest wait
   * @return a stage that completes (never fails) when the exchanges have ended or were cut
   */
  public CompletionStage<@Nullable Void> settle(Duration bound) {
    List<Exchange> all;
    synchronized (live) {
      settling = true;
      all = new ArrayList<>(live);
    }
    for (Exchange e : all) {
      e.stop();
    }
    if (all.isEmpty()) {
      return Chains.done(null);
    }
    if (runtime.isBlocking()) {
      long end = System.nanoTime() + bound.toNanos();
      boolean interrupted = false;
      for (Exchange e : all) {
        try {
          e.ended.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (InterruptedException ie) {
          interrupted = true; // nobody should; kept for the thread, the wait ends
          break;
        } catch (ExecutionException | CancellationException | TimeoutException ended) {
          // failed, or the bound passed: cut below
        }
      }
      cutLeft(all);
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
      return Chains.done(null);
    }
    CompletableFuture<?>[] ends =
        all.stream().map(e -> e.ended.handle((v, f) -> null)).toArray(CompletableFuture<?>[]::new);
    CompletableFuture<@Nullable Void> waited;
    try {
      waited =
          runtime
              .withTimeout(bound, name + " (parts in doubt)", () -> CompletableFuture.allOf(ends))
              .toCompletableFuture();
    } catch (RuntimeException closed) {
      waited = Chains.failed(closed);
    }
    return waited.handle(
        (v, e) -> {
          cutLeft(all);
          return null;
        });
  }

  private static void cutLeft(List<Exchange> all) {
    for (Exchange e : all) {
      if (!e.ended.isDone()) {
        e.cut.run();
      }
    }
  }

  @Override
  public String toString() {
    return "PartExchanges[" + name + ", " + live.size() + " in flight]";
  }

  /* An exchange in flight: its gate, a stage that completes when it has ended, how to cut it. */
  private record Exchange(Gate gate, CompletableFuture<?> ended, Runnable cut) {
    /* Cuts the exchange, unless its body may be complete: then it runs to its response. */
    void stop() {
      if (gate.cut()) {
        cut.run();
      } else {
        gate.handedOver = true;
      }
    }
  }

  /**
   * One part exchange's state: <em>sending</em> until its body's last bytes may be with the
   * transport, then <em>in doubt</em>; or <em>cut</em>, once a cancellation found it sending.
   * Retries of the exchange keep the state (an attempt in doubt may still be stored).
   */
  public static final class Gate {
    private static final int SENDING = 0;
    private static final int IN_DOUBT = 1;
    private static final int CUT = 2;

    private final long length;
    private final AtomicInteger state;
    private volatile long last;
    private volatile boolean handedOver;

    Gate(long length) {
      this.length = length;
      // A body no longer than the margin has no event before its last chunk: in doubt at once.
      this.state = new AtomicInteger(length <= LAST_BYTES ? IN_DOUBT : SENDING);
    }

    /**
     * Returns the listener to set on the part's request: it moves the gate with each upload event,
     * failing the exchange (so the transport takes no more of the body) once the gate is cut, and
     * then passes the event on to {@code next}, until the exchange is handed over: the upload was
     * cancelled, and a callback of the caller's must not fail (or hold up) a part in doubt.
     */
    public AsyncCallback<TransferProgress> listener(
        @Nullable AsyncCallback<? super TransferProgress> next) {
      return event -> {
        if (event.direction() == TransferProgress.Direction.UPLOAD) {
          sent(event.loaded());
        }
        return next == null || handedOver ? null : next.call(event);
      };
    }

    void sent(long loaded) {
      long before = last;
      last = loaded;
      if (loaded - before > LAST_BYTES) {
        // The margin no longer covers a chunk: a cut could then land after the body was complete.
        throw new IllegalStateException(
            "The transport took " + (loaded - before) + " bytes of a part's body between two"
                + " progress events, more than PartExchanges.LAST_BYTES (" + LAST_BYTES + "):"
                + " raise the margin above the request body's chunk size.");
      }
      if (state.get() == SENDING
          && length - loaded <= LAST_BYTES
          && state.compareAndSet(SENDING, IN_DOUBT)) {
        return;
      }
      if (state.get() == CUT) {
        throw new CancellationException(
            "The part exchange was cut by the upload's cancellation while its body was being"
                + " sent.");
      }
      if (handedOver && loaded < before) {
        // A retry of an exchange handed over: its attempt ended, and the upload is cancelled.
        throw new CancellationException(
            "The part exchange is not retried: the upload was cancelled while it was in doubt.");
      }
    }

    /** Cuts the exchange if it is still sending; returns false if it is in doubt. */
    boolean cut() {
      return state.compareAndSet(SENDING, CUT) || state.get() == CUT;
    }

    @Override
    public String toString() {
      return "Gate[" + length + " bytes, "
          + switch (state.get()) {
            case SENDING -> "sending";
            case IN_DOUBT -> "in doubt";
            default -> "cut";
          }
          + "]";
    }
  }
}
