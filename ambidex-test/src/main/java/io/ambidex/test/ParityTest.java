package io.ambidex.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.TestTemplate;

/**
 * Marks a test method that runs once for each facade (and transport) registered with the test
 * class's {@link ParityExtension}. The method may declare a {@link Parity} parameter, and a
 * parameter of the fixture type of each registration.
 *
 * <pre>{@code
 * @ParityTest
 * void get_missingKey_failsWithStoreException(Parity<StoreClient, AsyncStoreClient> parity) {
 *   assertThatThrownBy(() -> parity.call(c -> c.get("missing"), a -> a.get("missing")))
 *       .isInstanceOf(StoreException.class);
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@TestTemplate
public @interface ParityTest {}
