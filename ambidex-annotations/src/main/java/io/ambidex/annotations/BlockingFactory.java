package io.ambidex.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a static method of a core that builds the core for the <em>blocking</em> facade, typically
 * on a sync transport and a {@code SyncRuntime}. It must be static, not private, and return the
 * core's type; package-private is recommended, since the facade is the public way in.
 *
 * <p>Each such method becomes one public way to create the blocking facade, with the same
 * parameters, type parameters, {@code throws} clause and Javadoc: a constructor by default, or a
 * public static factory method named {@link #method()}. Several factories give several overloads.
 * A method may carry both this annotation and {@link AsyncFactory} when one core serves both.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface BlockingFactory {
  /**
   * The name of the public static factory method to generate on the facade, or empty (the
   * default) to generate a public constructor.
   *
   * @return a Java identifier, or the empty string
   */
  String method() default "";
}
