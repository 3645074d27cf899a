package io.ambidex.internal;

import io.ambidex.Deadline;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The core's own access to the thread-bound {@link Deadline}: installing, binding and restoring
 * it, which only the runtimes do. Same pattern as {@link Calls}.
 */
public final class Deadlines {
  /** What {@link Deadline} lets the core do. Implemented by {@code Deadline} alone. */
  public interface Access {
    /** Installs a deadline on this thread; returns the previous one for {@link #restore}. */
    @Nullable Deadline install(Duration timeout, String operation);

    /** Binds {@code deadline} (may be null) to this thread; returns the previous one. */
    @Nullable Deadline bind(@Nullable Deadline deadline);

    /** Binds {@code previous} again (null: none). */
    void restore(@Nullable Deadline previous);
  }

  private static @Nullable Access installed;

  private Deadlines() {}

  /** Called once, by {@code Deadline}'s static initializer. */
  public static void install(Access access) {
    if (installed != null) {
      throw new IllegalStateException("Deadline access is installed by Deadline only, once");
    }
    installed = Objects.requireNonNull(access, "access");
  }

  private static final class Holder {
    static final Access ACCESS = load();

    private static Access load() {
      try {
        Class.forName(Deadline.class.getName(), true, Deadlines.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new ExceptionInInitializerError(e);
      }
      return Objects.requireNonNull(installed, "Deadline did not install its access");
    }
  }

  /** Installs a deadline on this thread; returns the previous one for {@link #restore}. */
  public static @Nullable Deadline install(Duration timeout, String operation) {
    return Holder.ACCESS.install(timeout, operation);
  }

  /** Binds {@code deadline} (may be null) to this thread; returns the previous one. */
  public static @Nullable Deadline bind(@Nullable Deadline deadline) {
    return Holder.ACCESS.bind(deadline);
  }

  /** Binds {@code previous} again (null: none). */
  public static void restore(@Nullable Deadline previous) {
    Holder.ACCESS.restore(previous);
  }

  /** {@code d} in nanoseconds, saturated at {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE}. */
  public static long saturatedNanos(Duration d) {
    try {
      return d.toNanos();
    } catch (ArithmeticException tooLong) {
      return d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }
}
