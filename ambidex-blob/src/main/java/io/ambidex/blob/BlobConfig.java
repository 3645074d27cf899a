package io.ambidex.blob;

import io.ambidex.control.RetryPolicy;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import org.jspecify.annotations.Nullable;

/**
 * The settings of a {@link BlobClient} or {@link AsyncBlobClient}: where the service is, who signs,
 * and how transfers are cut up. Immutable; build one with {@link #builder()}.
 *
 * <p>Defaults: the endpoint, region and credentials come from the environment as the AWS SDKs
 * and CLI find them (variables such as {@code AWS_ACCESS_KEY_ID}, {@code AWS_REGION} and {@code
 * AWS_ENDPOINT_URL}, then the profile of the shared files {@code ~/.aws/config} and {@code
 * ~/.aws/credentials}; the order is {@link Builder#build()}'s), else endpoint {@code
 * https://s3.<region>.amazonaws.com} and region {@code us-east-1};
 * virtual-host addressing for the AWS endpoint and path-style addressing for any endpoint set
 * explicitly (in virtual-host mode a bucket whose name contains a dot is still addressed
 * path-style), the JVM's default TLS trust, multipart above 16 MiB, 8 MiB parts, 4 parts in
 * flight, a pool of {@code max(8, 2 * concurrency)} connections, 3 attempts per request, connect
 * timeout 10 s, read timeout 60 s, no total timeout per request, {@link PayloadSigning#AUTO}
 * (payloads signed over {@code http}, not over {@code https}),
 * listings of 1000 keys per page, {@link ChecksumAlgorithm#CRC32C} checksums for AWS endpoints and
 * {@link ChecksumAlgorithm#MD5} for others (see {@link #checksum()}).
 */
public final class BlobConfig {
  /** 1 MiB. */
  static final long MIB = 1024 * 1024;

  /** The smallest part S3 accepts, except for the last part of an upload. */
  public static final long MIN_PART_SIZE = 5 * MIB;

  /** The largest part S3 accepts. */
  public static final long MAX_PART_SIZE = 5L * 1024 * MIB;

  /** The most parts one multipart upload may have. */
  public static final int MAX_PARTS = 10_000;

  private final URI endpoint;
  private final String region;
  private final Credentials credentials;
  private final boolean pathStyle;
  private final long multipartThreshold;
  private final long partSize;
  private final int concurrency;
  private final int maxConnections;
  private final RetryPolicy retryPolicy;
  private final Duration connectTimeout;
  private final Duration readTimeout;
  private final @Nullable Duration requestTimeout;
  private final PayloadSigning payloadSigning;
  private final int listPageSize;
  private final @Nullable SSLContext sslContext;
  private final ChecksumAlgorithm checksum;

  private BlobConfig(
      Builder b, @Nullable URI endpoint, String region, Credentials credentials) {
    this.region = region;
    this.endpoint =
        endpoint != null ? endpoint : URI.create("https://s3." + region + ".amazonaws.com");
    this.credentials = credentials;
    this.pathStyle = b.pathStyle != null ? b.pathStyle : endpoint != null;
    this.multipartThreshold = b.multipartThreshold;
    this.partSize = b.partSize;
    this.concurrency = b.concurrency;
    this.maxConnections = b.maxConnections > 0 ? b.maxConnections : Math.max(8, 2 * b.concurrency);
    this.retryPolicy = b.retryPolicy;
    this.connectTimeout = b.connectTimeout;
    this.readTimeout = b.readTimeout;
    this.requestTimeout = b.requestTimeout;
    this.payloadSigning = b.payloadSigning;
    this.listPageSize = b.listPageSize;
    this.sslContext = b.sslContext;
    this.checksum =
        b.checksum != null
            ? b.checksum
            : isAws(this.endpoint) ? ChecksumAlgorithm.CRC32C : ChecksumAlgorithm.MD5;
  }

  /* AWS's own endpoints, where every flexible checksum is implemented. */
  private static boolean isAws(URI endpoint) {
    String host = endpoint.getHost();
    if (host == null) {
      return false; // not a server name at all, so not AWS's
    }
    host = host.toLowerCase(java.util.Locale.ROOT);
    return host.endsWith(".amazonaws.com") || host.endsWith(".amazonaws.com.cn");
  }

  /** Returns a builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** Returns the service's endpoint, such as {@code http://127.0.0.1:9000}. */
  public URI endpoint() {
    return endpoint;
  }

