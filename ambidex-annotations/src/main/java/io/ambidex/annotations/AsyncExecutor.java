package io.ambidex.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks the method of a {@link BlockingCore} that supplies the executor its async facade runs
 * calls on. Without it, each call of the async facade runs on a new virtual thread.
 *
 * <p>The method must be an instance method with no parameters, not private, returning {@code
 * java.util.concurrent.Executor} or a subtype. The async facade calls it once per operation, so
 * it can return a field. Cancelling a future of the async facade interrupts the thread running
 * the call, whatever the executor.
 */
@Documented
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.METHOD)
public @interface AsyncExecutor {}
