package io.ambidex.control;

import io.ambidex.internal.Calls;
import io.ambidex.AsyncCloseable;
import io.ambidex.CallFuture;
import io.ambidex.context.internal.Registry;
import io.ambidex.control.internal.Driver;
import io.ambidex.internal.Failures;
import io.ambidex.internal.Stages;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Stack-safe control flow over {@link CompletionStage}: the loops, retries, sequences, fan-outs
 * and resource scopes that a core writes once and runs on both paths.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Inline when immediate</b>: a step whose stage is already complete is read in place and
 *       the next step starts in the same frame, so a loop of a million immediate steps runs on the
 *       calling thread without growing the stack and without any thread hop.
 *   <li><b>Non-blocking when async</b>: a step whose stage is not complete is continued by the
 *       thread that completes it; no combinator ever blocks a thread.
 *   <li><b>Cancellation propagates</b>: every combinator returns a {@link CallFuture}; cancelling
 *       it cancels the step in flight (all steps in flight, for {@link #parallel}) and no further
 *       step starts.
 *   <li><b>Failures</b>: a step that throws, or whose stage fails, fails the result with that
 *       exception (unwrapped from {@code CompletionException}); steps are never retried except by
 *       {@link #retry}.
 *   <li><b>Arguments</b> are checked at the call: nulls and illegal values throw there, before any
 *       step runs.
 * </ul>
 */
public final class Async {
  private Async() {}

  /**
   * Runs {@code step} repeatedly, feeding each result to the next call, while {@code condition}
   * holds: {@code s = initial; while (condition(s)) s = await step(s); return s}.
   *
   * @param initial the initial state
   * @param condition tested before every step, on the thread that runs the step
   * @param step returns the stage of the next state
   * @return a future of the final state
   */
  public static <S extends @Nullable Object> CallFuture<S> loop(
      S initial,
      Predicate<? super S> condition,
      Function<? super S, ? extends CompletionStage<S>> step) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(step, "step");
    return new Driver<S>("loop") {
      private S state = initial;
      private boolean started;

      @Override
      @SuppressWarnings("unchecked")
      public @Nullable CompletionStage<?> step(@Nullable Object value, @Nullable Throwable failure) {
        if (failure != null) {
          Calls.fail(result, failure);
          return null;
        }
        if (started) {
          state = (S) value;
        }
        started = true;
        if (!condition.test(state)) {
          Calls.succeed(result, state);
          return null;
        }
        return Objects.requireNonNull(step.apply(state), "step returned a null stage");
      }
    }.start();
  }

  /**
   * {@code first.thenCompose(next)} with cancellation that reaches the stage in flight: cancelling
   * the result cancels {@code first} while it runs, then the stage {@code next} returned. (A plain
   * {@code thenCompose} stage does not pass its cancellation on, so a cancelled download would
   * keep its connection.) A throw from {@code next} fails the result; failures are unwrapped
   * from {@code CompletionException}.
   *
   * <p>A value that arrives after the result was cancelled (its stage had already produced it, or
   * cannot be cancelled) is dropped: no later step sees it. For a value that must be closed, such
   * as a response holding a connection, open it with {@link #using}, which closes a resource
   * whenever it arrives.
   *
   * @param first the first stage
   * @param next starts the second stage from the first one's value
   * @return a future of the second stage's value
   */
  public static <T extends @Nullable Object, R extends @Nullable Object> CallFuture<R> then(
      CompletionStage<T> first, Function<? super T, ? extends CompletionStage<R>> next) {
    Objects.requireNonNull(first, "first");
    Objects.requireNonNull(next, "next");
    return new Driver<R>("then") {
      private int step;

      @Override
      @SuppressWarnings("unchecked")
      public @Nullable CompletionStage<?> step(@Nullable Object value, @Nullable Throwable failure) {
        switch (step++) {
          case 0:
            return first;
          case 1:
            if (failure != null) {
              Calls.fail(result, failure);
              return null;
            }
            return Objects.requireNonNull(next.apply((T) value), "next returned a null stage");
          default:
            if (failure != null) {
              Calls.fail(result, failure);
            } else {
              Calls.succeed(result, (R) value);
            }
            return null;
        }
      }
    }.start();
  }

  /**
   * Starts {@code operation} on {@code executor} and returns its stage: for work that must not
   * start on the calling thread, such as reading a response body that arrived on an async
   * transport's I/O thread. Where the operation goes on after its own waits is its business
   * ({@link io.ambidex.stream.AsyncIterators#resumeOn} keeps an iterator's consumer on the
   * executor).
   *
   * <p>The operation always starts, so that it can release what it owns: if the result was
   * cancelled before the executor ran it, its stage is cancelled as soon as it is returned.
   * Cancelling the result later cancels the operation's stage; either way the result's {@link
   * CallFuture#settled()} waits for that stage to settle. The caller's context (see {@link
   * io.ambidex.context.ContextPropagation}) is restored around the start. If {@code operation}
   * throws or returns null, the result fails with that; if the executor refuses the task, the
   * result fails with its {@link java.util.concurrent.RejectedExecutionException} and {@code
   * operation} is never called.
   *
   * @param executor runs the start of the operation
   * @param operation starts the operation and returns its stage
   * @return a future of the operation's value
   */
  public static <T extends @Nullable Object> CallFuture<T> startOn(
      Executor executor, Supplier<? extends CompletionStage<T>> operation) {
    Objects.requireNonNull(executor, "executor");
    Objects.requireNonNull(operation, "operation");
    CallFuture<T> result = Calls.createReporting("startOn");
    Runnable start =
        Registry.bind(
            Registry.capture(),
            () -> {
              CompletableFuture<T> stage;
              try {
                stage =
                    Stages.asFuture(
                        Objects.requireNonNull(
                            operation.get(), "the startOn operation returned a null stage"));
              } catch (Throwable t) {
                Calls.fail(result, t);
                return;
              }
              Calls.dependOn(result, stage); // cancels it at once if the result already is
              stage.whenComplete((value, failure) -> Calls.settle(result, value, failure));
            });
    try {
      executor.execute(start);
    } catch (RejectedExecutionException refused) {
      Calls.fail(result, refused);
    }
    return result;
  }

  /**
   * Runs {@code body} while {@code condition} holds: {@code while (condition()) await body()}.
   *
   * @param condition tested before every iteration
   * @param body returns the stage of one iteration
   * @return a future that completes after the last iteration
   */
  public static CallFuture<@Nullable Void> whileLoop(
      BooleanSupplier condition, Supplier<? extends CompletionStage<?>> body) {
    Objects.requireNonNull(condition, "condition");
    Objects.requireNonNull(body, "body");
    return new Driver<@Nullable Void>("whileLoop") {
      @Override
      public @Nullable CompletionStage<?> step(@Nullable Object value, @Nullable Throwable failure) {
        if (failure != null) {
          Calls.fail(result, failure);
          return null;
        }
        if (!condition.getAsBoolean()) {
          Calls.succeed(result, null);
          return null;
        }
        return Objects.requireNonNull(body.get(), "body returned a null stage");
      }
    }.start();
  }

  /**
   * Runs {@code action} for each item, one at a time, in iteration order. The iterable is read
   * lazily, one item per step, so it may be large or produced on demand.
   *
   * @param items the items
   * @param action returns the stage of the work on one item
   * @return a future that completes after the last item
   */
  public static <T extends @Nullable Object> CallFuture<@Nullable Void> forEach(
      Iterable<T> items, Function<? super T, ? extends CompletionStage<?>> action) {
    Objects.requireNonNull(items, "items");
    Objects.requireNonNull(action, "action");
    Iterator<T> it = items.iterator();
    return whileLoop(it::hasNext, () -> action.apply(it.next()));
  }

  /**
   * Applies {@code task} to each input one at a time and collects the results in input order.
   *
   * @param inputs the inputs
   * @param task returns the stage of the result for one input
   * @return a future of the results, in input order
   */
  public static <T extends @Nullable Object, R extends @Nullable Object>
      CallFuture<List<R>> sequence(
          List<? extends T> inputs, Function<? super T, ? extends CompletionStage<R>> task) {
    return parallel(inputs, 1, task);
  }

  /**
   * Applies {@code task} to every input with at most {@code limit} tasks in flight, without
   * blocking any thread, and collects the results in input order. The first failure cancels every
   * task still in flight and starts no new one; the result fails with it once the tasks in flight
   * have finished (so nothing the fan-out started is still running when it reports). Cancelling
   * the result completes it at once and cancels the tasks in flight.
   *
   * @param inputs the inputs
   * @param limit the maximum number of tasks in flight, at least 1
   * @param task returns the stage of the result for one input
   * @return a future of the results, in input order (an unmodifiable list)
   */
  public static <T extends @Nullable Object, R extends @Nullable Object>
      CallFuture<List<R>> parallel(
          List<? extends T> inputs,
          int limit,
          Function<? super T, ? extends CompletionStage<R>> task) {
    Objects.requireNonNull(inputs, "inputs");
    Objects.requireNonNull(task, "task");
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1, but was " + limit);
    }
    return new FanOut<T, R>(new ArrayList<T>(inputs), limit, task).start();
  }

  /**
   * Makes attempts until one succeeds or {@code decider} says to stop, sleeping through {@code
   * runtime} for the delay it returns between them. With a {@link RetryPolicy} that is up to
   * {@code policy.maxAttempts()} attempts of the failures its predicate accepts. The returned
   * failure is the last attempt's, with the earlier attempts' failures attached as suppressed
   * exceptions. A {@link CancellationException} or an {@link Error} ends the retries whatever the
   * decider says; cancelling the result cancels the attempt in flight or the sleep.
   *
   * <p>A time limit that cuts the retries reports the attempts too, on both runtimes: the {@link
   * io.ambidex.OperationTimeoutException} of a {@link CoreRuntime#withTimeout} whose operation
   * is this retry (its stage, as returned), or of a {@code SyncRuntime} deadline that passes
   * during the sleep, carries the failures of the attempts made so far as suppressed exceptions.
   *
   * @param decider the retry policy, or any decider: called once after each failed attempt
   * @param runtime the runtime whose {@link CoreRuntime#sleep} waits between attempts
   * @param attempt starts one attempt
   * @return a future of the first successful attempt's result
   */
  public static <T extends @Nullable Object> CallFuture<T> retry(
      RetryDecider decider, CoreRuntime runtime, Supplier<? extends CompletionStage<T>> attempt) {
    Objects.requireNonNull(decider, "decider");
    Objects.requireNonNull(runtime, "runtime");
    Objects.requireNonNull(attempt, "attempt");
    return new Driver<T>("retry") {
      private int attempts;
      private boolean sleeping;

      @Override
      @SuppressWarnings("unchecked")
      public @Nullable CompletionStage<?> step(@Nullable Object value, @Nullable Throwable failure) {
        if (sleeping) {
          sleeping = false;
          if (failure != null) {
            // The sleep was cut (a deadline passed, an interrupt): report the attempts with it.
            Calls.fail(result, withEarlier(failure));
            return null;
          }
        } else if (attempts > 0) {
          if (failure == null) {
            Calls.succeed(result, (T) value);
            return null;
          }
          java.time.Duration delay =
              failure instanceof CancellationException || failure instanceof Error
                  ? null
                  : decider.nextDelay(attempts, failure);
          if (delay == null) {
            Calls.fail(result, withEarlier(failure));
            return null;
          }
          // Recorded on the result, where a timeout that cuts the retries finds them too.
          Calls.recordFailure(result, failure);
          sleeping = true;
          return runtime.sleep(delay);
        }
        attempts++;
        try {
          return Objects.requireNonNull(attempt.get(), "attempt returned a null stage");
        } catch (RuntimeException | Error thrown) {
          return CompletableFuture.failedFuture(thrown);
        }
      }

      private Throwable withEarlier(Throwable last) {
        return Calls.withFailuresSoFar(last, result);
      }
    }.start();
  }

  /**
   * Runs {@code operation} under a time limit, through the runtime's notion of a deadline:
   * {@link CoreRuntime#withTimeout}.
   *
   * @param timeout the time limit, positive
   * @param runtime the runtime of the core
   * @param name the operation's name, for the {@link io.ambidex.OperationTimeoutException}
   * @param operation starts the operation
   * @return a future of the operation's result, failed with {@link
   *     io.ambidex.OperationTimeoutException} if the limit passes first
   */
  public static <T extends @Nullable Object> CompletionStage<T> withTimeout(
      java.time.Duration timeout,
      CoreRuntime runtime,
      String name,
      Supplier<? extends CompletionStage<T>> operation) {
    Objects.requireNonNull(runtime, "runtime");
    return runtime.withTimeout(timeout, name, operation);
  }

  /**
   * The async try-with-resources: once {@code resource} completes, runs {@code body} with it and
   * then closes it, whether the body succeeded, failed or was cancelled. A failure of the close is
   * added as suppressed to the body's failure, or fails the result if the body succeeded.
   *
   * <p>Cancelling the result cancels the body; the close still runs, after the body's stage has
   * completed, so cleanup is never skipped. The cancelled result completes before it; its {@link
   * CallFuture#settled()} completes after it. A resource that arrives after the cancel is closed
   * without running the body. (A {@code CompletableFuture} resource stage is cancelled with the
   * result, and its producer, whose {@code complete} then returns false, keeps the resource; a
   * stage of another kind cannot be cancelled from here, so its resource is closed when it
   * comes. Likewise a body stage of another kind is not stopped by the cancel, and the close
   * waits for it to complete.)
   *
   * <p>A resource stage that completes with null fails the result with {@link
   * NullPointerException}; the body is not run.
   *
   * @param resource the stage of the resource to use
   * @param body uses the resource
   * @return a future of the body's result, completed after the close
   */
  public static <C extends AsyncCloseable, T extends @Nullable Object> CallFuture<T> using(
      CompletionStage<C> resource, Function<? super C, ? extends CompletionStage<T>> body) {
    Objects.requireNonNull(resource, "resource");
    Objects.requireNonNull(body, "body");
    CallFuture<T> result = Calls.createReporting("using");
    // The cancel goes to the stage as a CompletableFuture; the resource is taken from the stage
    // itself. For a stage of another kind the two differ (toCompletableFuture() is a copy), and a
    // resource that arrives after the copy was cancelled must still be closed.
    Calls.dependOn(result, Stages.asFuture(resource));
    resource.whenComplete(
        (r, openFailure) -> {
          if (openFailure != null) {
            Calls.fail(result, Failures.unwrap(openFailure));
            return;
          }
          if (r == null) {
            Calls.fail(
                result,
                new NullPointerException(
                    "The resource stage of using() completed with null; a resource must not be"
                        + " null (use a no-op AsyncCloseable when there is nothing to close)"));
            return;
          }
          CompletionStage<T> bodyStage;
          if (result.isDone()) {
            bodyStage = CompletableFuture.failedFuture(new CancellationException());
          } else {
            try {
              bodyStage = Objects.requireNonNull(body.apply(r), "body returned a null stage");
            } catch (Throwable t) {
              bodyStage = CompletableFuture.failedFuture(t);
            }
          }
          // Likewise the close waits for the body's own stage, not for a copy that a cancel
          // completes while the body still runs.
          Calls.dependOn(result, Stages.asFuture(bodyStage));
          bodyStage.whenComplete(
              (value, bodyFailure) -> {
                Calls.dependOn(result, null);
                CompletionStage<Void> closing;
                try {
                  closing = Objects.requireNonNull(r.close(), "close returned a null stage");
                } catch (Throwable t) {
                  closing = CompletableFuture.failedFuture(t);
                }
                closing.whenComplete(
                    (ignored, closeFailure) -> {
                      Throwable primary = bodyFailure == null ? null : Failures.unwrap(bodyFailure);
                      Throwable secondary =
                          closeFailure == null ? null : Failures.unwrap(closeFailure);
                      if (primary != null) {
                        if (secondary != null && secondary != primary) {
                          primary.addSuppressed(secondary);
                        }
                        Calls.fail(result, primary);
                      } else if (secondary != null) {
                        Calls.fail(result, secondary);
                      } else {
                        Calls.succeed(result, value);
                      }
                    });
              });
        });
    return result;
  }


  /*
   * Bounded fan-out: `limit` lanes, each a Driver that takes the next unclaimed index, so at most
   * `limit` tasks are in flight and an immediately completing task costs no registration at all.
   * The lanes share one result; the first failure wins and cancels whatever is still in flight.
   */
  private static final class FanOut<T extends @Nullable Object, R extends @Nullable Object>
      implements Future<List<R>> {
    private final List<T> inputs;
    private final int lanes;
    private final Function<? super T, ? extends CompletionStage<R>> task;
    private final Object[] results;
    private final AtomicReferenceArray<@Nullable Future<?>> inFlight;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger remaining;
    private final AtomicInteger activeLanes;
    private final java.util.concurrent.atomic.AtomicReference<@Nullable Throwable> firstFailure =
        new java.util.concurrent.atomic.AtomicReference<>();
    private final CallFuture<List<R>> result = Calls.createReporting("parallel");

    FanOut(List<T> inputs, int limit, Function<? super T, ? extends CompletionStage<R>> task) {
      this.inputs = inputs;
      this.lanes = Math.min(limit, inputs.size());
      this.task = task;
      this.results = new Object[inputs.size()];
      this.inFlight = new AtomicReferenceArray<>(inputs.size());
      this.remaining = new AtomicInteger(inputs.size());
      this.activeLanes = new AtomicInteger(lanes);
    }

    CallFuture<List<R>> start() {
      if (inputs.isEmpty()) {
        Calls.succeed(result, List.of());
        return result;
      }
      Calls.dependOn(result, this);
      for (int i = 0; i < lanes; i++) {
        new Lane().start(); // a lane started after a failure stops at once
      }
      return result;
    }

    @SuppressWarnings("unchecked")
    private void finish() {
      Calls.succeed(result, Collections.unmodifiableList(Arrays.asList((R[]) results)));
    }

    /*
     * The first failure stops the fan-out: no new task starts and the tasks in flight are
     * cancelled. The result fails only once every lane has stopped, so the fan-out returns after
     * every task it started has finished, as CoreRuntime.mapConcurrently promises (an abort that
     * follows a failed multipart upload must not race a part still being sent).
     */
    private void failAll(Throwable failure) {
      if (firstFailure.compareAndSet(null, failure)) {
        cancelInFlight();
      }
    }

    private boolean stopped() {
      return firstFailure.get() != null || result.isDone();
    }

    private void laneDone() {
      if (activeLanes.decrementAndGet() == 0) {
        Throwable failure = firstFailure.get();
        if (failure != null) {
          Calls.fail(result, failure);
        } else {
          Calls.ended(result); // cancelled: every lane has stopped
        }
      }
    }

    private void cancelInFlight() {
      for (int i = 0; i < inFlight.length(); i++) {
        Future<?> f = inFlight.getAndSet(i, null);
        if (f != null) {
          Calls.cut(result, f);
          f.cancel(true);
        }
      }
    }

    private final class Lane extends Driver<@Nullable Void> {
      private int index = -1;

      Lane() {
        super("parallel-lane");
      }

      @Override
      public boolean finished() {
        return false; // step() decides, so that every lane reports when it stops
      }

      @Override
      public void track(Future<?> stage) {
        inFlight.set(index, stage);
        if (stopped()) {
          // Started as the fan-out stopped: its result (not this lane's) settles after it.
          Calls.cut(FanOut.this.result, stage);
          stage.cancel(true);
        }
      }

      @Override
      public @Nullable CompletionStage<?> step(@Nullable Object value, @Nullable Throwable failure) {
        if (index >= 0) {
          inFlight.set(index, null);
          if (failure != null) {
            failAll(failure);
            laneDone();
            return null;
          }
          results[index] = value;
          if (remaining.decrementAndGet() == 0) {
            finish();
            laneDone();
            return null;
          }
        }
        if (stopped()) {
          laneDone();
          return null;
        }
        index = next.getAndIncrement();
        if (index >= inputs.size()) {
          laneDone();
          return null;
        }
        try {
          return Objects.requireNonNull(task.apply(inputs.get(index)), "task returned a null stage");
        } catch (RuntimeException | Error thrown) {
          return CompletableFuture.failedFuture(thrown);
        }
      }
    }

    // Future view of the fan-out, so that cancelling the result cancels every task in flight.

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      cancelInFlight();
      return true;
    }

    @Override
    public boolean isCancelled() {
      return result.isCancelled();
    }

    @Override
    public boolean isDone() {
      return result.isDone();
    }

    @Override
    public List<R> get() throws InterruptedException, ExecutionException {
      return result.get();
    }

    @Override
    public List<R> get(long timeout, TimeUnit unit)
        throws InterruptedException, ExecutionException, java.util.concurrent.TimeoutException {
      return result.get(timeout, unit);
    }
  }
}