  /** Returns the signing region. */
  public String region() {
    return region;
  }

  /** Returns the credentials. */
  public Credentials credentials() {
    return credentials;
  }

  /**
   * Returns true for path-style addressing ({@code endpoint/bucket/key}), false for virtual-host
   * addressing ({@code bucket.endpoint/key}). In virtual-host mode, a bucket whose name contains a
   * dot is addressed path-style all the same (see {@link Builder#pathStyle}).
   */
  public boolean pathStyle() {
    return pathStyle;
  }

  /**
   * Returns the size above which an upload of known size is sent in parts, and a whole object
   * downloaded ({@code download}, {@code get}, {@code open}) in ranged GETs.
   */
  public long multipartThreshold() {
    return multipartThreshold;
  }

  /** Returns the size of each part but the last. */
  public long partSize() {
    return partSize;
  }

  /** Returns how many parts one upload sends at once. */
  public int concurrency() {
    return concurrency;
  }

  /**
   * Returns how many connections the client's pool keeps open at most: the most requests in
   * flight at once, over all the calls of the client.
   */
  public int maxConnections() {
    return maxConnections;
  }

  /** Returns the retry policy of each request. */
  public RetryPolicy retryPolicy() {
    return retryPolicy;
  }

  /** Returns the connect timeout. */
  public Duration connectTimeout() {
    return connectTimeout;
  }

  /** Returns the longest silence while reading a response. */
  public Duration readTimeout() {
    return readTimeout;
  }

  /** Returns the total time limit of one request, all its attempts included, or null. */
  public @Nullable Duration requestTimeout() {
    return requestTimeout;
  }

  /** Returns what request signatures cover of the body. */
  public PayloadSigning payloadSigning() {
    return payloadSigning;
  }

  /** Returns how many keys a listing asks for per page ({@code max-keys}). */
  public int listPageSize() {
    return listPageSize;
  }

  /**
   * Returns the TLS context of {@code https} connections, or null for the JVM's default (its
   * default trust store).
   */
  public @Nullable SSLContext sslContext() {
    return sslContext;
  }

  /**
   * Returns the checksum of uploads: the one set with {@link Builder#checksum}, else {@link
   * ChecksumAlgorithm#CRC32C} for an AWS endpoint (a host under {@code amazonaws.com}) and {@link
   * ChecksumAlgorithm#MD5} for any other, since most S3-compatible servers (S3Proxy, OpenStack
   * Swift, older MinIO) ignore or refuse flexible checksums.
   */
  public ChecksumAlgorithm checksum() {
    return checksum;
  }

  @Override
  public String toString() {
    return "BlobConfig[endpoint=" + endpoint + ", region=" + region + ", " + credentials
        + (pathStyle ? ", path-style" : ", virtual-host") + ", multipartThreshold="
        + multipartThreshold + ", partSize=" + partSize + ", concurrency=" + concurrency
        + ", maxConnections=" + maxConnections + ", " + payloadSigning + ", checksum=" + checksum
        + "]";
  }

  /** Builds a {@link BlobConfig}. Not thread-safe. Each setter checks its value at once. */
  public static final class Builder {
    private @Nullable URI endpoint;
    private @Nullable String region;
    private @Nullable Credentials credentials;
    private @Nullable AwsProfile profile;
    private Map<String, String> environment = System.getenv();
    private @Nullable Boolean pathStyle;
    private long multipartThreshold = 16 * MIB;
    private long partSize = 8 * MIB;
    private int concurrency = 4;
    private int maxConnections; // 0: derived from concurrency at build()
    private RetryPolicy retryPolicy = RetryPolicy.builder().build();
    private Duration connectTimeout = Duration.ofSeconds(10);
    private Duration readTimeout = Duration.ofSeconds(60);
    private @Nullable Duration requestTimeout;
    private PayloadSigning payloadSigning = PayloadSigning.AUTO;
    private int listPageSize = 1000;
    private @Nullable SSLContext sslContext;
    private @Nullable ChecksumAlgorithm checksum;

    private Builder() {}

    /**
     * Sets the checksum that protects uploads. Default: {@link ChecksumAlgorithm#CRC32C} when the
     * endpoint is AWS's (under {@code amazonaws.com}), {@link ChecksumAlgorithm#MD5} otherwise;
     * set a flexible checksum for an S3-compatible service that implements them (moto, recent
     * MinIO, Ceph RGW). The client does not probe: a service that ignores {@code
     * x-amz-checksum-*} headers would leave uploads unprotected, so the choice is explicit.
     * Downloads are checked against whatever checksum the object carries, whichever this is.
     *
     * @param algorithm the algorithm
     * @return this builder
     */
    public Builder checksum(ChecksumAlgorithm algorithm) {
      this.checksum = Objects.requireNonNull(algorithm, "algorithm");
      return this;
    }

