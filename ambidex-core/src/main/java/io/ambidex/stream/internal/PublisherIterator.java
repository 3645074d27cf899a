package io.ambidex.stream.internal;

import io.ambidex.internal.Calls;
import io.ambidex.CallFuture;
import io.ambidex.control.Async;
import io.ambidex.control.internal.Results;
import io.ambidex.stream.AsyncIterator;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;

/*
 * An AsyncIterator over a Flow.Publisher (AsyncIterators.fromPublisher).
 *
 * Demand. The first hasNext() subscribes (nothing happens before it). onSubscribe requests
 * `prefetch` items, and each time `refill` of them (half, rounded up) have been taken by next(),
 * that many more are requested. So at most `prefetch` items are ever requested and not yet taken,
 * and the buffer never holds more. `requested` counts every item asked for so far (the consumer
 * adds a refill before making the request, so a publisher that answers it sees the count); an
 * item beyond it is a breach of rule 1.1 and fails the iterator.
 *
 * Buffer. A single-producer single-consumer queue of linked segments of at most SEGMENT slots:
 * onNext() is serial (rule 1.3) and the iterator has one consumer (its contract). The producer
 * fills its `tail` segment and, when it is full, links a new one in the segment's last slot
 * before storing into it; the consumer reads its `head` segment and moves to the linked one when
 * it takes past the end. So memory follows what is buffered (bounded by `prefetch`), not
 * `prefetch` itself: a ring of `prefetch` slots, allocated up front, made fromPublisher(p,
 * Integer.MAX_VALUE) fail with OutOfMemoryError and 1 << 28 cost a gigabyte for one item. Slots
 * and links are read and written with volatile semantics; an empty slot is null, which a Flow
 * item never is (2.13). Terminal signals set `done` (and `error`) after the last item is stored,
 * and the consumer reads `done` before the slot, so every item sent before onComplete/onError is
 * delivered before the end or the failure.
 *
 * Waiting. A hasNext() that finds the buffer empty and the stream not terminated publishes a waiter
 * and then checks again; a signal stores its item (a volatile write) and then looks for a waiter.
 * Each side writes, then reads what the other writes, so at least one of them sees the other; the
 * consumer withdraws its waiter with compareAndSet, so a waiter is completed exactly once, and a
 * signal that finds nothing to report gives the waiter back (see signal()). The waiter completes
 * on the publisher's thread, which then runs the consumer's continuation.
 *
 * Requests and cancel go through Upstream, a serializing loop (rule 2.7: calls on a Subscription
 * must not overlap): the first request runs on the publisher's thread in onSubscribe, refills on
 * the consumer's thread, cancel on whichever thread closes the iterator.
 */
