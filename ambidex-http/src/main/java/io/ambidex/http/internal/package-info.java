/**
 * Machinery of {@code io.ambidex.http}: the chunk iterators both transports and the bodies read
 * through, upload/download progress, the translation table from lower-layer exceptions to {@code
 * io.ambidex.http.error}, the deadline that aborts a blocking exchange, the async pool's
 * connection tracking, and the release of responses dropped unclosed. Not exported; may change in
 * any release.
 */
@NullMarked
package io.ambidex.http.internal;

import org.jspecify.annotations.NullMarked;
