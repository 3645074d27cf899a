/**
 * Machinery of {@code io.ambidex.stream}: the operator state machines, the blocking and
 * {@code Flow} bridges. Not exported; may change in any release.
 */
@NullMarked
package io.ambidex.stream.internal;

import org.jspecify.annotations.NullMarked;
