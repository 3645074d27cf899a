package io.ambidex.producer.internal;

import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import io.ambidex.internal.CancelHook;
import io.ambidex.internal.Calls;
import io.ambidex.BlockingGuard;
import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.control.Async;
import io.ambidex.producer.AsyncProducerIterator;
import io.ambidex.producer.Producer;
import io.ambidex.producer.ProducerIterator;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Timers;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Reference;
import java.time.Duration;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/*
 * A producer run consumed by an iterator, blocking or async, through a single-producer
 * single-consumer ring buffer.
 *
 * Indexes only grow. The body writes ring[tail & mask] and then publishes tail + 1 (volatile);
 * the consumer reads up to tail and clears the slots it consumed. Demand is `limit`: the body may
 * publish index i only if i < limit. The consumer grants demand only when it asks for an item
 * (hasNext/next), raising limit to head + bufferSize, and only if the items buffered plus the
 * demand outstanding have fallen to half the buffer, or if the body is waiting for demand and
 * there is room at all. The second rule matters for speed: granting the moment a waiting body can
 * go on means it is usually awake again before the consumer runs dry, instead of both sides
 * parking in turn once per half buffer (measured: about 3x fewer ns per item). With a buffer of
 * one both rules give lock step: send(x) returns when the consumer asks for the item after x.
 *
 * The indexes live in Ring.Indexes, padded so that the body's per-item fields, the consumer's
 * per-item fields and `limit` sit on different cache lines. Both sides cache the other side's
 * index (consumerTail, producerLimit) and read the shared volatile only when the cache runs out.
 *
 * The ring grows. A buffer of up to PREALLOCATED slots is allocated whole, as one array that
 * never changes (the common case: the default is 256). A larger buffer size is a cap, not an
 * allocation: the ring starts with PREALLOCATED slots and doubles, up to the power of two that
 * holds bufferSize items, when the body finds it full; the linked-array scheme of JCTools'
 * SpscGrowableArrayQueue. Every array but the last has one more slot, which links it to the next,
 * and the body never fills its last free slot: when the slot after the one it is about to write
 * is still occupied (items not consumed yet), it allocates the next array, writes the item there,
 * links it, and writes JUMP into the free slot instead. The consumer, reading in index order,
 * meets JUMP exactly where the item would have been and moves to the next array for good; the old
 * one becomes garbage. The last array needs no free slot: the demand rule never lets more than
 * bufferSize items be buffered, which it holds. The consumer clears a slot with a release store
 * and the body tests "occupied" with an acquire load, so a cleared slot the body sees is one the
 * consumer has finished reading; a stale "occupied" only makes the ring grow early. Everything the
 * body writes (item, link, JUMP) is published by the volatile write of tail, which the consumer
 * reads before it reads a slot. Memory follows the most items buffered at once in the run (it does
 * not shrink), bounded by bufferSize.
 *
 * Waking the consumer: it publishes itself in `waiting` (its Thread, or the CallFuture of a
 * pending async hasNext) and re-checks; the body, after every publication (item, setup, end),
 * reads `waiting` and claims it with a CAS before waking it. A blocking consumer spins briefly
 * before publishing itself, so a body that keeps up costs no park at all.
 */
public final class BufferedRun<T, S extends @Nullable Object> extends ProducerRun<T, S> {
  private static final Object END = new Object();
  /** Written where an item would be when the item went to the next, larger array. */
  private static final Object JUMP = new Object();
  /** Buffer sizes up to this are allocated whole; larger ones start here and grow. */
  static final int PREALLOCATED = 1024;
  private static final CallFuture<Boolean> TRUE = Calls.completed("Producer.hasNext", true);
  private static final CallFuture<Boolean> FALSE = Calls.completed("Producer.hasNext", false);