    /**
     * Sets the endpoint of an S3-compatible service.
     *
     * @param endpoint an absolute {@code http} or {@code https} URI with a host, no user-info
     *     (credentials go to {@link #credentials}), a port (if any) from 1 to 65535, and no path,
     *     query or fragment, such as {@code http://127.0.0.1:9000}
     * @return this builder
     * @throws IllegalArgumentException if it breaks one of those rules
     */
    public Builder endpoint(URI endpoint) {
      this.endpoint = checkedEndpoint(endpoint);
      return this;
    }

    private static URI checkedEndpoint(URI endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      String scheme = endpoint.getScheme();
      if (scheme == null
          || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
          || endpoint.getHost() == null) {
        throw new IllegalArgumentException(
            "endpoint must be an absolute http or https URI with a host, but was " + endpoint);
      }
      if (endpoint.getRawUserInfo() != null) {
        // Not the URI itself in the message: its user-info may hold a password.
        throw new IllegalArgumentException(
            "endpoint must have no user-info (the user:password@ part), but "
                + scheme + "://***@" + endpoint.getHost()
                + (endpoint.getPort() == -1 ? "" : ":" + endpoint.getPort())
                + " has one: requests are signed with the keys, so pass them to credentials(..)");
      }
      int port = endpoint.getPort();
      if (port != -1 && (port < 1 || port > 65535)) {
        throw new IllegalArgumentException(
            "endpoint port must be between 1 and 65535, but was " + port + " in " + endpoint);
      }
      String path = endpoint.getRawPath();
      if ((path != null && !path.isEmpty() && !path.equals("/"))
          || endpoint.getRawQuery() != null
          || endpoint.getRawFragment() != null) {
        throw new IllegalArgumentException(
            "endpoint must have no path, query or fragment, but was " + endpoint);
      }
      return URI.create(scheme.toLowerCase(java.util.Locale.ROOT) + "://"
          + endpoint.getRawAuthority());
    }

    /**
     * Sets the endpoint of an S3-compatible service.
     *
     * @param endpoint such as {@code http://127.0.0.1:9000}
     * @return this builder
     */
    public Builder endpoint(String endpoint) {
      Objects.requireNonNull(endpoint, "endpoint");
      try {
        return endpoint(new URI(endpoint));
      } catch (java.net.URISyntaxException e) {
        throw new IllegalArgumentException("endpoint is not a URI: " + e.getMessage(), e);
      }
    }

    /**
     * Sets the signing region. Default: see {@link #build()}; {@code us-east-1} when nothing sets
     * one.
     *
     * @param region such as {@code eu-west-1}
     * @return this builder
     */
    public Builder region(String region) {
      this.region = checkedRegion(region, "region");
      return this;
    }

    /*
     * The one check of a region, wherever it comes from (the setter, AWS_REGION, a profile): it
     * names an AWS host (s3.<region>.amazonaws.com), so it is words of lower-case letters and
     * digits joined by single dashes; "-", "eu-" or "a--b" would make a host name with an empty
     * or dash-ended label, which is no host at all.
     */
    private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");

    private static String checkedRegion(String region, String source) {
      Objects.requireNonNull(region, "region");
      if (!REGION.matcher(region).matches()) {
        throw new IllegalArgumentException(
            source + " must be lower-case letters and digits in words joined by single dashes,"
                + " with no dash at either end (such as eu-west-1), but was '" + region + "'");
      }
      return region;
    }

    /**
     * Takes the endpoint, region and credentials from an AWS shared-configuration profile,
     * wherever this builder does not set them itself (whichever is called first). A profile given
     * here wins over the environment variables; without one, {@link #build()} consults the
     * environment's profile after them.
     *
     * @param profile the profile, such as {@code AwsProfile.load("prod")}
     * @return this builder
     */
    public Builder profile(AwsProfile profile) {
      this.profile = Objects.requireNonNull(profile, "profile");
      return this;
    }

    /**
     * Sets the environment variables {@link #build()} consults for what this builder does not
     * set, instead of the process's ({@code System.getenv()}): for tests, and for applications
     * that keep such settings elsewhere. The map is copied.
     *
     * @param environment variables by name, such as {@code AWS_REGION} and {@code HOME}
     * @return this builder
     */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(environment);
      return this;
    }

