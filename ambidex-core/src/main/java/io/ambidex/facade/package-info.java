/**
 * What generated facades call ({@link io.ambidex.facade.FacadeSupport}): the bridges for each
 * result shape a core method can have. Hand-written facades may call it too.
 *
 * <p>Depends on every other exported package.
 */
@NullMarked
package io.ambidex.facade;

import org.jspecify.annotations.NullMarked;
