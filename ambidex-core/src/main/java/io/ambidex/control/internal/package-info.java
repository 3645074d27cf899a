/**
 * Machinery of {@code io.ambidex.control}: the trampoline every combinator runs on and shared
 * completed results. Not exported; may change in any release.
 */
@NullMarked
package io.ambidex.control.internal;

import org.jspecify.annotations.NullMarked;
