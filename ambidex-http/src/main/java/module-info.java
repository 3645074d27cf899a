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

  exports io.ambidex.http;
  exports io.ambidex.http.error;
}