    /**
     * Sets the credentials. Default: see {@link #build()}.
     *
     * @param credentials the credentials
     * @return this builder
     */
    public Builder credentials(Credentials credentials) {
      this.credentials = Objects.requireNonNull(credentials, "credentials");
      return this;
    }

    /**
     * Chooses path-style ({@code true}: {@code endpoint/bucket/key}) or virtual-host ({@code
     * false}: {@code bucket.endpoint/key}) addressing. Default: virtual-host for the AWS
     * endpoint, path-style when an endpoint was set.
     *
     * <p>Virtual-host addressing puts the bucket in the host name, so the endpoint's host must be
     * a name under which {@code <bucket>.<host>} resolves to the service ({@link #build()} refuses
     * an IP address). A bucket whose name contains a dot is addressed path-style even in this
     * mode: over {@code https} a wildcard certificate for {@code *.<host>} does not cover {@code
     * a.b.<host>}, and some S3-compatible servers take only the first label of the host as the
     * bucket. (AWS still serves such buckets path-style.)
     *
     * @param pathStyle true for path-style addressing
     * @return this builder
     */
    public Builder pathStyle(boolean pathStyle) {
      this.pathStyle = pathStyle;
      return this;
    }

    /**
     * Sets the size above which an upload of known size (bytes, a file) is sent as a multipart
     * upload, and a whole object is downloaded ({@code download}, {@code get}, {@code open}) as
     * concurrent ranged GETs. Default 16 MiB. A stream of unknown length is sent in one request
     * only if it ends within its first part. Raise it to keep large downloads to one GET: on one
     * machine, against a local server, that is as fast; against S3, whose connections are each
     * slower than the network, the ranges are what make a large download fast.
     *
     * @param bytes at least 1 and at most 5 GiB
     * @return this builder
     */
    public Builder multipartThreshold(long bytes) {
      if (bytes < 1 || bytes > MAX_PART_SIZE) {
        throw new IllegalArgumentException(
            "multipartThreshold must be between 1 and 5 GiB, but was " + bytes);
      }
      this.multipartThreshold = bytes;
      return this;
    }

    /**
     * Sets the size of each part of a multipart upload but the last. Default 8 MiB. For an upload
     * of known size that would need more than 10,000 parts, a larger size is used (a multiple of
     * 1 MiB). Memory: a stream upload holds at most {@code partSize * concurrency} bytes.
     *
     * @param bytes at least 5 MiB ({@link #MIN_PART_SIZE}) and at most 5 GiB
     * @return this builder
     */
    public Builder partSize(long bytes) {
      if (bytes < MIN_PART_SIZE || bytes > MAX_PART_SIZE) {
        throw new IllegalArgumentException(
            "partSize must be between 5 MiB (" + MIN_PART_SIZE + ") and 5 GiB, but was " + bytes);
      }
      this.partSize = bytes;
      return this;
    }

    /**
     * Sets how many parts of one upload are sent at once, and how many ranges of one large
     * download are fetched at once. Default 4. Memory: a download to a file above the multipart
     * threshold gathers each range in flight in a direct buffer of 1 MiB; a client has at most
     * {@code 4 * concurrency} such buffers in use at once (a range beyond them writes without
     * one) and keeps {@code concurrency} between downloads.
     *
     * @param parts between 1 and 64
     * @return this builder
     */
    public Builder concurrency(int parts) {
      if (parts < 1 || parts > 64) {
        throw new IllegalArgumentException("concurrency must be between 1 and 64, but was " + parts);
      }
      this.concurrency = parts;
      return this;
    }

    /**
     * Sets how many connections the client keeps open at most, which is how many requests it has
     * in flight at once over all its calls: a call that finds them all busy waits for one (at
     * most the connect timeout). Default {@code max(8, 2 * concurrency)}, enough for two
     * multipart uploads at once; raise it for many concurrent small calls on an {@link
     * AsyncBlobClient} or on a {@link BlobClient} shared by many threads.
     *
     * @param connections between 1 and 4096, and at least {@code concurrency} (checked by {@link
     *     #build()})
     * @return this builder
     */
    public Builder maxConnections(int connections) {
      if (connections < 1 || connections > 4096) {
        throw new IllegalArgumentException(
            "maxConnections must be between 1 and 4096, but was " + connections);
      }
      this.maxConnections = connections;
      return this;
    }

