package io.ambidex.synchronizer;

import io.ambidex.internal.Deadlines;
import io.ambidex.internal.Calls;
import io.ambidex.BlockingGuard;
import io.ambidex.BlockingNotAllowedException;
import io.ambidex.CallFuture;
import io.ambidex.CallInterruptedException;
import io.ambidex.Deadline;
import io.ambidex.control.AsyncRuntime;
import io.ambidex.stream.internal.IteratorPublisher;
import io.ambidex.stream.AsyncIterator;
import io.ambidex.synchronizer.internal.IsolatedBatchIterator;
import io.ambidex.synchronizer.internal.LoopBatchIterator;
import io.ambidex.synchronizer.internal.LoopSource;
import io.ambidex.synchronizer.internal.LoopHost;
import io.ambidex.synchronizer.internal.SynchronizerLoop;
import io.ambidex.synchronizer.internal.SynchronizerWrappers;
import io.ambidex.internal.Done;
import io.ambidex.internal.Failures;
import io.ambidex.context.ContextPropagator.Scope;
import io.ambidex.context.ContextPropagator.Snapshot;
import io.ambidex.context.internal.Registry;
import io.ambidex.internal.Stages;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.jspecify.annotations.Nullable;

/**
 * Runs a genuinely async library on a loop thread that the library owns, and exposes it to users
 * as blocking calls and as async calls isolated from that loop — synchronicity's {@code
 * Synchronizer}, done for Java.
 *
 * <p>Use it when the library's core is async and <em>not</em> built on a sync transport (its I/O
 * completes on threads it owns, its state is confined to one thread). When the core can run on a
 * sync transport, prefer an {@link io.ambidex.Immediate}-bridged blocking facade: it costs no
 * thread at all.
 *
 * <p>Policies:
 *
 * <table>
 *   <caption>What runs where</caption>
 *   <tr><th>Code</th><th>Thread</th></tr>
 *   <tr><td>the function passed to {@link #call}, {@link #future}, {@link #async}, and every
 *       method of a wrapped object</td><td>the loop thread, {@code
 *       ambidex-synchronizer-NAME}</td></tr>
 *   <tr><td>continuations of the library's stages</td><td>whichever thread completes them (the
 *       loop, for work the library schedules on {@link #executor()} or sleeps on {@link
 *       #runtime()})</td></tr>
 *   <tr><td>cancellation of a task</td><td>the loop thread, whoever requested it</td></tr>
 *   <tr><td>completion of a {@link #future} result</td><td>the thread that completes the
 *       library's stage (often the loop): meant for blocking {@code get()}, not for
 *       continuations</td></tr>
 *   <tr><td>completion of an {@link #async} result</td><td>the caller's executor, never the
 *       loop: a blocking user continuation cannot stall the library</td></tr>
 * </table>
 *
 * <ul>
 *   <li><b>Loop lifecycle</b>: started lazily by the first call; exactly one loop however many
 *       threads make that first call; a daemon thread unless the builder says otherwise; stopped
 *       by {@link #close()} (bounded by the close timeout) and by a JVM shutdown hook. A closed
 *       Synchronizer stays closed: every later call throws {@link IllegalStateException}; create
 *       a new one. If the loop thread dies (an {@code Error} escaped a task), every later call
 *       fails with an {@link IllegalStateException} whose cause is that error, and so does every
 *       call still waiting on the library then (its task is cancelled); the sources of the
 *       streams and iterators still open are closed on the dying thread.
 *   <li><b>Deadlock guard</b>: a blocking call made on the loop thread itself throws {@link
 *       BlockingNotAllowedException} at once, whatever the {@link BlockingGuard} mode, and so
 *       does a wait there on an open future of this Synchronizer; blocking calls elsewhere
 *       consult the guard.
 *   <li><b>Interrupts</b>: interrupting a caller blocked in {@link #call} cancels the task on the
 *       loop, waits (at most the cancel grace) until the loop has run the cleanup that
 *       cancellation triggered, restores the interrupt flag and throws {@link
 *       CallInterruptedException}. Once cancellation was requested the caller sees cancellation,
 *       even if the task completed in the race.
 *   <li><b>Exceptions</b> keep their type and identity on every path; the blocking path attaches
 *       the caller's stack ({@link io.ambidex.CallerStackTrace}) and follows the <a
 *       href="package-summary.html#translation">exception table</a>.
 *   <li><b>Streams</b>: {@link #stream} pulls items on the loop in batches (one loop round trip
 *       per batch of up to the batch size, not per item); {@link #publisher} does the same for an
 *       async consumer, signalling it on the callback executor, never on the loop. A source is
 *       closed on the loop, once: when it ends or fails, when its stream is closed, or, if still
 *       open, by {@link #close()}.
 *   <li><b>Context</b>: every call captures the caller's context ({@link
 *       io.ambidex.context.ContextPropagation}) and the loop runs the call's function, its
 *       forwarded cancellation and its batch pulls inside it; an {@link #async} result is
 *       completed inside it on the caller's executor. The loop thread holds no context between
 *       tasks.
 *   <li><b>Typed wrappers</b>: a core that implements {@link SynchronizerBound} and is annotated
 *       {@code @AsyncCore(bridge = Bridge.SYNCHRONIZER)} gets generated blocking and async facades
 *       that make these calls without reflection.
 * </ul>
 */
