package io.ambidex.s3embedded;

import io.ambidex.s3embedded.internal.ClientCompatibility;
import io.ambidex.s3embedded.internal.KeyGuard;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Properties;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.jspecify.annotations.Nullable;

/**
 * An S3-compatible server started in-process on 127.0.0.1, on a free port: S3Proxy over a
 * filesystem store (objects persist in a directory between runs) or a transient in-memory store.
 * It checks AWS Signature V2 and V4 with the access key and secret it was given.
 *
 * <p>Policies: {@link #start} (and {@link Builder#start()}) returns once the server accepts
 * connections; {@link #close()} stops it and waits for its threads. It listens on 127.0.0.1 only.
 * By default it serves plain HTTP with path-style addressing; {@link #builder()} adds virtual-host
 * addressing and TLS. Not for production use: it is the blob tool's default store and the tests'
 * server.
 *
 * <p>Clients: besides S3Proxy's own behaviour, the store answers a body-less request that expects
 * {@code 100-continue} with a sized body (the AWS CRT's multipart uploads need it), and it accepts
 * {@code x-amz-mp-object-size} on a multipart completion <em>without checking it</em> (S3Proxy
 * refuses it; AWS fails the completion when the parts do not add up to it).
 *
 * <p>Keys: it refuses, with {@code 400 InvalidArgument} (or {@code KeyTooLongError}) naming the
 * key and the rule, the keys it would not keep as written: on any store, a key that starts with
 * {@code /} or has an empty, {@code .} or {@code ..} segment (its web server and its stores resolve
 * them, so the request would name another object; a {@code DeleteObjects} naming such a key is
 * refused whole), and a key beside an object of its "directory" ({@code a} and {@code a/b}, or
 * {@code a} and the marker {@code a/}: both stores keep keys as a tree); on a data directory,
 * where objects are files, also content under a key ending in {@code /} and a segment over 255
 * bytes. S3 itself allows all of these. And,
 * as S3 does, it refuses a write of a key over 1024 bytes of UTF-8 with {@code KeyTooLongError}
 * (S3Proxy has no such limit).
 */
public final class EmbeddedS3 implements AutoCloseable {
  /** The access key id the embedded store accepts unless told otherwise. */
  public static final String DEFAULT_ACCESS_KEY = "ambidex";

  /** The secret key the embedded store accepts unless told otherwise. */
  public static final String DEFAULT_SECRET_KEY = "ambidex-local-secret";

  private final S3Proxy proxy;
  private final URI endpoint;
  private final String accessKey;
  private final String secretKey;

  private EmbeddedS3(S3Proxy proxy, URI endpoint, String accessKey, String secretKey) {
    this.proxy = proxy;
    this.endpoint = endpoint;
    this.accessKey = accessKey;
    this.secretKey = secretKey;
  }

  /**
   * Starts a server with the default keys.
   *
   * @param dataDirectory where objects are kept (created if missing), or null for an in-memory
   *     store that is lost on close
   * @return the running server
   */
  public static EmbeddedS3 start(@Nullable Path dataDirectory) {
    return start(dataDirectory, DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY);
  }

  /**
   * Starts a server.
   *
   * @param dataDirectory where objects are kept (created if missing), or null for in-memory
   * @param accessKey the access key id requests must be signed with
   * @param secretKey the secret key requests must be signed with
   * @return the running server
   */
  public static EmbeddedS3 start(@Nullable Path dataDirectory, String accessKey, String secretKey) {
    Builder b = builder().keys(accessKey, secretKey);
    if (dataDirectory != null) {
      b.dataDirectory(dataDirectory);
    }
    return b.start();
  }

  /** Returns a builder: in-memory store, default keys, plain HTTP, path-style addressing. */
  public static Builder builder() {
    return new Builder();
  }

