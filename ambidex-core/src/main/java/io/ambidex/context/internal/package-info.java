/**
 * Machinery of {@code io.ambidex.context}: the registry's copy-on-write array, the composite
 * snapshot, and the helpers the core's hops use. Not exported; may change in any release.
 */
@NullMarked
package io.ambidex.context.internal;

import org.jspecify.annotations.NullMarked;
