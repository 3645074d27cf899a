/** The reference S3-compatible blob client built on Ambidex. */
module io.ambidex.blob {
  requires transitive io.ambidex.core;
  requires java.xml;
  requires static transitive org.jspecify;

  exports io.ambidex.blob;
}
