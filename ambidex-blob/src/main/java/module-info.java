/**
 * The reference S3-compatible blob client built on Ambidex: one core, {@code BlobCore}, and the
 * two facades the processor generates from it, {@link io.ambidex.blob.BlobClient} and {@link
 * io.ambidex.blob.AsyncBlobClient}, and its flavour facades {@code ReactorBlobClient}, {@code
 * Rx3BlobClient} and {@code MutinyBlobClient}, whose modules are optional ({@code requires
 * static}): an application that uses one brings its module and library.
 */
module io.ambidex.blob {
  requires transitive io.ambidex.core;
  requires transitive io.ambidex.http;
  requires java.xml;
  requires static transitive io.ambidex.reactor;
  requires static transitive io.ambidex.rxjava3;
  requires static transitive io.ambidex.mutiny;
  requires static io.ambidex.annotations;
  requires static transitive java.compiler;
  requires static transitive org.jspecify;

  exports io.ambidex.blob;
}
