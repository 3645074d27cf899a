package io.ambidex.processor.samples;

/**
 * A progress event of a bulk operation.
 *
 * @param done how many items are done
 * @param total how many items there are
 */
public record Progress(int done, int total) {}
