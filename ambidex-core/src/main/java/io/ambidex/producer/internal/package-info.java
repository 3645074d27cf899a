/**
 * Machinery of {@code io.ambidex.producer}: a run of a body, the ring buffer its iterators read,
 * the direct delivery to a {@code Flow} subscriber. Not exported; may change in any release.
 */
@NullMarked
package io.ambidex.producer.internal;

import org.jspecify.annotations.NullMarked;