    /**
     * Sets the retry policy of each request (see the retry table of {@code docs/http.md}).
     * Default: 3 attempts, 100 ms doubling backoff with jitter.
     *
     * @param retryPolicy the policy; {@link RetryPolicy#none()} for no retries
     * @return this builder
     */
    public Builder retryPolicy(RetryPolicy retryPolicy) {
      this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
      return this;
    }

    /**
     * Sets the connect timeout. Default 10 s.
     *
     * @param timeout at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException if it is below 1 ms
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = timeout(timeout, "connectTimeout");
      return this;
    }

    /**
     * Sets the longest silence while reading a response. Default 60 s.
     *
     * @param timeout at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException if it is below 1 ms
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = timeout(timeout, "readTimeout");
      return this;
    }

    /**
     * Sets the total time limit of each request (one part, one listing page, one download),
     * retries included. Default: none. On the blocking path a stalled upload is bounded only by
     * this limit, since a socket write has no timeout in Java.
     *
     * @param timeout at least 1 ms
     * @return this builder
     * @throws IllegalArgumentException if it is below 1 ms
     */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = timeout(timeout, "requestTimeout");
      return this;
    }

    /**
     * Sets what request signatures cover of the body. Default {@link PayloadSigning#AUTO}: the
     * SHA-256 of every body is signed over {@code http}, and not over {@code https}, where TLS
     * protects the body on the way.
     *
     * @param payloadSigning the mode
     * @return this builder
     */
    public Builder payloadSigning(PayloadSigning payloadSigning) {
      this.payloadSigning = Objects.requireNonNull(payloadSigning, "payloadSigning");
      return this;
    }

    /**
     * Sets how many keys a listing asks for per page. Default 1000, the S3 maximum.
     *
     * @param keys between 1 and 1000
     * @return this builder
     */
    public Builder listPageSize(int keys) {
      if (keys < 1 || keys > 1000) {
        throw new IllegalArgumentException("listPageSize must be between 1 and 1000, but was " + keys);
      }
      this.listPageSize = keys;
      return this;
    }

    /**
     * Sets the TLS context for {@code https} endpoints: its trust managers decide which server
     * certificates are accepted (for a service whose certificate comes from a private CA), its key
     * managers which client certificate is offered. The server's host name is checked against its
     * certificate either way. Both clients use it for every connection. Default: the JVM's
     * default context. Ignored for an {@code http} endpoint.
     *
     * @param sslContext an initialised context; not copied, so do not re-initialise it
     * @return this builder
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /**
     * Builds the configuration. What this builder does not set is looked for, first to last:
     *
     * <ul>
     *   <li>credentials: the {@link #profile} given; {@code AWS_ACCESS_KEY_ID}, {@code
     *       AWS_SECRET_ACCESS_KEY} and {@code AWS_SESSION_TOKEN} ({@link
     *       Credentials#fromEnvironment()}); the environment's profile ({@link AwsProfile#load()}).
     *   <li>region: the profile given; {@code AWS_REGION}; {@code AWS_DEFAULT_REGION}; the
     *       environment's profile; else {@code us-east-1}.
     *   <li>endpoint: the profile given; {@code AWS_ENDPOINT_URL_S3}; {@code AWS_ENDPOINT_URL};
     *       the environment's profile; else AWS's, {@code https://s3.<region>.amazonaws.com}. The
     *       variables and the environment's profile are skipped when {@code
     *       AWS_IGNORE_CONFIGURED_ENDPOINT_URLS} is {@code true}.
     * </ul>
     *
     * <p>The shared files are read only if a setting is still missing after the variables, and at
     * most once per build. The values are read now; later changes to the environment or the files
     * do not reach the configuration.
     *
     * @return the configuration
     * @throws IllegalStateException if no credentials were found (the message names every place
     *     looked at), or the shared files cannot be read or have a line that fits nowhere, or
     *     {@code AWS_PROFILE} names a profile they do not define
     * @throws IllegalArgumentException if {@code maxConnections} was set below {@code
     *     concurrency} (a multipart upload's parts would wait for connections), or if virtual-host
     *     addressing was chosen for an endpoint whose host is an IP address
     */
    public BlobConfig build() {
      if (maxConnections > 0 && maxConnections < concurrency) {
        throw new IllegalArgumentException(
            "maxConnections (" + maxConnections + ") must be at least concurrency (" + concurrency
                + "), or the parts of one upload wait for connections");
      }
      if (Boolean.FALSE.equals(pathStyle) && endpoint != null && isIpAddress(endpoint.getHost())) {
        throw new IllegalArgumentException(
            "pathStyle(false) puts the bucket in the host name, which the endpoint " + endpoint
                + " cannot carry: its host is an IP address. Use a host name that resolves"
                + " <bucket>.<host> to the service, or path-style addressing.");
      }
      Resolution r = new Resolution(environment, profile);
      URI e = endpoint != null ? endpoint : r.endpoint();
      String g = region != null ? region : r.region();
      Credentials c = credentials != null ? credentials : r.credentials();
      return new BlobConfig(this, e, g, c);
    }

    /* The settings from outside the code, each looked for in build()'s order. */
    private static final class Resolution {
      private final Map<String, String> env;
      private final @Nullable AwsProfile given;
      private @Nullable AwsProfile fromEnvironment; // loaded when first needed

      Resolution(Map<String, String> env, @Nullable AwsProfile given) {
        this.env = env;
        this.given = given;
      }

      private AwsProfile environmentProfile() {
        AwsProfile p = fromEnvironment;
        if (p == null) {
          p = AwsProfile.load(env, null);
          fromEnvironment = p;
        }
        return p;
      }

      private @Nullable String variable(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? null : v.strip();
      }

      @Nullable URI endpoint() {
        if (given != null && given.endpoint().isPresent()) {
          return checkedEndpoint(given.endpoint().get(), "the endpoint_url of " + given);
        }
        if ("true".equalsIgnoreCase(variable("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))) {
          return null;
        }
        for (String name : new String[] {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}) {
          String v = variable(name);
          if (v != null) {
            try {
              return checkedEndpoint(new URI(v), name);
            } catch (java.net.URISyntaxException ex) {
              throw new IllegalArgumentException(name + " is not a URI: " + ex.getMessage(), ex);
            }
          }
        }
        if (given != null) {
          return null; // the profile given stands in for the environment's
        }
        AwsProfile p = environmentProfile();
        return p.endpoint().isPresent()
            ? checkedEndpoint(p.endpoint().get(), "the endpoint_url of " + p)
            : null;
      }

      private static URI checkedEndpoint(URI uri, String source) {
        try {
          return Builder.checkedEndpoint(uri);
        } catch (IllegalArgumentException ex) {
          throw new IllegalArgumentException(source + ": " + ex.getMessage(), ex);
        }
      }

      String region() {
        if (given != null && given.region().isPresent()) {
          return checkedRegion(given.region().get(), "the region of " + given);
        }
        for (String name : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
          String v = variable(name);
          if (v != null) {
            return checkedRegion(v, name);
          }
        }
        if (given == null) {
          AwsProfile p = environmentProfile();
          if (p.region().isPresent()) {
            return checkedRegion(p.region().get(), "the region of " + p);
          }
        }
        return "us-east-1";
      }

      Credentials credentials() {
        if (given != null) {
          java.util.Optional<Credentials> c = given.credentials();
          if (c.isPresent()) {
            return c.get();
          }
        }
        if (variable("AWS_ACCESS_KEY_ID") != null || variable("AWS_SECRET_ACCESS_KEY") != null) {
          return Credentials.fromEnvironment(env); // names the one missing
        }
        AwsProfile p = given != null ? given : environmentProfile();
        java.util.Optional<Credentials> c = p.credentials();
        if (c.isPresent()) {
          return c.get();
        }
        throw new IllegalStateException(
            "No credentials: none set on the builder, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                + " are not set, and the AWS profile '" + p.name() + "' has none ("
                + p.filesDescription() + "). Set the variables, add aws_access_key_id and"
                + " aws_secret_access_key to the profile, or pass credentials explicitly.");
      }
    }

    private static final Pattern IPV4 = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    private static boolean isIpAddress(String host) {
      return host.startsWith("[") || IPV4.matcher(host).matches();
    }

    /*
     * The sockets count whole milliseconds and take 0 ms as "no timeout": a positive timeout
     * below 1 ms would be no timeout on the blocking client (the async one timed out), so it is
     * refused, as zero and negative ones are.
     */
    private static Duration timeout(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.compareTo(Duration.ofMillis(1)) < 0) {
        throw new IllegalArgumentException(
            name + " must be at least 1 ms (timeouts count whole milliseconds, and 0 ms would"
                + " mean no timeout), but was " + d);
      }
      return d;
    }
  }
}
