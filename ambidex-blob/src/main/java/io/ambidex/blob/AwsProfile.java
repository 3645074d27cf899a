package io.ambidex.blob;

import io.ambidex.blob.internal.ProfileFiles;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * A profile of the AWS shared configuration files ({@code ~/.aws/config} and {@code
 * ~/.aws/credentials}), the files the AWS CLI's {@code aws configure} writes: where a client
 * finds its credentials, region and endpoint when the code does not set them. Pass one to {@link
 * BlobConfig.Builder#profile}; without one, {@link BlobConfig.Builder#build()} reads the
 * environment's ({@code AWS_PROFILE}, else {@code default}) for whatever is not set otherwise.
 *
 * <p>Files: {@code AWS_CONFIG_FILE} and {@code AWS_SHARED_CREDENTIALS_FILE} when set (a leading
 * {@code ~/} is the home directory), else {@code .aws/config} and {@code .aws/credentials} in the
 * home directory ({@code HOME}, else the JVM's {@code user.home}). A missing file counts as
 * empty. The format is the AWS SDKs': {@code [profile NAME]} sections in the config file ({@code
 * [default]} for the default profile), {@code [NAME]} in the credentials file, whose values win;
 * {@code services = NAME} in a profile points at a {@code [services NAME]} section whose {@code s3
 * =} sub-properties apply to S3.
 *
 * <p>What is read: {@code aws_access_key_id}, {@code aws_secret_access_key}, {@code
 * aws_session_token}; {@code region}; {@code endpoint_url} (the services section's S3 one first,
 * then the profile's), unless {@code ignore_configured_endpoint_urls = true} or the environment
 * variable {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true}. Profiles whose credentials come from
 * elsewhere ({@code role_arn}, {@code credential_process}, {@code sso_session}, {@code
 * sso_start_url}, {@code web_identity_token_file}, {@code credential_source}) are refused by
 * {@link #credentials()} with the command that exports such credentials into the environment,
 * which this client reads.
 *
 * <p>Loaded once: a profile holds the values read when it was loaded, and the files are not
 * watched. Immutable and thread-safe.
 */
public final class AwsProfile {
  /* Properties naming a source of credentials this client does not implement. */
  private static final List<String> CREDENTIAL_SOURCES =
      List.of(
          "role_arn",
          "credential_process",
          "sso_session",
          "sso_start_url",
          "web_identity_token_file",
          "credential_source");

  private final String name;
  private final Map<String, String> properties;
  private final Map<String, String> services;
  private final String files;
  private final boolean ignoreEnvironmentEndpoints;

  private AwsProfile(
      String name,
      Map<String, String> properties,
      Map<String, String> services,
      String files,
      boolean ignoreEnvironmentEndpoints) {
    this.name = name;
    this.properties = properties;
    this.services = services;
    this.files = files;
    this.ignoreEnvironmentEndpoints = ignoreEnvironmentEndpoints;
  }

  /**
   * Loads the environment's profile: {@code AWS_PROFILE}, else {@code default}, from the files
   * the environment names (see the class description). A missing {@code default} profile is an
   * empty one; a missing profile named by {@code AWS_PROFILE} is an error.
   *
   * @return the profile
   * @throws IllegalStateException if {@code AWS_PROFILE} names a profile no file defines, or a
   *     file cannot be read or has a line that fits nowhere (the message names file and line)
   */
  public static AwsProfile load() {
    return load(System.getenv(), null);
  }

  /**
   * Loads the named profile from the files the environment names (see the class description).
   *
   * @param name the profile's name, such as {@code default} or {@code prod}
   * @return the profile
   * @throws IllegalStateException if no file defines the profile, or a file cannot be read or has
   *     a line that fits nowhere
   */
  public static AwsProfile load(String name) {
    return load(System.getenv(), Objects.requireNonNull(name, "name"));
  }

  /**
   * Loads the named profile from the given files, whatever the environment says.
   *
   * @param name the profile's name
   * @param configFile the config file ({@code [profile NAME]} sections), or null for none
   * @param credentialsFile the credentials file ({@code [NAME]} sections), or null for none
   * @return the profile
   * @throws IllegalStateException if neither file defines the profile, or a file cannot be read or
   *     has a line that fits nowhere
   */
  public static AwsProfile load(
      String name, @Nullable Path configFile, @Nullable Path credentialsFile) {
    Objects.requireNonNull(name, "name");
    return of(name, true, configFile, credentialsFile, false);
  }

  /**
   * Loads a profile from the files a given set of environment variables names, instead of the
   * process's: {@code HOME}, {@code AWS_CONFIG_FILE}, {@code AWS_SHARED_CREDENTIALS_FILE}, {@code
   * AWS_PROFILE} and {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS} (see the class description).
   *
   * @param env the environment variables, such as {@code System.getenv()}
   * @param name the profile's name, or null for {@code env}'s {@code AWS_PROFILE}, else {@code
   *     default} (which, unlike a named profile, may be missing: it is then empty)
   * @return the profile
   * @throws IllegalStateException if a named profile is not defined, or a file cannot be read or
   *     has a line that fits nowhere
   */
  public static AwsProfile load(Map<String, String> env, @Nullable String name) {
    Objects.requireNonNull(env, "env");
    String home = env.getOrDefault("HOME", System.getProperty("user.home"));
    Path config = file(env.get("AWS_CONFIG_FILE"), home, "config");
    Path credentials = file(env.get("AWS_SHARED_CREDENTIALS_FILE"), home, "credentials");
    String fromEnv = blankToNull(env.get("AWS_PROFILE"));
    String chosen = name != null ? name : fromEnv != null ? fromEnv : "default";
    boolean required = name != null || fromEnv != null;
    boolean ignore = "true".equalsIgnoreCase(blankToNull(env.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")));
    return of(chosen, required, config, credentials, ignore);
  }

  private static AwsProfile of(
      String name,
      boolean required,
      @Nullable Path config,
      @Nullable Path credentials,
      boolean ignoreEndpoints) {
    if (name.isBlank()) {
      throw new IllegalArgumentException("A profile name must not be blank.");
    }
    ProfileFiles files = ProfileFiles.read(config, credentials);
    String where = (config == null ? "no config file" : config) + " and "
        + (credentials == null ? "no credentials file" : credentials);
    Map<String, String> properties = files.profile(name);
    if (properties == null) {
      if (required) {
        throw new IllegalStateException(
            "The AWS profile '" + name + "' is not defined in " + where + ". Define it ([profile "
                + name + "] in the config file, [" + name + "] in the credentials file), or choose"
                + " another.");
      }
      properties = Map.of();
    }
    Map<String, String> services = Map.of();
    String servicesName = properties.get("services");
    if (servicesName != null && !servicesName.isBlank()) {
      Map<String, String> section = files.services(servicesName);
      if (section == null) {
        throw new IllegalStateException(
            "The AWS profile '" + name + "' names services '" + servicesName + "', which "
                + where + " do not define: add a [services " + servicesName
                + "] section to the config file.");
      }
      services = section;
    }
    return new AwsProfile(name, Map.copyOf(properties), Map.copyOf(services), where, ignoreEndpoints);
  }

  private static @Nullable Path file(@Nullable String given, @Nullable String home, String name) {
    String path = blankToNull(given);
    if (path != null) {
      if (path.equals("~") || path.startsWith("~/")) {
        return home == null ? Path.of(path) : Path.of(home + path.substring(1));
      }
      return Path.of(path);
    }
    return home == null ? null : Path.of(home, ".aws", name);
  }

  private static @Nullable String blankToNull(@Nullable String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** Returns the profile's name. */
  public String name() {
    return name;
  }

  /**
   * Returns a property of the profile, such as {@code region}; a sub-property as {@code
   * s3.addressing_style}. The credentials file's value wins over the config file's.
   *
   * @param key the property's name
   * @return its value, or empty if the profile does not set it
   */
  public Optional<String> property(String key) {
    return Optional.ofNullable(properties.get(Objects.requireNonNull(key, "key")));
  }

  /**
   * Returns the profile's static credentials: {@code aws_access_key_id}, {@code
   * aws_secret_access_key} and the optional {@code aws_session_token}.
   *
   * @return the credentials, or empty if the profile names none
   * @throws IllegalStateException if only one of the key id and the secret is set, or the profile
   *     gets its credentials from a source this client does not implement (the message names it
   *     and the command that exports such credentials)
   */
  public Optional<Credentials> credentials() {
    for (String source : CREDENTIAL_SOURCES) {
      if (properties.containsKey(source)) {
        throw new IllegalStateException(
            "The AWS profile '" + name + "' gets its credentials from " + source + ", which this"
                + " client does not implement. Export them into the environment instead, e.g."
                + " eval \"$(aws configure export-credentials --profile " + name
                + " --format env)\".");
      }
    }
    String id = blankToNull(properties.get("aws_access_key_id"));
    String secret = properties.get("aws_secret_access_key");
    if (id == null && (secret == null || secret.isEmpty())) {
      return Optional.empty();
    }
    if (id == null || secret == null || secret.isEmpty()) {
      throw new IllegalStateException(
          "The AWS profile '" + name + "' sets " + (id == null ? "aws_secret_access_key" : "aws_access_key_id")
              + " but not " + (id == null ? "aws_access_key_id" : "aws_secret_access_key") + " ("
              + files + "). Set both.");
    }
    return Optional.of(new Credentials(id, secret, blankToNull(properties.get("aws_session_token"))));
  }

  /**
   * Returns the profile's {@code region}.
   *
   * @return the region, or empty if the profile does not set one
   */
  public Optional<String> region() {
    return Optional.ofNullable(blankToNull(properties.get("region")));
  }

  /**
   * Returns the profile's S3 endpoint: the {@code endpoint_url} of the {@code s3} sub-properties
   * of its {@code services} section, else its own {@code endpoint_url}; none when the profile sets
   * {@code ignore_configured_endpoint_urls = true} or, for a profile loaded from the environment,
   * {@code AWS_IGNORE_CONFIGURED_ENDPOINT_URLS} is {@code true}.
   *
   * @return the endpoint, or empty
   * @throws IllegalStateException if the value is not a URI
   */
  public Optional<URI> endpoint() {
    if (ignoreEnvironmentEndpoints
        || "true".equalsIgnoreCase(properties.getOrDefault("ignore_configured_endpoint_urls", "")
            .strip().toLowerCase(Locale.ROOT))) {
      return Optional.empty();
    }
    String url = blankToNull(services.get("s3.endpoint_url"));
    String key = "services s3 endpoint_url";
    if (url == null) {
      url = blankToNull(properties.get("endpoint_url"));
      key = "endpoint_url";
    }
    if (url == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new URI(url));
    } catch (java.net.URISyntaxException e) {
      throw new IllegalStateException(
          "The AWS profile '" + name + "' has an " + key + " that is not a URI: " + e.getMessage(),
          e);
    }
  }

  /* The files it was read from, for messages. */
  String filesDescription() {
    return files;
  }

  @Override
  public String toString() {
    return "AwsProfile[" + name + ", " + files + "]";
  }
}
