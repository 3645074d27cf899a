/**
 * The reference S3-compatible blob client built on Ambidex: one core, {@code BlobCore}, and the
 * two facades the processor generates from it, {@link io.ambidex.blob.BlobClient} and {@link
 * io.ambidex.blob.AsyncBlobClient}.
 */
module io.ambidex.blob {
  requires transitive io.ambidex.core;
  requires transitive io.ambidex.http;
  requires java.xml;
  requires static io.ambidex.annotations;
  requires static transitive java.compiler;
  requires static transitive org.jspecify;

  exports io.ambidex.blob;
}
