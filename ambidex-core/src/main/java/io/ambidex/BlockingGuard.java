package io.ambidex;

import io.ambidex.internal.DrainLoop;
import io.ambidex.internal.LoopThreads;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * Answers "may this thread block?" for the blocking bridges, which consult it before they park.
 *
 * <p>Policies:
 *
 * <ul>
 *   <li><b>Built-in detection</b>, with no compile-time dependency on the libraries involved:
 *       Ambidex's own loop threads (a {@link CallerDrained} caller while it drains, a
 *       Synchronizer's loop); Netty event-loop threads (a {@code
 *       io.netty.util.concurrent.FastThreadLocalThread} whose {@code permitBlockingCalls()} is
 *       false, or whose name says it is an event loop when that method does not exist); Vert.x
 *       event-loop threads (an {@code io.vertx.core.impl.VertxThread} that is not a worker);
 *       Reactor threads that implement {@code reactor.core.scheduler.NonBlocking}.
 *   <li><b>Registered predicates</b> add thread kinds of your own ({@link #register}).
 *   <li><b>Virtual threads are never flagged</b>: parking one releases its carrier.
 *   <li><b>Mode</b>: {@link Mode#FAIL} (the default) throws {@link BlockingNotAllowedException};
 *       {@link Mode#WARN} logs through {@link System.Logger} and lets the call block; {@link
 *       Mode#OFF} skips detection. The initial mode comes from the system property {@value
 *       #MODE_PROPERTY} ({@code fail}, {@code warn} or {@code off}, case-insensitive); any other
 *       value, the empty one included, leaves the default {@code fail} in force and is reported
 *       once as a warning through {@link System.Logger} naming the property and the value.
 *   <li><b>Cost</b>: detection runs only when a bridge is about to park; class-based checks are
 *       cached per thread class.
 * </ul>
 */
public final class BlockingGuard {
  /** The system property that sets the initial {@link Mode}: fail, warn or off. */
  public static final String MODE_PROPERTY = "ambidex.blocking-guard";

  /** What the guard does when a thread that must not block is about to. */
  public enum Mode {
    /** Throw {@link BlockingNotAllowedException}. The default. */
    FAIL,
    /** Log a warning with the caller's stack and let the call block. */
    WARN,
    /** Do not check. */
    OFF
  }

  /** A registered detector; close it to remove the detector. */
  public interface Registration extends AutoCloseable {
    /** Removes the detector. Idempotent. */
    @Override
    void close();
  }

  private record Detector(String kind, Predicate<Thread> forbidsBlocking) {}

  private static final System.Logger LOG = System.getLogger(BlockingGuard.class.getName());
  private static final List<Detector> REGISTERED = new CopyOnWriteArrayList<>();
  private static volatile Mode mode = initialMode();

  private BlockingGuard() {}

  /*
   * A bad value must not fail the class's initialisation: that would throw
   * ExceptionInInitializerError at the first bridge that blocks, and NoClassDefFoundError at every
   * later one, for the JVM's life. It falls back to the default (FAIL, the safe mode) with a
   * warning that names the property, the value and the allowed values.
   */
  private static Mode initialMode() {
    String raw = System.getProperty(MODE_PROPERTY);
    Mode parsed = parseMode(raw);
    if (parsed != null) {
      return parsed;
    }
    LOG.log(System.Logger.Level.WARNING, invalidModeMessage(raw));
    return Mode.FAIL;
  }

  /** The mode {@code raw} names (case-insensitive, trimmed), FAIL if null, or null if invalid. */
  static @Nullable Mode parseMode(@Nullable String raw) {
    if (raw == null) {
      return Mode.FAIL;
    }
    try {
      return Mode.valueOf(raw.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static String invalidModeMessage(@Nullable String raw) {
    return "System property " + MODE_PROPERTY + " must be fail, warn or off, but was '" + raw
        + "'; the blocking guard uses its default, fail. Set it to one of the three values, or"
        + " remove it.";
  }

  /** Returns the current mode. */
  public static Mode mode() {
    return mode;
  }

  /**
   * Sets the mode for the whole JVM and returns the previous one.
   *
   * @param newMode the new mode
   * @return the mode that was in force
   */
  public static Mode setMode(Mode newMode) {
    Mode previous = mode;
    mode = Objects.requireNonNull(newMode, "newMode");
    return previous;
  }

  /**
   * Registers a detector for a kind of thread that must not block.
   *
   * @param kind how the message should describe such a thread, e.g. "an Akka dispatcher thread"
   * @param forbidsBlocking returns true for threads of that kind; must be fast and must not throw
   * @return a registration whose {@code close()} removes the detector
   */
  public static Registration register(String kind, Predicate<Thread> forbidsBlocking) {
    Detector detector =
        new Detector(
            Objects.requireNonNull(kind, "kind"),
            Objects.requireNonNull(forbidsBlocking, "forbidsBlocking"));
    REGISTERED.add(detector);
    return () -> REGISTERED.remove(detector);
  }

  /**
   * Returns what the current thread was recognised as if it must not block, or null if it may.
   * Ignores the mode.
   */
  public static @Nullable String nonBlockingKind() {
    Thread thread = Thread.currentThread();
    if (thread.isVirtual()) {
      return null;
    }
    if (DrainLoop.current() != null) {
      return "an Ambidex caller-drained loop";
    }
    String loop = LoopThreads.current();
    if (loop != null) {
      return loop;
    }
    String known = ThreadKinds.KIND.get(thread.getClass()).describe(thread);
    if (known != null) {
      return known;
    }
    for (Detector d : REGISTERED) {
      if (d.forbidsBlocking().test(thread)) {
        return d.kind();
      }
    }
    return null;
  }

  /**
   * Checks that the current thread may block before {@code operation} parks it.
   *
   * @param operation the operation about to block, named in the message
   * @throws BlockingNotAllowedException in {@link Mode#FAIL} when the thread must not block
   */
  public static void check(String operation) {
    Mode m = mode;
    if (m == Mode.OFF) {
      return;
    }
    String kind = nonBlockingKind();
    if (kind == null) {
      return;
    }
    BlockingNotAllowedException e =
        new BlockingNotAllowedException(operation, Thread.currentThread().getName(), kind);
    if (m == Mode.FAIL) {
      throw e;
    }
    LOG.log(System.Logger.Level.WARNING, e.getMessage(), e);
  }

  /** Class-based detection of third-party thread kinds, computed once per thread class. */
  private interface ThreadKinds {
    @Nullable String describe(Thread thread);

    ThreadKinds NONE = thread -> null;

    ClassValue<ThreadKinds> KIND =
        new ClassValue<>() {
          @Override
          protected ThreadKinds computeValue(Class<?> type) {
            return classify(type);
          }
        };

    private static ThreadKinds classify(Class<?> type) {
      if (implementsByName(type, "reactor.core.scheduler.NonBlocking")) {
        return thread -> "a Reactor non-blocking scheduler thread";
      }
      Class<?> vertx = superclassByName(type, "io.vertx.core.impl.VertxThread");
      if (vertx != null) {
        MethodHandle isWorker = booleanMethod(vertx, "isWorker");
        if (isWorker != null) {
          return thread -> invoke(isWorker, thread) ? null : "a Vert.x event-loop thread";
        }
      }
      Class<?> netty = superclassByName(type, "io.netty.util.concurrent.FastThreadLocalThread");
      if (netty != null) {
        MethodHandle permits = booleanMethod(netty, "permitBlockingCalls");
        if (permits != null) {
          return thread -> invoke(permits, thread) ? null : "a Netty event-loop thread";
        }
        return thread ->
            thread.getName().toLowerCase(Locale.ROOT).contains("eventloop")
                ? "a Netty event-loop thread"
                : null;
      }
      return NONE;
    }

    private static boolean implementsByName(Class<?> type, String name) {
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        for (Class<?> i : c.getInterfaces()) {
          if (i.getName().equals(name) || implementsByName(i, name)) {
            return true;
          }
        }
      }
      return false;
    }

    private static @Nullable Class<?> superclassByName(Class<?> type, String name) {
      for (Class<?> c = type; c != null; c = c.getSuperclass()) {
        if (c.getName().equals(name)) {
          return c;
        }
      }
      return null;
    }

    private static @Nullable MethodHandle booleanMethod(Class<?> owner, String name) {
      try {
        return MethodHandles.publicLookup()
            .findVirtual(owner, name, MethodType.methodType(boolean.class))
            .asType(MethodType.methodType(boolean.class, Thread.class));
      } catch (ReflectiveOperationException | RuntimeException e) {
        return null;
      }
    }

    private static boolean invoke(MethodHandle handle, Thread thread) {
      try {
        return (boolean) handle.invokeExact(thread);
      } catch (Throwable e) {
        return true; // cannot tell: let the thread block rather than fail a legitimate call
      }
    }
  }
}