  private static final VarHandle TAIL;
  private static final VarHandle LIMIT;
  private static final VarHandle WAITING;
  private static final VarHandle CLOSING;
  private static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(Object[].class);

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      TAIL = lookup.findVarHandle(Ring.ProducerSide.class, "tail", long.class);
      LIMIT = lookup.findVarHandle(Ring.Demand.class, "limit", long.class);
      WAITING = lookup.findVarHandle(BufferedRun.class, "waiting", Object.class);
      CLOSING = lookup.findVarHandle(BufferedRun.class, "closing", CallFuture.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** The size of the last array the ring can grow to: the power of two holding capacity. */
  private final int lastSize;
  private final int capacity;
  private final int grantThreshold;

  // Shared.
  private volatile @Nullable Object waiting;
  private volatile @Nullable Object terminal;
  private volatile boolean closed;
  /** The consumer's head when it registered a pending async hasNext (published by `waiting`). */
  private volatile long waitHead;
  private final Canceller canceller = new Canceller();
  @SuppressWarnings("unused") // accessed through CLOSING
  private volatile @Nullable CallFuture<@Nullable Void> closing;

  /** The indexes, padded apart: plain fields are the body's or the consumer's own. */
  private final Ring.Indexes ix = new Ring.Indexes();

  final CallFuture<S> setup = Calls.create("Producer.setup");

  public BufferedRun(Producer.Body<T, S> body, ThreadFactory threadFactory, int bufferSize,
      Duration grace) {
    this(body, threadFactory, bufferSize, grace, PREALLOCATED);
  }

  /** With the ring's first array holding {@code firstSize} slots (a power of two), for tests. */
  BufferedRun(Producer.Body<T, S> body, ThreadFactory threadFactory, int bufferSize,
      Duration grace, int firstSize) {
    super(body, threadFactory, grace);
    int size = Integer.highestOneBit(bufferSize);
    if (size < bufferSize) {
      size <<= 1;
    }
    this.lastSize = size;
    this.capacity = bufferSize;
    this.grantThreshold = bufferSize / 2;
    @Nullable Object[] first = arrayOf(Math.min(size, Math.max(2, firstSize)));
    ix.producerRing = first;
    ix.producerMask = maskOf(first);
    ix.consumerRing = first;
    ix.consumerMask = maskOf(first);
  }

  /** The slots of the arrays the body and the consumer use now (link slots included). Tests. */
  int[] ringLengths() {
    return new int[] {ix.producerRing.length, ix.consumerRing.length};
  }

  /** A ring array of {@code size} slots, plus the link slot unless it is the last size. */
  private @Nullable Object[] arrayOf(int size) {
    return new Object[size == lastSize ? size : size + 1];
  }

  /** The mask of a ring array: the last has a power-of-two length, the others one more. */
  private static int maskOf(@Nullable Object[] array) {
    return Integer.highestOneBit(array.length) - 1;
  }

  public ProducerIterator<T, S> blocking() {
    Blocking view = new Blocking();
    Abandoned.watch(view, this::abandon);
    return view;
  }

  public AsyncProducerIterator<T, S> async() {
    Calls.dependOn(setup, canceller);
    AsyncView view = new AsyncView();
    Abandoned.watch(view, this::abandon);
    return view;
  }

  /* Abandoned's action: the consumer's view became unreachable. A closed run needs nothing. */
  private void abandon() {
    if (closed) {
      return;
    }
    if (wasStarted() && !ended) {
      Abandoned.warnDropped(String.valueOf(body));
    }
    canceller.cancel(false);
  }

  // ---- the body's side ----

  @Override
  void publishSetup(S value) {
    Calls.succeed(setup, value);
    wake(false);
  }

  @Override
  void deliver(T item) {
    publish(item);
    wake(true);
  }

  /** The first half of {@link #deliver}: makes the item visible. Apart so tests can interleave. */
  void publish(T item) {
    long t = ix.producerTail;
    @Nullable Object[] r = ix.producerRing;
    int m = ix.producerMask;
    // The last array (length m + 1) is never full; another keeps the slot after this one free.
    if (r.length == m + 1 || SLOTS.getAcquire(r, (int) (t + 1) & m) == null) {
      r[(int) t & m] = item;
    } else {
      grow(r, m, t, item);
    }
    ix.producerTail = t + 1;
    TAIL.setVolatile(ix, t + 1);
  }

  /** Puts item t in a new array twice as large, linked from r, and JUMP where it would be. */
  private void grow(@Nullable Object[] r, int m, long t, T item) {
    @Nullable Object[] next = arrayOf(Math.min((m + 1) << 1, lastSize));
    int nextMask = maskOf(next);
    next[(int) t & nextMask] = item;
    r[m + 1] = next;
    r[(int) t & m] = JUMP;
    ix.producerRing = next;
    ix.producerMask = nextMask;
  }

  /** The second half of {@link #deliver}: wakes the consumer for the item just published. */
  void wakeForItem() {
    wake(true);
  }

  @Override
  boolean hasDemand() {
    if (ix.producerTail < ix.producerLimit) {
      return true;
    }
    ix.producerLimit = (long) LIMIT.getVolatile(ix);
    return ix.producerTail < ix.producerLimit;
  }

  @Override
  void publishEnd(@Nullable Throwable failure) {
    if (failure != null) {
      Calls.fail(setup, failure); // no effect if started() was called
    }
    terminal = failure == null ? END : failure;
    wake(true);
  }

  @Override
  void afterEnd() {
    CallFuture<@Nullable Void> c = closing;
    if (c != null) {
      completeClose(c);
    }
  }

  /**
   * Wakes a waiting consumer. A pending async hasNext() is resolved only by an item or the end
   * ({@code resolvesAsync}), not by the setup value.
   */
  @SuppressWarnings("unchecked")
  private void wake(boolean resolvesAsync) {
    Object w = waiting;
    if (w == null) {
      return;
    }
    if (w instanceof Thread t) {
      if (WAITING.compareAndSet(this, w, null)) {
        LockSupport.unpark(t);
      }
      return;
    }
    if (!resolvesAsync) {
      return;
    }
    /*
     * Claim the pending hasNext() only if it can be answered now: an item at or after the head it
     * was registered at, or the end. The wake of item t can find a pending hasNext() registered
     * *after* the consumer saw and took item t by itself (publish t; the consumer reads the tail,
     * takes t, asks again and registers with waitHead = t + 1; only then does this wake read
     * `waiting`). That one is waiting for item t + 1, whose own publication wakes it; answering
     * it here would say true with no item behind it (next() then throws NoSuchElementException).
     *
     * waitHead is written before `waiting`, and a new registration needs the previous one settled,
     * so the value read here belongs to w or to a later registration; in the latter case w is no
     * longer in `waiting` and the CAS below fails anyway.
     */
    boolean item = ix.producerTail > waitHead;
    Object term = terminal;
    if ((item || term != null) && WAITING.compareAndSet(this, w, null)) {
      resolve((CallFuture<Boolean>) w, item ? null : term);
    }
  }

  private static void resolve(CallFuture<Boolean> pending, @Nullable Object term) {
    if (term == null) {
      Calls.succeed(pending, true);
    } else if (term == END) {
      Calls.succeed(pending, false);
    } else {
      Calls.fail(pending, (Throwable) term);
    }
  }

  // ---- the consumer's side, shared by both views ----

  private void startIfNeeded() {
    Throwable failure = ensureStarted();
    if (failure != null) {
      // No thread will ever run: the consumer publishes the failure itself.
      terminal = failure;
      Calls.fail(setup, failure);
    }
  }

  /**
   * Called when the consumer asks for an item: grants demand up to a full buffer if at most half
   * of it is outstanding, or if the body waits for demand and there is room at all.
   */
  private void maybeGrant() {
    long outstanding = ix.grantedLimit - ix.head;
    if (outstanding <= grantThreshold || (outstanding < capacity && producerWaiting != null)) {
      long granted = ix.head + capacity;
      ix.grantedLimit = granted;
      LIMIT.setVolatile(ix, granted);
      Thread parked = producerWaiting;
      if (parked != null) {
        LockSupport.unpark(parked);
      }
    }
  }

  /** Returns true if an item is buffered, refreshing the cached tail. */
  private boolean itemBuffered() {
    if (ix.head < ix.consumerTail) {
      return true;
    }
    ix.consumerTail = (long) TAIL.getVolatile(ix);
    return ix.head < ix.consumerTail;
  }

  @SuppressWarnings("unchecked")
  private T take() {
    long h = ix.head;
    @Nullable Object[] r = ix.consumerRing;
    int m = ix.consumerMask;
    int i = (int) h & m;
    Object item = r[i];
    if (item == JUMP) {
      // The body moved to a larger array at this index: follow it, for good.
      r = (@Nullable Object[]) Objects.requireNonNull(r[m + 1]);
      m = maskOf(r);
      ix.consumerRing = r;
      ix.consumerMask = m;
      i = (int) h & m;
      item = r[i];
    }
    SLOTS.setRelease(r, i, null); // after the read: a slot the body sees cleared is free
    ix.head = h + 1;
    return (T) item;
  }

  private void ensureOpen(String method) {
    if (closed) {
      throw new IllegalStateException(
          method + " was called on a closed producer iterator; get a new iterator from the"
              + " Producer to run it again");
    }
  }

  /** Blocks until {@code forSetup ? setup is done : an item or the end is available}. */
  private void awaitBlocking(boolean forSetup, String operation) {
    Thread me = Thread.currentThread();
    boolean guardChecked = false;
    int budget = ix.spinBudget;
    for (int spins = 0; ; spins++) {
      if (closed) {
        // Checked first: what the body does after a close is a reaction to it, not news.
        throw closedWhileWaiting(operation);
      }
      if (forSetup ? setup.isDone() : itemBuffered() || terminal != null) {
        // Again: a close from another thread between the check above and this one makes the body
        // end with its reaction (ProducerCancelledException), published after `closed`.
        if (closed && !(forSetup && setup.isDone() && !setup.isCompletedExceptionally())) {
          throw closedWhileWaiting(operation);
        }
        ix.spinBudget = Spin.adapt(budget, spins <= budget);
        return;
      }
      if (spins < budget) {
        Thread.onSpinWait();
        continue;
      }
      if (!guardChecked) {
        BlockingGuard.check(operation);
        guardChecked = true;
      }
      waiting = me;
      if (!(forSetup ? setup.isDone() : itemBuffered() || terminal != null) && !closed) {
        LockSupport.park(this);
      }
      WAITING.compareAndSet(this, me, null);
      if (Thread.interrupted()) {
        Thread.currentThread().interrupt();
        closed = true;
        cancelBody();
        takeCleanupFailure(); // nobody waits for the cleanup: a failure of it is logged
        throw new CallInterruptedException(operation);
      }
    }
  }

  private static IllegalStateException closedWhileWaiting(String operation) {
    return new IllegalStateException(
        "The producer iterator was closed by another thread while " + operation + " waited");
  }

  /** Wakes a consumer thread blocked in another call; fails a pending async hasNext. */
  private void wakeOnClose() {
    Object w = waiting;
    if (w != null && WAITING.compareAndSet(this, w, null)) {
      if (w instanceof Thread t) {
        LockSupport.unpark(t);
      } else {
        @SuppressWarnings("unchecked")
        CallFuture<Boolean> pending = (CallFuture<Boolean>) w;
        Calls.fail(pending, closedWhilePendingFailure());
      }
    }
  }

  private static IllegalStateException closedWhilePendingFailure() {
    return new IllegalStateException(
        "The producer iterator was closed while hasNext() was pending");
  }

  @Override
  boolean reportsCleanupFailures() {
    return true;
  }

  private void completeClose(CallFuture<@Nullable Void> c) {
    if (c.isDone()) {
      return;
    }
    Throwable failure = takeCleanupFailure();
    if (failure != null) {
      Calls.fail(c, failure);
    } else {
      Calls.succeed(c, null);
    }
  }

  private String describe() {
    return (closed ? "closed" : terminal == null ? wasStarted() ? "running" : "not started"
        : terminal == END ? "ended" : "failed") + ", buffer=" + capacity;
  }

  /** The blocking view. */
  private final class Blocking implements ProducerIterator<T, S> {
    private boolean reported;

    @Override
    public S setup() {
      return awaitSetup(null);
    }

    @Override
    public <X extends Exception> S setup(Class<X> declared) throws X {
      return awaitSetup(Objects.requireNonNull(declared, "declared"));
    }

    private <X extends Exception> S awaitSetup(@Nullable Class<X> declared) throws X {
      try {
        return awaitSetupReachable(declared);
      } finally {
        Reference.reachabilityFence(this); // not abandoned while its consumer waits (Abandoned)
      }
    }

    private <X extends Exception> S awaitSetupReachable(@Nullable Class<X> declared) throws X {
      if (!setup.isDone() || setup.isCompletedExceptionally()) {
        ensureOpen("setup()");
        startIfNeeded();
        awaitBlocking(true, "Producer.setup");
      }
      try {
        return setup.join();
      } catch (CompletionException | CancellationException failure) {
        joinEnded();
        throw Failures.rethrow(failure, "Producer.setup", declared);
      }
    }

    @Override
    public boolean hasNext() {
      try {
        return hasNextReachable();
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    private boolean hasNextReachable() {
      if (ix.head < ix.consumerTail && !closed) {
        maybeGrant();
        return true;
      }
      ensureOpen("hasNext()");
      startIfNeeded();
      maybeGrant();
      awaitBlocking(false, "Producer.hasNext");
      if (itemBuffered()) {
        return true;
      }
      // The end was published after the last item: nothing more can arrive.
      Object term = Objects.requireNonNull(terminal);
      if (itemBuffered()) {
        return true;
      }
      if (!reported) {
        reported = true;
        joinEnded();
      }
      if (term == END) {
        return false;
      }
      throw Failures.rethrow((Throwable) term, "Producer.hasNext", null);
    }

    @Override
    public T next() {
      try {
        if (ix.head < ix.consumerTail && !closed) {
          maybeGrant(); // asking for an item is asking for more, as in hasNext()
          return take();
        }
        ensureOpen("next()");
        if (!hasNextReachable()) {
          throw new NoSuchElementException("The producer has ended: no more items");
        }
        return take();
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    @Override
    public Stream<T> stream() {
      Spliterator<T> items =
          Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL);
      return StreamSupport.stream(items, false).onClose(this::close);
    }

    @Override
    public void close() {
      try {
        if (closed) {
          return;
        }
        closed = true;
        wakeOnClose();
        if (!ended) {
          cancelBody();
        }
        awaitEnd(); // also when the body has just ended: its thread is finishing
        Throwable failure = takeCleanupFailure();
        if (failure != null) {
          throw Failures.rethrow(failure, "Producer.close", null);
        }
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    @Override
    public String toString() {
      return "ProducerIterator[" + describe() + "]";
    }
  }

  /** The async view. */
  private final class AsyncView implements AsyncProducerIterator<T, S> {
    @Override
    public CompletionStage<S> setup() {
      try {
        if (!closed) {
          startIfNeeded();
        } else if (!setup.isDone()) {
          return Calls.failed("Producer.setup",
              new IllegalStateException("setup() was called on a closed producer iterator"));
        }
        return setup;
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    @Override
    public CompletionStage<Boolean> hasNext() {
      try {
        return hasNextReachable();
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    private CompletionStage<Boolean> hasNextReachable() {
      if (ix.head < ix.consumerTail && !closed) {
        maybeGrant();
        return TRUE;
      }
      if (closed) {
        return Calls.failed("Producer.hasNext",
            new IllegalStateException(
                "hasNext() was called on a closed producer iterator; get a new iterator from the"
                    + " Producer to run it again"));
      }
      startIfNeeded();
      if (closed) {
        return closedWhilePending(); // closed by another thread, or by the thread factory
      }
      maybeGrant();
      if (itemBuffered()) {
        return TRUE;
      }
      Object term = terminal;
      if (term != null) {
        return answer(term);
      }
      CallFuture<Boolean> pending = Calls.create("Producer.hasNext");
      Calls.dependOn(pending, canceller);
      waitHead = ix.head;
      waiting = pending;
      // `closed` too: a close after the check above found no pending hasNext() to fail (it
      // writes `closed`, then reads `waiting`; we write `waiting`, then read `closed`), and a
      // body that was never started will never answer.
      if (itemBuffered() || terminal != null || closed) {
        if (WAITING.compareAndSet(BufferedRun.this, pending, null)) {
          if (closed) {
            return closedWhilePending();
          }
          return itemBuffered() ? TRUE : answer(Objects.requireNonNull(terminal));
        }
        // The body (or the close) claimed it and is resolving it.
      }
      return pending;
    }

    private CompletionStage<Boolean> closedWhilePending() {
      return Calls.failed("Producer.hasNext", closedWhilePendingFailure());
    }

    private CompletionStage<Boolean> answer(Object term) {
      if (itemBuffered()) {
        return TRUE;
      }
      if (term == END) {
        return FALSE;
      }
      return Calls.failed("Producer.hasNext", (Throwable) term);
    }

    @Override
    public T next() {
      if (closed) {
        throw new IllegalStateException("next() was called on a closed producer iterator");
      }
      if (!itemBuffered()) {
        throw new NoSuchElementException(
            "next() was called without a hasNext() that completed with true");
      }
      return take();
    }

    @Override
    public CompletionStage<Void> close() {
      try {
        return closeReachable();
      } finally {
        Reference.reachabilityFence(this);
      }
    }

    private CompletionStage<Void> closeReachable() {
      CallFuture<@Nullable Void> existing = closing;
      if (existing != null) {
        return existing;
      }
      // The grace timer's context, captured before anything changes: a capture that throws
      // leaves the iterator as it was, and a later close() arms the grace.
      Snapshot context = Registry.capture();
      CallFuture<@Nullable Void> c = Calls.create("Producer.close");
      if (!CLOSING.compareAndSet(BufferedRun.this, null, c)) {
        return Objects.requireNonNull(closing);
      }
      closed = true;
      wakeOnClose();
      if (ended || !wasStarted()) {
        cancelBody();
        completeClose(c);
        return c;
      }
      cancelBody();
      if (graceNanos > 0) {
        ScheduledFuture<?> timer =
            Timers.shared()
                .schedule(
                    Registry.bind(context, () -> completeClose(c)),
                    graceNanos,
                    TimeUnit.NANOSECONDS);
        c.whenComplete((v, e) -> timer.cancel(false));
      } else {
        completeClose(c);
      }
      if (ended) {
        completeClose(c);
      }
      return c;
    }

    @Override
    public String toString() {
      return "AsyncProducerIterator[" + describe() + "]";
    }
  }

  /** Lets the cancellation of a stage handed to the consumer close the iterator. */
  private final class Canceller extends CancelHook {
    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      closed = true;
      wakeOnClose();
      cancelBody();
      takeCleanupFailure(); // nobody waits for the cleanup: a failure of it is logged
      return true;
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public boolean isDone() {
      return ended;
    }

  }
}
