package io.ambidex.s3embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.jspecify.annotations.Nullable;

/**
 * An S3-compatible server started in-process on 127.0.0.1, on a free port: S3Proxy over a
 * filesystem store (objects persist in a directory between runs) or a transient in-memory store.
 * It checks AWS Signature V2 and V4 with the access key and secret it was given.
 *
 * <p>Policies: {@link #start} returns once the server accepts connections; {@link #close()} stops
 * it and waits for its threads. Not for production use: it is the blob tool's default store and
 * the tests' server.
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
    Objects.requireNonNull(accessKey, "accessKey");
    Objects.requireNonNull(secretKey, "secretKey");
    Properties properties = new Properties();
    properties.setProperty("jclouds.identity", accessKey);
    properties.setProperty("jclouds.credential", secretKey);
    String provider = "transient";
    if (dataDirectory != null) {
      try {
        Files.createDirectories(dataDirectory);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "Cannot create the embedded store's data directory " + dataDirectory, e);
      }
      provider = "filesystem";
      properties.setProperty("jclouds.filesystem.basedir", dataDirectory.toAbsolutePath().toString());
    }
    S3Proxy proxy =
        S3Proxy.builder()
            .blobStore(BlobStores.create(provider, properties))
            .endpoint(URI.create("http://127.0.0.1:0"))
            .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, accessKey, secretKey)
            .build();
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
      throw new IllegalStateException("The embedded S3 server failed to start: " + e.getMessage(), e);
    }
    return new EmbeddedS3(proxy, URI.create("http://127.0.0.1:" + proxy.getPort()), accessKey, secretKey);
  }

  private static void stopQuietly(S3Proxy proxy) {
    try {
      proxy.stop();
    } catch (Exception ignored) {
      // already failing; the original error is what matters
    }
  }

  /** Returns the server's endpoint, {@code http://127.0.0.1:PORT}. */
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
}
