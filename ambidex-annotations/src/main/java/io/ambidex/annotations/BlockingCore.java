package io.ambidex.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a <em>blocking-first</em> core: a class written in plain blocking style, for threads
 * that may block (virtual threads make that cheap). The processor generates, in the core's
 * package, an {@linkplain #async() async facade} whose every method runs the core's method on a
 * new virtual thread (or on the executor returned by the core's {@link AsyncExecutor} method) and
 * returns a {@code CallFuture}; cancelling that future interrupts the call. If the core is {@code
 * AutoCloseable}, the async facade is {@code AsyncCloseable}.
 *
 * <p>With {@link #blocking()} set, a blocking facade is generated too, whose methods call the core
 * directly, so that both public types are generated with parallel shapes and the core can stay
 * package-private.
 *
 * <p>Each facade obtains its core from the core's static methods annotated {@link
 * AsyncFactory} (and {@link BlockingFactory} when {@link #blocking()} is set).
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface BlockingCore {
  /**
   * The simple name of the generated async facade, for example {@code "AsyncFileStore"}.
   *
   * @return a Java identifier, different from the core's name and from {@link #blocking()}
   */
  String async();

  /**
   * The simple name of a blocking facade to generate as well, or empty for none (the default).
   *
   * @return a Java identifier, or the empty string
   */
  String blocking() default "";
}
