package io.ambidex.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Keeps a public method of a core out of both generated facades, for example a method public only
 * for a collaborator in another package. Its signature is not checked. On a method that overrides
 * or implements another (an interface's, say), it keeps that one out too.
 *
 * <p>It does not apply to the static methods annotated {@link BlockingFactory} or {@link
 * AsyncFactory}, and is reported there: to keep a factory out of a facade, remove its factory
 * annotation.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface ExcludeFromFacades {}