public final class PublisherIterator<T> implements AsyncIterator<T> {
  /* The most slots of one buffer segment. */
  static final int SEGMENT = 64;
  private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Object[].class);

  private final Flow.Publisher<? extends T> publisher;
  private final int prefetch;
  private final int refill;
  private final int segmentSize;
  private final AtomicReference<@Nullable CallFuture<Boolean>> waiter = new AtomicReference<>();
  private final Upstream upstream = new Upstream(this::broken);
  private volatile boolean done;
  private volatile @Nullable Throwable error;
  private volatile boolean closed;
  private volatile long requested; // written by the consumer only, after the constructor

  // Consumer side. `head` is volatile for close(), which may run on another thread.
  private volatile @Nullable Object @Nullable [] head;
  private int headIndex;
  private boolean subscribed;
  private boolean ready; // the last hasNext() answered true at once
  private @Nullable CallFuture<Boolean> pendingAnswer; // or this waiter, which may complete true
  private int takenSinceRequest;
  private @Nullable CallFuture<Boolean> failedAnswer;

  // Publisher side.
  private @Nullable Object @Nullable [] tail;
  private int tailIndex;
  private long stored;

  public PublisherIterator(Flow.Publisher<? extends T> publisher, int prefetch) {
    this(publisher, prefetch, SEGMENT);
  }

  /* With segments of at most `maxSegment` slots: the Lincheck test crosses them with a few items. */
  PublisherIterator(Flow.Publisher<? extends T> publisher, int prefetch, int maxSegment) {
    this.publisher = publisher;
    this.prefetch = prefetch;
    this.refill = prefetch - (prefetch >> 1);
    this.segmentSize = Math.min(prefetch, maxSegment);
    this.requested = prefetch;
    @Nullable Object[] first = newSegment();
    this.head = first;
    this.tail = first;
  }

  /* A segment: `segmentSize` item slots, then the link to the next segment. */
  private @Nullable Object[] newSegment() {
    return new Object[segmentSize + 1];
  }

  private static @Nullable Object @Nullable [] link(@Nullable Object[] segment) {
    return (@Nullable Object[]) SLOT.getVolatile(segment, segment.length - 1);
  }

  /*
   * The item at the consumer's position, or null. Reads only: signal() calls it on the publisher's
   * thread while it holds the consumer's waiter, when the consumer's fields are still.
   */
  private @Nullable Object peek() {
    @Nullable Object[] segment = Objects.requireNonNull(head);
    int i = headIndex;
    if (i == segmentSize) {
      segment = link(segment);
      if (segment == null) {
        return null;
      }
      i = 0;
    }
    return SLOT.getVolatile(segment, i);
  }

  @Override
  public CompletionStage<Boolean> hasNext() {
    if (closed) {
      throw Iteration.closed(toString(), "hasNext");
    }
    if (!subscribed) {
      subscribed = true;
      try {
        publisher.subscribe(new Receiver());
      } catch (Throwable t) {
        terminate(t);
      }
    }
    if (ready) {
      return Results.TRUE;
    }
    boolean ended = done;
    if (peek() != null) {
      ready = true;
      return Results.TRUE;
    }
    if (ended) {
      return endAnswer();
    }
    CallFuture<Boolean> w = Calls.create("fromPublisher.hasNext");
    waiter.set(w);
    ended = done;
    // `closed` too: a close() from another thread (or from inside subscribe()) after the check
    // above found no waiter to cancel; it wrote `closed` before reading `waiter`, we wrote
    // `waiter` before reading `closed`, so one of us sees the other.
    if (peek() != null || ended || closed) {
      if (waiter.compareAndSet(w, null)) {
        if (closed) {
          w.cancel(true); // what close() does to a hasNext() that is waiting
          return w;
        }
        if (peek() != null) {
          ready = true;
          return Results.TRUE;
        }
        return endAnswer();
      }
      // A signal took the waiter and completes it.
    }
    pendingAnswer = w;
    return w;
  }

  private CompletionStage<Boolean> endAnswer() {
    Throwable failure = error;
    if (failure == null) {
      return Results.FALSE;
    }
    CallFuture<Boolean> answer = failedAnswer;
    if (answer == null) {
      answer = Calls.failed("fromPublisher.hasNext", failure);
      failedAnswer = answer;
    }
    return answer;
  }

  @Override
  @SuppressWarnings("unchecked")
  public T next() {
    if (closed) {
      throw Iteration.closed(toString(), "next");
    }
    CallFuture<Boolean> answer = pendingAnswer;
    if (!ready
        && answer != null
        && answer.isDone()
        && !answer.isCompletedExceptionally()
        && answer.join()) {
      ready = true;
    }
    @Nullable Object[] segment = Objects.requireNonNull(head);
    int i = headIndex;
    if (i == segmentSize) {
      @Nullable Object[] next = link(segment);
      if (next != null) {
        segment = next;
        i = 0;
      }
    }
    Object item = i < segmentSize ? SLOT.getVolatile(segment, i) : null;
    if (!ready || item == null) {
      throw Iteration.noItem(toString());
    }
    ready = false;
    pendingAnswer = null;
    SLOT.setRelease(segment, i, null);
    if (segment != head) {
      head = segment; // the segment before it is now garbage
    }
    headIndex = i + 1;
    if (++takenSinceRequest == refill) {
      takenSinceRequest = 0;
      requested = requested + refill; // before the request, so an answer to it finds it counted
      upstream.request(refill);
    }
    return (T) item;
  }

  /**
   * Cancels the subscription (if any), fails a pending hasNext() with CancellationException and
   * drops the buffered items. Completes at once: Flow has no asynchronous cancel.
   */
  @Override
  public CompletionStage<Void> close() {
    if (!closed) {
      closed = true;
      upstream.cancel();
      CallFuture<Boolean> w = waiter.getAndSet(null);
      if (w != null) {
        w.cancel(true);
      }
      for (@Nullable Object @Nullable [] segment = head; segment != null; segment = link(segment)) {
        for (int i = 0; i < segmentSize; i++) {
          SLOT.setRelease(segment, i, null);
        }
      }
    }
    return Results.DONE;
  }

  /*
   * Completes the waiter, if the consumer is waiting, with what is there now.
   *
   * A wake-up can be stale: onNext() saw the waiter W1, but before it took it the consumer found
   * the item on its own (re-check), withdrew W1, took the item and now waits on W2 for the next
   * one. Then there is nothing to report to W2: it is given back, and the state is read again in
   * case an event slipped in meanwhile and, finding no waiter, left the waking to us. Holding W2
   * means the consumer is waiting, so reading its position here is safe (written before W2
   * was published).
   */
  private void signal() {
    for (; ; ) {
      CallFuture<Boolean> w = waiter.getAndSet(null);
      if (w == null) {
        return;
      }
      if (closed) {
        w.cancel(true);
        return;
      }
      boolean ended = done;
      if (peek() != null) {
        Calls.succeed(w, true);
        return;
      }
      if (ended) {
        Throwable failure = error;
        if (failure == null) {
          Calls.succeed(w, false);
        } else {
          Calls.fail(w, failure);
        }
        return;
      }
      waiter.set(w);
      if (!closed && !done && peek() == null) {
        return;
      }
    }
  }

  /*
   * True while the consumer's waiter is published and no signal holds it. False while a signal has
   * taken it and not yet completed it or given it back (and when nobody waits). For the Lincheck
   * test, whose consumer must tell an answer still on its way from an answer missing.
   */
  boolean waiterPublished() {
    return waiter.get() != null;
  }

  private void terminate(Throwable failure) {
    if (!done) {
      error = failure;
      done = true;
    }
    signal();
  }

  /* A request() or cancel() of the publisher's subscription threw (rules 3.15, 3.16). */
  private void broken(Throwable failure) {
    terminate(failure);
  }

  @Override
  public String toString() {
    return "iterator over the Flow.Publisher " + publisher + (closed ? " [closed]" : "");
  }

  private final class Receiver implements Flow.Subscriber<T> {
    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      Objects.requireNonNull(subscription, "Reactive Streams rule 2.13: onSubscribe(null)");
      if (!upstream.set(subscription)) {
        return; // rule 2.5: a second subscription is cancelled
      }
      upstream.request(prefetch);
    }

    @Override
    public void onNext(T item) {
      Objects.requireNonNull(item, "Reactive Streams rule 2.13: onNext(null)");
      if (closed || done) {
        return; // rule 2.8: items may still arrive after cancel
      }
      long asked = requested;
      if (stored >= asked) {
        upstream.cancel();
        terminate(
            new IllegalStateException(
                "Reactive Streams rule 1.1: a publisher must not send more items than requested,"
                    + " but "
                    + publisher
                    + " sent more than the "
                    + asked
                    + " requested"));
        return;
      }
      @Nullable Object[] segment = Objects.requireNonNull(tail);
      int i = tailIndex;
      if (i == segmentSize) {
        @Nullable Object[] next = newSegment();
        SLOT.setVolatile(segment, segmentSize, next); // linked before the item is stored in it
        tail = next;
        segment = next;
        i = 0;
      }
      SLOT.setVolatile(segment, i, item);
      tailIndex = i + 1;
      stored++;
      if (waiter.get() != null) {
        signal();
      }
    }

    @Override
    public void onError(Throwable failure) {
      Objects.requireNonNull(failure, "Reactive Streams rule 2.13: onError(null)");
      terminate(failure);
    }

    @Override
    public void onComplete() {
      done = true;
      signal();
    }

    @Override
    public String toString() {
      return "Flow.Subscriber of " + PublisherIterator.this;
    }
  }

  /*
   * Serializes calls on the subscription (rule 2.7) with a work-in-progress loop: request(n) adds
   * to `pending` and cancel() sets `cancelled`; whoever moves `wip` from 0 makes the calls for all.
   * Requests made before the subscription arrives are kept and made once it does. A request() made
   * by the publisher's onNext() re-entrantly is served by the loop already running, not by
   * recursion (rule 3.3).
   */
  private static final class Upstream {
    private final java.util.function.Consumer<Throwable> broken;
    private final AtomicReference<Flow.@Nullable Subscription> subscription =
        new AtomicReference<>();
    private final AtomicLong pending = new AtomicLong();
    private final AtomicInteger wip = new AtomicInteger();
    private volatile boolean cancelled;
    private boolean cancelSent;

    Upstream(java.util.function.Consumer<Throwable> broken) {
      this.broken = broken;
    }

    /* Returns false, and cancels s, if a subscription was set before (rule 2.5). */
    boolean set(Flow.Subscription s) {
      if (!subscription.compareAndSet(null, s)) {
        s.cancel();
        return false;
      }
      drain();
      return true;
    }

    void request(long n) {
      long current;
      long next;
      do {
        current = pending.get();
        next = current + n < 0 ? Long.MAX_VALUE : current + n;
      } while (!pending.compareAndSet(current, next));
      drain();
    }

    void cancel() {
      cancelled = true;
      drain();
    }

    private void drain() {
      if (wip.getAndIncrement() != 0) {
        return;
      }
      int missed = 1;
      for (; ; ) {
        Flow.Subscription s = subscription.get();
        if (s != null && !cancelSent) {
          try {
            if (cancelled) {
              cancelSent = true;
              s.cancel();
            } else {
              long n = pending.getAndSet(0);
              if (n > 0) {
                s.request(n);
              }
            }
          } catch (Throwable t) {
            cancelSent = true;
            cancelled = true;
            broken.accept(t);
          }
        }
        missed = wip.addAndGet(-missed);
        if (missed == 0) {
          return;
        }
      }
    }
  }
}
