/**
 * A user's application on the module path (ModulePathTest compiles it against the built jars and
 * runs it with {@code java -m}). It requires what docs/modules.md tells users to require.
 */
module com.example.app {
  requires io.ambidex.blob;
  requires io.ambidex.rxjava3;
  requires io.ambidex.mutiny;
  // No descriptor (S3Proxy and its Jetty stay on the class path): an automatic module, named by
  // the Automatic-Module-Name of its jar.
  requires io.ambidex.s3embedded;
  requires io.ambidex.http;
  requires jdk.httpserver;
  // The generated facades of EchoCore are public types of an exported package whose methods
  // return CallFuture and Mono: the modules that define them are required transitively.
  requires transitive io.ambidex.core;
  requires transitive io.ambidex.reactor;
  // Compile time only, as for ambidex's own modules: the annotations have CLASS retention, and
  // @Generated on the generated facades comes from java.compiler.
  requires static io.ambidex.annotations;
  requires static transitive java.compiler;

  exports com.example.app.echo;
  // The Synchronizer calls the greeter reflectively from io.ambidex.core: its package is
  // exported to the core (and to no one else). com.example.app.hidden is not exported at all.
  exports com.example.app.shared to
      io.ambidex.core;
}