  /*
   * Puts ClientCompatibility in front of S3Proxy's servlet. S3Proxy builds its Jetty server (a
   * shaded copy, so no Jetty type can be named here) in its constructor and offers no hook, so the
   * server is read from its private field and the servlet context found by walking the handler
   * wrappers. Written against S3Proxy 4.1.0: if a new version moves them, every start() fails,
   * and with it every test that starts a store.
   */
  private static void installCompatibility(S3Proxy proxy, Filter... filters) {
    try {
      Field field = S3Proxy.class.getDeclaredField("server");
      field.setAccessible(true);
      Object handler = field.get(proxy);
      for (int depth = 0; depth < 8 && handler != null; depth++) {
        if (handler.getClass().getSimpleName().equals("ServletContextHandler")) {
          for (Filter filter : filters) {
            handler
                .getClass()
                .getMethod("addFilter", Filter.class, String.class, EnumSet.class)
                .invoke(handler, filter, "/*", EnumSet.of(DispatcherType.REQUEST));
          }
          return;
        }
        handler = handler.getClass().getMethod("getHandler").invoke(handler);
      }
    } catch (ReflectiveOperationException | RuntimeException e) {
      throw new IllegalStateException(
          "Cannot install the embedded store's client compatibility filter into S3Proxy's Jetty"
              + " server; this code was written for S3Proxy 4.1.0: " + e,
          e);
    }
    throw new IllegalStateException(
        "Cannot install the embedded store's client compatibility filter: S3Proxy's Jetty server"
            + " has no ServletContextHandler; this code was written for S3Proxy 4.1.0");
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception ignored) {
      // already failing; the original error is what matters
    }
  }

  /**
   * Returns the server's endpoint: {@code http://127.0.0.1:PORT} by default, with the virtual-host
   * domain as its host if one was set, and {@code https} if TLS was.
   */
  public URI endpoint() {
    return endpoint;
  }

  /** Returns the access key id the server accepts. */
  public String accessKey() {
    return accessKey;
  }

  /** Returns the secret key the server accepts. */
  public String secretKey() {
    return secretKey;
  }

  /** Stops the server. */
  @Override
  public void close() {
    try {
      proxy.stop();
    } catch (Exception e) {
      throw new IllegalStateException("The embedded S3 server failed to stop: " + e.getMessage(), e);
    }
  }

  /** Configures and starts an {@link EmbeddedS3}. Not thread-safe. Each setter checks its value. */
  public static final class Builder {
    private static final Pattern DOMAIN =
        Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*");

    private @Nullable Path dataDirectory;
    private String accessKey = DEFAULT_ACCESS_KEY;
    private String secretKey = DEFAULT_SECRET_KEY;
    private @Nullable String virtualHost;
    private @Nullable SSLContext tls;
    private int port;

    private Builder() {}

    /**
     * Listens on this port of 127.0.0.1. Default 0: a free port, chosen at start. A fixed port lets
     * a server stopped (or killed) be started again where its clients expect it, on the same data
     * directory.
     *
     * @param port 0 to 65535
     * @return this builder
     * @throws IllegalArgumentException if {@code port} is out of range
     */
    public Builder port(int port) {
      if (port < 0 || port > 65535) {
        throw new IllegalArgumentException("port must be 0 to 65535, but was " + port);
      }
      this.port = port;
      return this;
    }

    /**
     * Keeps objects in a directory (created if missing), so they outlive the server. Default: an
     * in-memory store, lost on close.
     *
     * @param dataDirectory the directory
     * @return this builder
     */
    public Builder dataDirectory(Path dataDirectory) {
      this.dataDirectory = Objects.requireNonNull(dataDirectory, "dataDirectory");
      return this;
    }

    /**
     * Sets the keys requests must be signed with. Default {@link #DEFAULT_ACCESS_KEY} and {@link
     * #DEFAULT_SECRET_KEY}.
     *
     * @param accessKey the access key id
     * @param secretKey the secret key
     * @return this builder
     */
    public Builder keys(String accessKey, String secretKey) {
      this.accessKey = Objects.requireNonNull(accessKey, "accessKey");
      this.secretKey = Objects.requireNonNull(secretKey, "secretKey");
      return this;
    }

    /**
     * Serves virtual-host addressing under {@code domain}: a request whose Host is {@code
     * <bucket>.<domain>} addresses that bucket. The endpoint then names {@code domain}, and
     * path-style requests must use it as their Host too (the server takes any other host name
     * for a bucket). The server still listens on 127.0.0.1 only, so {@code domain} and its
     * subdomains must resolve there: {@code *.localhost} names do with systemd's resolver, and in
     * tests a JDK {@code InetAddressResolverProvider} can do it.
     *
     * @param domain a host name such as {@code s3.localhost}; not an IP address
     * @return this builder
     * @throws IllegalArgumentException if {@code domain} is not a lower-case host name
     */
    public Builder virtualHost(String domain) {
      Objects.requireNonNull(domain, "domain");
      if (!DOMAIN.matcher(domain).matches() || domain.matches("[0-9.]+")) {
        throw new IllegalArgumentException(
            "virtualHost must be a lower-case host name such as s3.localhost, but was '" + domain
                + "'");
      }
      this.virtualHost = domain;
      return this;
    }

    /**
     * Serves HTTPS instead of HTTP, with the certificate and key of {@code serverContext}'s key
     * manager. The certificate must name the endpoint's host (127.0.0.1, or the virtual-host
     * domain and its subdomains); clients must trust its issuer.
     *
     * @param serverContext an initialised context with a key manager
     * @return this builder
     */
    public Builder tls(SSLContext serverContext) {
      this.tls = Objects.requireNonNull(serverContext, "serverContext");
      return this;
    }

    /**
     * Starts the server.
     *
     * @return the running server
     * @throws UncheckedIOException if the data directory cannot be created (its message says why:
     *     a file in the way, a permission), or this user may not write to it (its cause an {@link
     *     java.nio.file.AccessDeniedException})
     * @throws IllegalStateException if the server fails to start within 30 s, or its port is in
     *     use (the message says so)
     */
    public EmbeddedS3 start() {
      Properties properties = new Properties();
      properties.setProperty("jclouds.identity", accessKey);
      properties.setProperty("jclouds.credential", secretKey);
      String provider = "transient";
      if (dataDirectory != null) {
        try {
          Files.createDirectories(dataDirectory);
        } catch (IOException e) {
          throw new UncheckedIOException(
              "Cannot create the embedded store's data directory " + dataDirectory + ": "
                  + whyNotADirectory(dataDirectory, e),
              e);
        }
        if (!Files.isWritable(dataDirectory)) {
          // Started anyway, the store failed every write with a bare 500 "Try again".
          throw new UncheckedIOException(
              "The embedded store's data directory " + dataDirectory + " is not writable by this"
                  + " user",
              new java.nio.file.AccessDeniedException(dataDirectory.toString()));
        }
        provider = "filesystem";
        properties.setProperty(
            "jclouds.filesystem.basedir", dataDirectory.toAbsolutePath().toString());
      }
      BlobStore store = BlobStores.create(provider, properties);
      S3Proxy.Builder b =
          S3Proxy.builder()
              .blobStore(store)
              .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey);
      if (tls != null) {
        b.secureEndpoint(URI.create("https://127.0.0.1:" + port)).sslContext(tls);
      } else {
        b.endpoint(URI.create("http://127.0.0.1:" + port));
      }
      if (virtualHost != null) {
        b.virtualHost(virtualHost);
      }
      S3Proxy proxy = b.build();
      installCompatibility(
          proxy,
          new KeyGuard(
              dataDirectory == null ? null : dataDirectory.toAbsolutePath(),
              virtualHost,
              storeView(store)),
          new ClientCompatibility());
      try {
        proxy.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (!"STARTED".equals(proxy.getState())) {
          if (System.nanoTime() - deadline > 0) {
            throw new IllegalStateException("The embedded S3 server did not start within 30 s");
          }
          Thread.sleep(5);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        stopQuietly(proxy);
        throw new IllegalStateException("Interrupted while starting the embedded S3 server", e);
      } catch (Exception e) {
        stopQuietly(proxy);
        if (causedBy(e, java.net.BindException.class)) {
          throw new IllegalStateException(
              "The embedded S3 server cannot listen on 127.0.0.1:" + port + ": the port is in use"
                  + " (" + e.getMessage() + "); choose another port, or port 0 for a free one",
              e);
        }
        throw new IllegalStateException(
            "The embedded S3 server failed to start: " + e.getMessage(), e);
      }
      String host = virtualHost != null ? virtualHost : "127.0.0.1";
      URI endpoint =
          tls != null
              ? URI.create("https://" + host + ":" + proxy.getSecurePort())
              : URI.create("http://" + host + ":" + proxy.getPort());
      return new EmbeddedS3(proxy, endpoint, accessKey, secretKey);
    }
  }

  /*
   * Why Files.createDirectories(dir) failed, in words (the exception's message is only a path):
   * the nearest existing path on the way, if it is not a directory, else the file system's reason.
   */
  private static String whyNotADirectory(Path dir, IOException e) {
    for (Path p = dir.toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS) || Files.exists(p)) {
        if (!Files.isDirectory(p)) {
          return p + " exists and is not a directory; choose another path";
        }
        break;
      }
    }
    if (e instanceof java.nio.file.AccessDeniedException denied) {
      return "permission denied on " + denied.getFile();
    }
    if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
      return fs.getFile() + ": " + fs.getReason();
    }
    return e.toString();
  }

  private static boolean causedBy(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  /* What KeyGuard asks of the blob store behind S3Proxy. */
  private static KeyGuard.Store storeView(BlobStore store) {
    return new KeyGuard.Store() {
      @Override
      public boolean bucketExists(String bucket) {
        return store.containerExists(bucket);
      }

      @Override
      public boolean objectExists(String bucket, String key) {
        return store.containerExists(bucket) && store.blobExists(bucket, key);
      }

      @Override
      public @Nullable String firstKeyUnder(String bucket, String prefix) {
        if (!store.containerExists(bucket)) {
          return null;
        }
        var first =
            store
                .list(
                    software.amazon.awssdk.services.s3.model.ListObjectsV2Request.builder()
                        .bucket(bucket)
                        .prefix(prefix)
                        .maxKeys(1)
                        .build())
                .contents();
        return first.isEmpty() ? null : first.get(0).key();
      }
    };
  }
}
