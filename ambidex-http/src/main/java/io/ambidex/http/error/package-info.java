/**
 * The I/O failures of an HTTP exchange: {@link io.ambidex.http.error.HttpIOException} (an
 * {@code UncheckedIOException}) and its subclasses, one per way an exchange fails below HTTP. The
 * tree, with the status errors beside it, is drawn in {@code io.ambidex.http}'s package
 * documentation. Depends on nothing else in this module.
 */
@NullMarked
package io.ambidex.http.error;

import org.jspecify.annotations.NullMarked;
