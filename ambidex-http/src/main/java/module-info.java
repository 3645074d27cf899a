/**
 * Ambidex HTTP: a sync transport that never hops threads and an async transport behind the one
 * async-shaped {@link io.ambidex.http.HttpTransport}, and the {@link io.ambidex.http.RequestClient}
 * written once on top of them.
 *
 * <p>Only {@code io.ambidex.http} is exported; Apache HttpClient is an implementation detail.
 */
module io.ambidex.http {
  requires transitive io.ambidex.core;
  requires static transitive org.jspecify;
  requires org.apache.httpcomponents.client5.httpclient5;
  requires org.apache.httpcomponents.core5.httpcore5;
  requires org.apache.httpcomponents.core5.httpcore5.h2;
  // Not ours: httpclient5's connection operator (and httpcore5's) use jdk.net.Sockets and
  // jdk.net.ExtendedSocketOptions. Automatic modules declare no requires, so without this line a
  // named application launched with `java -m` resolves no jdk.net, and the first transport built
  // fails with NoClassDefFoundError: jdk/net/Sockets (jlink would leave jdk.net out too).
  requires jdk.net;

  exports io.ambidex.http;
  exports io.ambidex.http.error;
}
