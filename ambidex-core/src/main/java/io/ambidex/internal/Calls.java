package io.ambidex.internal;

import io.ambidex.CallFuture;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * The core's own access to {@link CallFuture}: creating one and completing it, which the public
 * API refuses to callers. Every package of the core that hands out a {@code CallFuture} goes
 * through here.
 */
/*
 * The JDK's "shared secrets" pattern: CallFuture keeps these operations package-private and, in
 * its static initializer, installs an Access that calls them. The holder reads the installed
 * object once, after making sure CallFuture is initialized, so ACCESS is a constant the JIT folds
 * and each call is a direct, inlinable call.
 */
public final class Calls {
  /** What {@link CallFuture} lets the core do. Implemented by {@code CallFuture} alone. */
  public interface Access {
    /** Returns a new incomplete future for {@code operation}. */
    <T extends @Nullable Object> CallFuture<T> create(String operation);

    /** Returns a new incomplete future whose operation will report its end; see {@link #ended}. */
    <T extends @Nullable Object> CallFuture<T> createReporting(String operation);

    /** Reports that the operation of a done {@code future} has ended. */
    void ended(CallFuture<?> future);

    /** Records a stage cut short on {@code future}'s behalf, for its settling to wait on. */
    void cut(CallFuture<?> future, Future<?> stage);

    /** Completes {@code future} with {@code value}; returns false if it was already done. */
    <T extends @Nullable Object> boolean succeed(CallFuture<T> future, T value);

    /** Completes {@code future} with {@code failure}; returns false if it was already done. */
    boolean fail(CallFuture<?> future, Throwable failure);

    /** Records the stage {@code future} waits on, so cancelling the future cancels it. */
    void dependOn(CallFuture<?> future, @Nullable Future<?> upstream);

    /** Records a failure the operation of {@code future} met and went past. */
    void recordFailure(CallFuture<?> future, Throwable failure);

    /** Returns the failures recorded so far, oldest first. */
    List<Throwable> failuresSoFar(CallFuture<?> future);

    /** Installs the check {@code future}'s blocking waits run first while it is open. */
    void refuseWaits(CallFuture<?> future, Runnable check);
  }

  private static @Nullable Access installed;

  private Calls() {}

  /** Called once, by {@code CallFuture}'s static initializer. */
  public static void install(Access access) {
    if (installed != null) {
      throw new IllegalStateException("CallFuture access is installed by CallFuture only, once");
    }
    installed = Objects.requireNonNull(access, "access");
  }

  private static final class Holder {
    static final Access ACCESS = load();

    private static Access load() {
      try {
        Class.forName(CallFuture.class.getName(), true, Calls.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new ExceptionInInitializerError(e);
      }
      return Objects.requireNonNull(installed, "CallFuture did not install its access");
    }
  }

  /** Returns a new incomplete future for {@code operation}. */
  public static <T extends @Nullable Object> CallFuture<T> create(String operation) {
    return Holder.ACCESS.create(operation);
  }

  /**
   * Returns a new incomplete future whose operation promises to report its end, even when the
   * future is completed before it (cancelled, timed out): by completing it (a completion that
   * loses counts) or with {@link #ended}. Its {@code settled()} waits for that report, so an
   * operation that breaks the promise leaves {@code settled()} waiting for ever.
   */
  public static <T extends @Nullable Object> CallFuture<T> createReporting(String operation) {
    return Holder.ACCESS.createReporting(operation);
  }

  /**
   * Reports that the operation of {@code future} has ended, for one that stops without completing
   * its future because it found it already done. Does nothing while the future is open.
   */
  public static void ended(CallFuture<?> future) {
    Holder.ACCESS.ended(future);
  }

  /**
   * Records that {@code stage} was cut short (cancelled) on {@code future}'s behalf, other than
   * through {@code future.cancel}: {@code future.settled()} then also waits for it to settle.
   * Call it before cancelling the stage.
   */
  public static void cut(CallFuture<?> future, Future<?> stage) {
    Holder.ACCESS.cut(future, stage);
  }

  /**
   * Records a failure that the operation of {@code future} met and went past (a failed attempt it
   * retries), so that a timeout cutting the operation can report it: see {@link
   * #withFailuresSoFar}. Any thread; the operation's own failure reporting is unchanged.
   */
  public static void recordFailure(CallFuture<?> future, Throwable failure) {
    Holder.ACCESS.recordFailure(future, Objects.requireNonNull(failure, "failure"));
  }

  /**
   * Returns the failures recorded on {@code stage} so far, oldest first: none unless it is a
   * {@code CallFuture} whose operation {@linkplain #recordFailure recorded} some.
   */
  public static List<Throwable> failuresSoFar(Future<?> stage) {
    return stage instanceof CallFuture<?> call ? Holder.ACCESS.failuresSoFar(call) : List.of();
  }

  /**
   * Adds the failures recorded on {@code operation} so far to {@code failure} as suppressed
   * exceptions and returns it: what a timeout that cuts the operation reports, so that the
   * reason its attempts failed is not lost.
   */
  public static <X extends Throwable> X withFailuresSoFar(X failure, Future<?> operation) {
    for (Throwable met : failuresSoFar(operation)) {
      if (met != failure) {
        failure.addSuppressed(met);
      }
    }
    return failure;
  }

  /**
   * Makes {@code future}'s blocking waits ({@code get}, timed {@code get}, {@code join}) run
   * {@code check} first while the future is open, so a wait that can only deadlock (on the thread
   * that must complete it) throws instead. Call it before the future is handed out.
   */
  public static void refuseWaits(CallFuture<?> future, Runnable check) {
    Holder.ACCESS.refuseWaits(future, Objects.requireNonNull(check, "check"));
  }

  /** Completes {@code future} with {@code value}; returns false if it was already done. */
  public static <T extends @Nullable Object> boolean succeed(CallFuture<T> future, T value) {
    return Holder.ACCESS.succeed(future, value);
  }

  /** Completes {@code future} with {@code failure}; returns false if it was already done. */
  public static boolean fail(CallFuture<?> future, Throwable failure) {
    return Holder.ACCESS.fail(future, failure);
  }

  /**
   * Completes {@code future} as a stage that completed with {@code value} or {@code failure} did:
   * with {@code failure} unwrapped ({@link Failures#unwrap}) if it is not null, else with {@code
   * value}. Returns false if {@code future} was already done. The relay of every stage the core
   * hands on as a {@code CallFuture}.
   */
  public static <T extends @Nullable Object> boolean settle(
      CallFuture<T> future, T value, @Nullable Throwable failure) {
    return failure == null
        ? Holder.ACCESS.succeed(future, value)
        : Holder.ACCESS.fail(future, Failures.unwrap(failure));
  }

  /** Records the stage {@code future} waits on, so cancelling the future cancels it. */
  public static void dependOn(CallFuture<?> future, @Nullable Future<?> upstream) {
    Holder.ACCESS.dependOn(future, upstream);
  }

  /** A completed {@code CallFuture}, for cores that need to return a value as a stage. */
  public static <T extends @Nullable Object> CallFuture<T> completed(String operation, T value) {
    CallFuture<T> f = create(operation);
    succeed(f, value);
    return f;
  }

  /** A failed {@code CallFuture}. */
  public static <T extends @Nullable Object> CallFuture<T> failed(
      String operation, Throwable failure) {
    CallFuture<T> f = create(operation);
    fail(f, failure);
    return f;
  }
}
