package io.ambidex.blob;

/**
 * One entry of a listing: an object, or, in a listing with a delimiter, a common prefix.
 */
public sealed interface ListEntry permits BlobObject, CommonPrefix {}