public final class Synchronizer implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(Synchronizer.class.getName());
  private final String name;
  private final boolean daemon;
  private final Duration closeTimeout;
  private final Duration cancelGrace;
  private final Executor callbackExecutor;
  private final int batchSize;
  private final boolean shutdownHook;

  private final Object lock = new Object();
  private volatile @Nullable SynchronizerLoop loop;
  private volatile boolean closed;
  private @Nullable Thread hook; // guarded by lock
  private @Nullable AsyncRuntime runtime; // guarded by lock
  private final Map<CallFuture<?>, LoopCancel> inFlight = new ConcurrentHashMap<>();
  /* Batched iterators whose source is open: close() closes them on the loop. */
  private final Set<LoopSource> openSources = ConcurrentHashMap.newKeySet();
  private final LoopHost host = new Host();
  private final SynchronizerWrappers wrappers = new SynchronizerWrappers(host);

  private Synchronizer(Builder b) {
    this.name = b.name;
    this.daemon = b.daemon;
    this.closeTimeout = b.closeTimeout;
    this.cancelGrace = b.cancelGrace;
    this.callbackExecutor = b.callbackExecutor;
    this.batchSize = b.batchSize;
    this.shutdownHook = b.shutdownHook;
  }

  /**
   * Returns a Synchronizer with the defaults (daemon loop, 5 s close timeout, 1 s cancel grace,
   * async results completed on {@link ForkJoinPool#commonPool()}, batches of 256, a shutdown
   * hook).
   *
   * @param name names the loop thread {@code ambidex-synchronizer-NAME}
   * @return a Synchronizer whose loop is not started yet
   */
  public static Synchronizer create(String name) {
    return builder(name).build();
  }

  /**
   * Returns a builder.
   *
   * @param name names the loop thread {@code ambidex-synchronizer-NAME}
   * @return a builder with the defaults of {@link #create}
   */
  public static Builder builder(String name) {
    return new Builder(name);
  }

  // ---------------------------------------------------------------- the loop

  SynchronizerLoop loop() {
    SynchronizerLoop l = loop;
    if (l == null) {
      synchronized (lock) {
        if (closed) {
          throw closedError();
        }
        l = loop;
        if (l == null) {
          l = new SynchronizerLoop(name, daemon);
          SynchronizerLoop started = l;
          l.terminated().whenComplete((v, e) -> failInFlightIfDied(started));
          l.start();
          if (shutdownHook) {
            Thread h =
                Thread.ofPlatform()
                    .name("ambidex-synchronizer-" + name + "-shutdown")
                    .unstarted(this::closeFromHook);
            Runtime.getRuntime().addShutdownHook(h);
            hook = h;
          }
          loop = l;
        }
      }
    }
    Throwable dead = l.death();
    if (dead != null) {
      throw SynchronizerLoop.loopDied(name, dead);
    }
    if (closed) {
      throw closedError();
    }
    return l;
  }


  /*
   * A loop that died leaves the calls waiting on the library in flight, and nothing would end
   * them: no close() may come (a caller blocked in call() waited for ever), and a stage that was
   * to complete on the loop never will. Fail them with the error later calls see, and cancel their
   * stages as close() does (on this thread, the loop's last act: LoopCancel falls back to it).
   * Every task that registers a call runs on the loop, before its death, so none comes later.
   * Then close the sources of the streams and iterators still open, here too: their own close()
   * needs the loop, so they used to stay open. This is still the loop thread, where library code
   * runs; their closes are started, not waited for, and a failure is logged.
   */
  private void failInFlightIfDied(SynchronizerLoop l) {
    Throwable dead = l.death();
    if (dead == null) {
      return;
    }
    for (Map.Entry<CallFuture<?>, LoopCancel> e : inFlight.entrySet()) {
      if (inFlight.remove(e.getKey()) != null
          && Calls.fail(e.getKey(), SynchronizerLoop.loopDied(name, dead))) {
        e.getValue().cancel(true);
      }
    }
    for (LoopSource it : List.copyOf(openSources)) {
      closeAndLog(
          it, "Closing a source left open when the loop of Synchronizer '" + name + "' died");
    }
  }

  private IllegalStateException closedError() {
    return new IllegalStateException(
        "Synchronizer '" + name + "' is closed and accepts no more calls; create a new one.");
  }

  /**
   * Returns an executor whose tasks run on the loop thread, starting it if needed. Library code
   * uses it to hop back onto the loop from its I/O threads. Each task runs inside the context
   * captured when it was submitted ({@link io.ambidex.context.ContextPropagation}). Once the
   * Synchronizer is closed or its loop died, its {@code execute} throws {@link
   * RejectedExecutionException} (as {@link Executor} specifies), whose cause is the {@link
   * IllegalStateException} a call would throw.
   *
   * @return the loop's executor
   */
  public Executor executor() {
    return task -> {
      Runnable bound = Registry.bind(Registry.capture(), Objects.requireNonNull(task, "task"));
      try {
        loop().execute(bound);
      } catch (IllegalStateException closedOrDead) {
        throw new RejectedExecutionException(closedOrDead.getMessage(), closedOrDead);
      }
    };
  }

  /**
   * Returns the {@link AsyncRuntime} for the library's core: its sleeps complete on the loop
   * thread. Created on first use and closed by {@link #close()}.
   *
   * @return the runtime
   */
  public AsyncRuntime runtime() {
    synchronized (lock) {
      if (closed) {
        throw closedError();
      }
      if (runtime == null) {
        runtime = AsyncRuntime.builder().completionExecutor(executor()).build();
      }
      return runtime;
    }
  }

  /** Returns true if the current thread is this Synchronizer's loop thread. */
  public boolean isLoopThread() {
    SynchronizerLoop l = loop;
    return l != null && l.thread() == Thread.currentThread();
  }

  // ---------------------------------------------------------------- calls

  /**
   * Runs {@code function} on the loop and blocks until its stage completes.
   *
   * @param operation the operation's name, for messages
   * @param function returns the library's stage; runs on the loop thread
   * @return the stage's value
   * @throws BlockingNotAllowedException on the loop thread itself, or on a thread the guard refuses
   * @throws CallInterruptedException if the caller is interrupted (the task is cancelled first)
   * @throws IllegalStateException if the Synchronizer is closed or its loop died
   */
  public <T extends @Nullable Object> T call(
      String operation, Supplier<? extends CompletionStage<T>> function) {
    return call(operation, null, function);
  }

  /**
   * Like {@link #call(String, Supplier)}; a checked failure of type {@code declared} is thrown as
   * it is.
   *
   * @param operation the operation's name, for messages
   * @param declared the checked exception type the caller declares, or null
   * @param function returns the library's stage; runs on the loop thread
   * @return the stage's value
   * @throws X if the stage failed with an exception of the declared type
   */
  public <T extends @Nullable Object, X extends Exception> T call(
      String operation, @Nullable Class<X> declared, Supplier<? extends CompletionStage<T>> function)
      throws X {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(function, "function");
    SynchronizerLoop l = loop();
    checkMayBlock(l, operation);
    return await(l, submit(l, operation, function, null), operation, declared);
  }

  /**
   * Runs {@code function} on the loop and returns a future of its stage at once: for fanning out
   * from blocking code ({@code get()} each future later). The future completes on the thread that
   * completes the library's stage, often the loop: wait on it, do not attach slow continuations
   * to it (use {@link #async} for that). Cancelling it cancels the task on the loop. Code on the
   * loop must compose the future rather than wait on it: there, {@code get()} and {@code join()}
   * of a future still open throw {@link BlockingNotAllowedException} (the loop would wait for
   * itself), as {@link #call} does, for this method's and {@link #async}'s futures alike.
   *
   * @param operation the operation's name
   * @param function returns the library's stage; runs on the loop thread
   * @return a future of the stage's value
   */
  public <T extends @Nullable Object> CallFuture<T> future(
      String operation, Supplier<? extends CompletionStage<T>> function) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(function, "function");
    return submit(loop(), operation, function, null);
  }

  /**
   * Runs {@code function} on the loop and returns a future completed on the builder's callback
   * executor (the common pool by default), never on the loop.
   *
   * @param operation the operation's name
   * @param function returns the library's stage; runs on the loop thread
   * @return a future of the stage's value; cancelling it cancels the task on the loop
   */
  public <T extends @Nullable Object> CallFuture<T> async(
      String operation, Supplier<? extends CompletionStage<T>> function) {
    return async(operation, callbackExecutor, function);
  }

  /**
   * Runs {@code function} on the loop and returns a future completed on {@code callerExecutor}.
   * A user continuation that blocks therefore stalls only the caller's executor, and a library
   * bug that blocks the loop stalls only the library.
   *
   * @param operation the operation's name
   * @param callerExecutor where the future is completed (and so where continuations run); if it
   *     rejects the completion (throws from {@code execute}, whatever the exception), the future
   *     is completed on the thread that had the result
   * @param function returns the library's stage; runs on the loop thread
   * @return a future of the stage's value; cancelling it cancels the task on the loop
   */
  public <T extends @Nullable Object> CallFuture<T> async(
      String operation, Executor callerExecutor, Supplier<? extends CompletionStage<T>> function) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(callerExecutor, "callerExecutor");
    Objects.requireNonNull(function, "function");
    return submit(loop(), operation, function, callerExecutor);
  }

  /**
   * Opens {@code source} on the loop and returns a blocking {@code Stream} over it. Items are
   * pulled on the loop in batches of up to the batch size; the consumer's thread iterates each
   * batch without touching the loop. Reaching the end, or a failure of the source, closes the
   * source on the loop, and the last items (or the failure) come after that close, so a stream
   * read to the end needs no close. Closing the stream (for example by try-with-resources, also
   * after a partial iteration) closes the source on the loop and waits for that at most the
   * cancel grace. A source still open when the Synchronizer is closed is closed by {@link
   * #close()}. A failure of the source's close is thrown once: by the {@code hasNext()} after the
   * last item (suppressed under the source's own failure, if any), or else by the stream's close.
   *
   * @param operation the operation's name
   * @param source opens the async iterator; runs on the loop thread
   * @return a stream to close when done
   */
  public <T extends @Nullable Object> Stream<T> stream(
      String operation, Supplier<? extends AsyncIterator<T>> source) {
    return stream(operation, null, source);
  }

  /**
   * Like {@link #stream(String, Supplier)}; a checked exception of type {@code declared} that
   * {@code source} throws while opening is thrown as it is.
   *
   * @param operation the operation's name
   * @param declared the checked exception type the caller declares, or null
   * @param source opens the async iterator; runs on the loop thread
   * @return a stream to close when done
   * @throws X if opening the source threw an exception of the declared type
   */
  public <T extends @Nullable Object, X extends Exception> Stream<T> stream(
      String operation,
      @Nullable Class<X> declared,
      Supplier<? extends AsyncIterator<T>> source)
      throws X {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(source, "source");
    LoopBatchIterator<T> it = iterator(operation, declared, source);
    return StreamSupport.stream(
            Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED | Spliterator.NONNULL), false)
        .onClose(it::close);
  }

  <T extends @Nullable Object, X extends Exception> LoopBatchIterator<T> iterator(
      String operation, @Nullable Class<X> declared, Supplier<? extends AsyncIterator<T>> source)
      throws X {
    SynchronizerLoop l = loop();
    checkMayBlock(l, operation);
    // Built on the loop, so that it is registered with the host as soon as its source is open:
    // a caller that stops waiting (interrupted) while the source opens leaves it to nobody, and
    // the task queued behind the opening then closes it. It used to stay open for ever, not even
    // closed by close(), which closes only the registered ones.
    AtomicReference<@Nullable LoopBatchIterator<T>> built = new AtomicReference<>();
    CallFuture<LoopBatchIterator<T>> opening =
        submit(
            l,
            operation,
            () -> {
              AsyncIterator<T> opened =
                  Objects.requireNonNull(source.get(), () -> operation + " opened a null iterator");
              LoopBatchIterator<T> it = new LoopBatchIterator<>(host, operation, opened);
              built.set(it);
              return CompletableFuture.completedFuture(it);
            },
            null);
    boolean handedOver = false;
    try {
      LoopBatchIterator<T> it = await(l, opening, operation, declared);
      handedOver = true;
      return it;
    } finally {
      if (!handedOver) {
        closeAbandoned(l, built);
      }
    }
  }

  /* Closes, on the loop after the opening task, the iterator a caller stopped waiting for. */
  private void closeAbandoned(
      SynchronizerLoop l, AtomicReference<? extends @Nullable LoopBatchIterator<?>> built) {
    Runnable closeIt =
        () -> {
          LoopBatchIterator<?> it = built.get();
          if (it != null) {
            closeAndLog(
                it, "Closing the source of a stream or iterator whose caller stopped waiting");
          }
        };
    try {
      l.execute(closeIt);
    } catch (RuntimeException stoppedOrDead) {
      // Stopped: close() queued its closing of the registered sources before it stopped the
      // loop, behind the opening. Dead: nothing can run the close any more.
    }
  }

  /**
   * Returns a publisher, for one subscriber, of the items of the async iterator that {@code source}
   * opens on the loop: the async counterpart of {@link #stream}. At the subscriber's first request
   * one loop round trip opens the source and fetches the first batch; later batches (of up to the
   * batch size, one round trip each) are fetched as the subscriber requests more. Every signal to
   * the subscriber runs on the callback executor or on the thread that called {@code request},
   * never on the loop. Cancelling the subscription closes the source on the loop.
   *
   * @param operation the operation's name
   * @param source opens the async iterator; runs on the loop thread
   * @return a publisher for one subscriber
   */
  public <T> Flow.Publisher<T> publisher(
      String operation, Supplier<? extends AsyncIterator<T>> source) {
    Objects.requireNonNull(operation, "operation");
    Objects.requireNonNull(source, "source");
    return IteratorPublisher.once(operation, new IsolatedBatchIterator<>(host, operation, source));
  }

  // ---------------------------------------------------------------- wrapping objects

  /**
   * Returns a blocking view of {@code target}, an object with async methods, through the blocking
   * interface {@code blockingInterface}: each of its methods calls the target's method of the same
   * name and arity on the loop and waits. Results are translated: a stage becomes its value, an
   * {@link AsyncIterator} becomes an {@code Iterator} or {@code Stream} (batched, closing the
   * source at its end like {@link #stream}), an object whose
   * declared result type is another interface becomes a blocking wrapper of that interface, and
   * {@code close()} of an {@link io.ambidex.AsyncCloseable} becomes a blocking close. Arguments
   * that are wrappers made by this Synchronizer are unwrapped. The same target always maps to the
   * same wrapper.
   *
   * <p>This is the runtime fallback for interfaces written by hand: it uses {@link
   * java.lang.reflect.Proxy} and reflection per call. Facades generated by the annotation
   * processor do the same without reflection.
   *
   * @param blockingInterface the blocking interface to implement
   * @param target the async object
   * @return the blocking wrapper
   */
  public <B> B blocking(Class<B> blockingInterface, Object target) {
    return wrappers.blocking(blockingInterface, target);
  }

  /**
   * Returns an async view of {@code target} through {@code asyncInterface} (which {@code target}
   * implements): each method runs on the loop and its stage is completed on the callback executor,
   * never on the loop. A method declared to return an {@link AsyncIterator} returns at once an
   * iterator whose first {@code hasNext()} runs the target's method on the loop, so no method that
   * returns a stage or an iterator waits; methods returning plain values do (on the loop).
   * Results that are of another interface type are wrapped the same way; arguments that are
   * wrappers are unwrapped; the same target maps to the same wrapper.
   *
   * @param asyncInterface the async interface to implement
   * @param target the async object
   * @return the isolated async wrapper
   */
  public <A> A async(Class<A> asyncInterface, A target) {
    return wrappers.async(asyncInterface, target);
  }

  // ---------------------------------------------------------------- machinery

  String name() {
    return name;
  }

  /** Returns true once {@link #close()} has been called. */
  public boolean isClosed() {
    return closed;
  }

  int batchSize() {
    return batchSize;
  }

  Duration cancelGrace() {
    return cancelGrace;
  }

  Executor callbackExecutor() {
    return callbackExecutor;
  }

  void checkMayBlock(SynchronizerLoop l, String operation) {
    refuseOnLoop(l, operation);
    BlockingGuard.check(operation);
  }

  private void refuseOnLoop(SynchronizerLoop l, String operation) {
    if (l.thread() == Thread.currentThread()) {
      throw new BlockingNotAllowedException(
          operation,
          Thread.currentThread().getName(),
          "the loop thread of Synchronizer '" + name
              + "', where a blocking call would deadlock waiting for itself");
    }
  }

  /*
   * A task on the loop: runs the function, then reads its stage in place when already complete (the
   * common, allocation-light path) or registers for completion. Cancelling the returned future is
   * forwarded to the loop (LoopCancel), so library code only ever runs there.
   */
  @SuppressWarnings("try") // a context scope is closed, never read
  <T extends @Nullable Object> CallFuture<T> submit(
      SynchronizerLoop l,
      String operation,
      Supplier<? extends CompletionStage<T>> function,
      @Nullable Executor completion) {
    CallFuture<T> result = Calls.create(operation);
    // Its task runs on the loop, so the loop waiting on it waits for itself: get() and join()
    // there throw, as call() does, whatever the guard's mode.
    Calls.refuseWaits(result, () -> refuseOnLoop(l, operation));
    // The caller's context: restored around the function on the loop, around the cancellation
    // forwarded to the loop, and around the completion on the caller's executor.
    Snapshot context = Registry.capture();
    SynchronizerLoop.Task task =
        new SynchronizerLoop.Task() {
          @Override
          public void run() {
            try (Scope scope = context.restore()) {
              runInContext();
            }
          }

          private void runInContext() {
            if (result.isDone()) {
              return; // cancelled before it started
            }
            CompletableFuture<T> inner;
            try {
              inner =
                  Stages.asFuture(
                      Objects.requireNonNull(
                          function.get(), () -> operation + " returned a null stage"));
            } catch (Throwable t) {
              deliver(result, null, t, completion, context);
              return;
            }
            if (inner.isDone()) {
              deliverDone(result, inner, completion, context);
              return;
            }
            LoopCancel cancel = new LoopCancel(l, inner, context);
            Calls.dependOn(result, cancel);
            inFlight.put(result, cancel);
            if (closed && inFlight.remove(result) != null) {
              // close() swept inFlight before this task (queued before the close, run after it)
              // registered: fail it as the sweep would have, or its caller waits forever.
              if (Calls.fail(result, closedWhileInProgress(operation))) {
                cancel.cancel(true);
              }
              return;
            }
            inner.whenComplete(
                (v, e) -> {
                  inFlight.remove(result);
                  deliver(result, v, e, completion, context);
                });
          }

          @Override
          public void abort(RuntimeException cause) {
            Calls.fail(result, cause);
          }
        };
    try {
      l.execute(task);
    } catch (RejectedExecutionException closing) {
      throw closedError();
    }
    return result;
  }

  private static <T extends @Nullable Object> void deliverDone(
      CallFuture<T> result,
      CompletableFuture<T> done,
      @Nullable Executor completion,
      Snapshot context) {
    T value = null;
    Throwable failure = null;
    try {
      value = done.join();
    } catch (CancellationException | java.util.concurrent.CompletionException e) {
      failure = e;
    }
    deliver(result, value, failure, completion, context);
  }

  private static <T extends @Nullable Object> void deliver(
      CallFuture<T> result,
      @Nullable T value,
      @Nullable Throwable failure,
      @Nullable Executor completion,
      Snapshot context) {
    Runnable complete = () -> Calls.settle(result, value, failure);
    if (completion == null) {
      complete.run();
      return;
    }
    // The caller's continuations run on its executor, inside the caller's context.
    complete = Registry.bind(context, complete);
    try {
      completion.execute(complete);
    } catch (RuntimeException rejected) {
      // A RejectedExecutionException, or another refusal (a closed custom executor's
      // IllegalStateException): either way the task will not run, and the future must complete.
      complete.run();
    }
  }

  <T extends @Nullable Object, X extends Exception> T await(
      SynchronizerLoop l, CallFuture<T> result, String operation, @Nullable Class<X> declared)
      throws X {
    try {
      return result.get();
    } catch (InterruptedException interrupted) {
      result.cancel(true);
      runOnLoopAndWait(l, () -> {}, cancelGrace);
      Thread.currentThread().interrupt();
      throw new CallInterruptedException(operation);
    } catch (ExecutionException | CancellationException failure) {
      // get() wraps a stored CancellationException in a new one; report the stored outcome.
      throw Failures.rethrow(Done.failureOf(result, failure), operation, declared);
    }
  }

  /**
   * Runs {@code action} on the loop and waits for it at most {@code limit}, ignoring interrupts
   * while waiting (the caller is already handling one, or closing). Returns false if it did not
   * run in time or the loop cannot run it.
   */
  boolean runOnLoopAndWait(SynchronizerLoop l, Runnable action, Duration limit) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    try {
      l.execute(
          () -> {
            try {
              action.run();
            } finally {
              done.complete(null);
            }
          });
    } catch (RuntimeException cannot) {
      return false;
    }
    long deadline = System.nanoTime() + Deadlines.saturatedNanos(limit);
    boolean interrupted = false;
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          done.get(left, TimeUnit.NANOSECONDS);
          return true;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException | TimeoutException e) {
          return false;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Cancels a library stage on the loop thread, so cancellation callbacks run there. */
  static final class LoopCancel implements Future<Object> {
    private final SynchronizerLoop loop;
    private final CompletableFuture<?> inner;
    private final Snapshot context;

    LoopCancel(SynchronizerLoop loop, CompletableFuture<?> inner, Snapshot context) {
      this.loop = loop;
      this.inner = inner;
      this.context = context;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      if (Thread.currentThread() == loop.thread()) {
        inner.cancel(mayInterruptIfRunning); // already on the loop: cancel before anything queued
        return true;
      }
      try {
        loop.execute(Registry.bind(context, () -> inner.cancel(mayInterruptIfRunning)));
      } catch (RuntimeException loopGone) {
        inner.cancel(mayInterruptIfRunning); // the loop is gone: nothing else would run it
      }
      return true;
    }

    @Override
    public boolean isCancelled() {
      return inner.isCancelled();
    }

    @Override
    public boolean isDone() {
      return inner.isDone();
    }

    @Override
    public Object get() {
      throw new UnsupportedOperationException("not waited on");
    }

    @Override
    public Object get(long timeout, TimeUnit unit) {
      throw new UnsupportedOperationException("not waited on");
    }
  }

  // ---------------------------------------------------------------- close

  /**
   * Closes the Synchronizer: later calls fail; calls still waiting on the library fail with a
   * {@link CancellationException} and their tasks are cancelled on the loop; the runtime is
   * closed; the source of every stream, iterator and publisher still open is closed on the loop
   * (its close is started, not waited for, and a failure of it is logged); the loop runs what is
   * already queued and ends. Waits at most the close timeout for
   * the loop thread to end, then interrupts it. Idempotent; concurrent callers all wait. Called
   * on the loop thread itself, it does not wait.
   */
  @Override
  public void close() {
    SynchronizerLoop l;
    AsyncRuntime r;
    Thread h;
    synchronized (lock) {
      boolean first = !closed;
      closed = true;
      l = loop;
      r = first ? runtime : null;
      h = first ? hook : null;
      if (!first && l != null) {
        r = null;
      }
    }
    if (l == null) {
      // No loop, so no call; but a sleep scheduled from outside the loop started the runtime's
      // timer thread (it used to outlive this close, its sleeps pending).
      if (r != null) {
        r.close();
      }
      return;
    }
    for (Map.Entry<CallFuture<?>, LoopCancel> e : inFlight.entrySet()) {
      if (inFlight.remove(e.getKey()) != null
          && Calls.fail(e.getKey(), closedWhileInProgress(e.getKey().operation()))) {
        e.getValue().cancel(true);
      }
    }
    if (r != null) {
      r.close();
    }
    closeOpenSources(l);
    l.stop();
    if (h != null) {
      try {
        Runtime.getRuntime().removeShutdownHook(h);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running or about to: nothing to remove
      }
    }
    if (l.thread() == Thread.currentThread()) {
      return;
    }
    long start = System.nanoTime();
    if (!waitFor(l.terminated(), closeTimeout)) {
      l.thread().interrupt();
      waitFor(l.terminated(), Duration.ofMillis(200));
    }
    // The loop completes `terminated` as the last thing it does, but its thread is still alive
    // for a few instructions after that: join it, so no thread outlives close().
    if (l.terminated().isDone()) {
      long left = Deadlines.saturatedNanos(closeTimeout) - (System.nanoTime() - start);
      join(l.thread(), Duration.ofNanos(Math.max(left, TimeUnit.MILLISECONDS.toNanos(200))));
    }
  }

  /*
   * Closes, on the loop, the source of every stream and iterator still open: queued before the
   * loop stops, after the cancellations of the calls in flight, so it runs after them and the
   * loop then ends. Without it nothing could close them any more (their close() needs the loop),
   * and an iterator wrapper's caller, who holds a plain Iterator, has no close at all. A failure
   * of such a close has no caller to go to: it is logged. Their stages are not waited for.
   */
  private void closeOpenSources(SynchronizerLoop l) {
    if (openSources.isEmpty()) {
      return;
    }
    Runnable closeAll =
        () -> {
          for (LoopSource it : List.copyOf(openSources)) {
            closeAndLog(it);
          }
        };
    if (l.thread() == Thread.currentThread()) {
      closeAll.run();
      return;
    }
    try {
      l.execute(closeAll);
    } catch (RuntimeException stoppedOrDead) {
      // A second close already stopped the loop (the first queued this), or the loop died.
    }
  }

  /* Closes one source left open, on the loop if it still runs tasks, else on this thread. */
  private void closeLeftOpen(@Nullable SynchronizerLoop l, LoopSource it) {
    if (l != null && l.thread() != Thread.currentThread()) {
      try {
        l.execute(() -> closeAndLog(it));
        return;
      } catch (RuntimeException stoppedOrDead) {
        // the loop has stopped: nothing else would close it (as LoopCancel does for a cancel)
      }
    }
    closeAndLog(it);
  }

  private void closeAndLog(LoopSource it) {
    closeAndLog(it, "Closing a source left open when Synchronizer '" + name + "' was closed");
  }

  /* On the loop: closes the source of `it`; a failure has no caller to go to, it is logged. */
  private static void closeAndLog(LoopSource it, String what) {
    it.closeSource()
        .whenComplete(
            (v, e) -> {
              if (e != null) {
                LOG.log(System.Logger.Level.WARNING, what + " failed", Failures.unwrap(e));
              }
            });
  }

  /* Joins t at most `limit`; an interrupt is kept for the caller, not lost, and ends the wait. */
  private static void join(Thread t, Duration limit) {
    try {
      t.join(limit);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private CancellationException closedWhileInProgress(String operation) {
    return SynchronizerLoop.closedWhileInProgress(name, operation);
  }

  private void closeFromHook() {
    close();
  }

  private static boolean waitFor(CompletableFuture<?> f, Duration limit) {
    boolean interrupted = false;
    long deadline = System.nanoTime() + Deadlines.saturatedNanos(limit);
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return f.isDone();
        }
        try {
          f.get(left, TimeUnit.NANOSECONDS);
          return true;
        } catch (InterruptedException e) {
          interrupted = true;
        } catch (ExecutionException | TimeoutException e) {
          return f.isDone();
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public String toString() {
    SynchronizerLoop l = loop;
    return "Synchronizer[" + name + ", " + (closed ? "closed" : l == null ? "not started" : l)
        + ", inFlight=" + inFlight.size() + "]";
  }

  /** Builds a {@link Synchronizer}. Not thread-safe. */
  public static final class Builder {
    private final String name;
    private boolean daemon = true;
    private Duration closeTimeout = Duration.ofSeconds(5);
    private Duration cancelGrace = Duration.ofSeconds(1);
    private Executor callbackExecutor = ForkJoinPool.commonPool();
    private int batchSize = 256;
    private boolean shutdownHook = true;

    private Builder(String name) {
      Objects.requireNonNull(name, "name");
      if (name.isBlank()) {
        throw new IllegalArgumentException("name must not be blank");
      }
      this.name = name;
    }

    /**
     * Sets whether the loop thread is a daemon (default true: it does not keep the JVM alive).
     *
     * @param daemon whether the loop is a daemon thread
     * @return this builder
     */
    public Builder daemon(boolean daemon) {
      this.daemon = daemon;
      return this;
    }

    /**
     * Sets how long {@link #close()} waits for the loop to end before interrupting it.
     *
     * @param closeTimeout positive
     * @return this builder
     */
    public Builder closeTimeout(Duration closeTimeout) {
      this.closeTimeout = positive(closeTimeout, "closeTimeout");
      return this;
    }

    /**
     * Sets how long an interrupted caller, or a closed stream, waits for the cleanup on the loop.
     *
     * @param cancelGrace positive
     * @return this builder
     */
    public Builder cancelGrace(Duration cancelGrace) {
      this.cancelGrace = positive(cancelGrace, "cancelGrace");
      return this;
    }

    /**
     * Sets the executor that completes {@link #async} results by default.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor executor) {
      this.callbackExecutor = Objects.requireNonNull(executor, "executor");
      return this;
    }

    /**
     * Sets the most items a stream pulls per loop round trip.
     *
     * @param batchSize at least 1
     * @return this builder
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1) {
        throw new IllegalArgumentException("batchSize must be at least 1, but was " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * Sets whether a JVM shutdown hook closes the Synchronizer (default true).
     *
     * @param shutdownHook whether to register the hook
     * @return this builder
     */
    public Builder shutdownHook(boolean shutdownHook) {
      this.shutdownHook = shutdownHook;
      return this;
    }

    /** Builds the Synchronizer; its loop starts on first use. */
    public Synchronizer build() {
      return new Synchronizer(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException(name + " must be positive, but was " + d);
      }
      return d;
    }
  }

  /* The machinery's view of this Synchronizer (see LoopHost): kept off the public API. */
  private final class Host implements LoopHost {
    @Override
    public Synchronizer synchronizer() {
      return Synchronizer.this;
    }

    @Override
    public SynchronizerLoop loop() {
      return Synchronizer.this.loop();
    }

    @Override
    public int batchSize() {
      return Synchronizer.this.batchSize();
    }

    @Override
    public Duration cancelGrace() {
      return Synchronizer.this.cancelGrace();
    }

    @Override
    public void checkMayBlock(SynchronizerLoop l, String operation) {
      Synchronizer.this.checkMayBlock(l, operation);
    }

    @Override
    public <T extends @Nullable Object> CallFuture<T> submit(
        SynchronizerLoop l,
        String operation,
        Supplier<? extends CompletionStage<T>> function,
        @Nullable Executor completion) {
      return Synchronizer.this.submit(l, operation, function, completion);
    }

    @Override
    public <T extends @Nullable Object, X extends Exception> T await(
        SynchronizerLoop l, CallFuture<T> result, String operation, @Nullable Class<X> declared)
        throws X {
      return Synchronizer.this.await(l, result, operation, declared);
    }

    @Override
    public boolean runOnLoopAndWait(SynchronizerLoop l, Runnable action, Duration limit) {
      return Synchronizer.this.runOnLoopAndWait(l, action, limit);
    }

    /*
     * An iterator opened while close() runs (its source was opened by a task queued before the
     * close) may register after closeOpenSources took its list: it writes the set, then reads
     * `closed`; close() writes `closed`, then reads the set on the loop, so one of them sees the
     * other, and whoever takes it out of the set closes it. Both may close it, which the
     * AsyncIterator contract allows (close() is idempotent).
     */
    @Override
    public void closeAbandoned(
        SynchronizerLoop l, AtomicReference<? extends @Nullable LoopBatchIterator<?>> built) {
      Synchronizer.this.closeAbandoned(l, built);
    }

    @Override
    public void opened(LoopSource iterator) {
      openSources.add(iterator);
      SynchronizerLoop l = loop;
      if ((closed || (l != null && l.death() != null)) && openSources.remove(iterator)) {
        // Registered after close() or the dying loop swept the set (a source a blocking
        // fallback opened registers on its caller's thread): the same handshake as above.
        closeLeftOpen(l, iterator);
      }
    }

    @Override
    public void released(LoopSource iterator) {
      openSources.remove(iterator);
    }
  }
}
