package io.ambidex.blob;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The test JVM's host name resolver (JEP 418, registered in {@code
 * META-INF/services/java.net.spi.InetAddressResolverProvider} of the test resources): every name
 * under {@code .localhost}, such as {@code bucket.s3.localhost}, resolves to 127.0.0.1, as
 * systemd's resolver and browsers do (RFC 6761), without touching {@code /etc/hosts}; everything
 * else goes to the JDK's built-in resolver. It records the names it answered, so tests can show
 * that a client's lookups went through {@link InetAddress} (Apache HttpClient's default {@code
 * SystemDefaultDnsResolver} calls {@code InetAddress.getAllByName}).
 */
public final class LocalhostResolverProvider extends InetAddressResolverProvider {
  private static final Set<String> ANSWERED = ConcurrentHashMap.newKeySet();

  /** Called by the JDK's ServiceLoader. */
  public LocalhostResolverProvider() {}

  /** Returns the {@code *.localhost} names resolved so far in this JVM, in lower case. */
  static Set<String> answered() {
    return Set.copyOf(ANSWERED);
  }

  @Override
  public InetAddressResolver get(Configuration configuration) {
    InetAddressResolver builtIn = configuration.builtinResolver();
    return new InetAddressResolver() {
      @Override
      public Stream<InetAddress> lookupByName(String host, LookupPolicy policy)
          throws UnknownHostException {
        String name = host.toLowerCase(Locale.ROOT);
        if (name.endsWith(".localhost")) {
          ANSWERED.add(name);
          return Stream.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
        }
        return builtIn.lookupByName(host, policy);
      }

      @Override
      public String lookupByAddress(byte[] addr) throws UnknownHostException {
        return builtIn.lookupByAddress(addr);
      }
    };
  }

  @Override
  public String name() {
    return "ambidex-test *.localhost resolver";
  }
}
