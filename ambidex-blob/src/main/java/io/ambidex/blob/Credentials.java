package io.ambidex.blob;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * AWS-style credentials: an access key id, a secret key and, for temporary credentials, a session
 * token. {@link #toString()} never shows the secret or the token.
 *
 * @param accessKeyId the access key id
 * @param secretAccessKey the secret access key
 * @param sessionToken the session token of temporary credentials, or null
 */
public record Credentials(String accessKeyId, String secretAccessKey, @Nullable String sessionToken) {
  /**
   * Checks the components.
   *
   * @throws NullPointerException if the access key id or the secret is null
   * @throws IllegalArgumentException if the access key id is blank, the secret empty, or the
   *     session token blank (a blank token would be sent, and refused)
   */
  public Credentials {
    Objects.requireNonNull(accessKeyId, "accessKeyId");
    Objects.requireNonNull(secretAccessKey, "secretAccessKey");
    if (accessKeyId.isBlank()) {
      throw new IllegalArgumentException("accessKeyId must not be blank");
    }
    if (secretAccessKey.isEmpty()) {
      throw new IllegalArgumentException("secretAccessKey must not be empty");
    }
    if (sessionToken != null && sessionToken.isBlank()) {
      throw new IllegalArgumentException(
          "sessionToken must be null (long-term credentials) or not blank, but was '"
              + sessionToken + "'");
    }
  }

  /**
   * Returns long-term credentials.
   *
   * @param accessKeyId the access key id
   * @param secretAccessKey the secret access key
   * @return the credentials
   */
  public static Credentials of(String accessKeyId, String secretAccessKey) {
    return new Credentials(accessKeyId, secretAccessKey, null);
  }

  /**
   * Reads {@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY} and the optional {@code
   * AWS_SESSION_TOKEN} from the environment. A session token makes every request carry {@code
   * x-amz-security-token}, covered by the signature; an empty or blank {@code AWS_SESSION_TOKEN}
   * counts as unset.
   *
   * @return the credentials
   * @throws IllegalStateException naming the missing variable if one is not set
   */
  public static Credentials fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  static Credentials fromEnvironment(Map<String, String> env) {
    String id = env.get("AWS_ACCESS_KEY_ID");
    String secret = env.get("AWS_SECRET_ACCESS_KEY");
    if (id == null || id.isBlank()) {
      throw new IllegalStateException(
          "AWS_ACCESS_KEY_ID is not set; set it and AWS_SECRET_ACCESS_KEY, or pass credentials"
              + " explicitly.");
    }
    if (secret == null || secret.isEmpty()) {
      throw new IllegalStateException(
          "AWS_SECRET_ACCESS_KEY is not set; set it, or pass credentials explicitly.");
    }
    String token = env.get("AWS_SESSION_TOKEN");
    return new Credentials(id, secret, token == null || token.isBlank() ? null : token);
  }

  @Override
  public String toString() {
    return "Credentials[accessKeyId=" + accessKeyId + ", secretAccessKey=****"
        + (sessionToken != null ? ", sessionToken=****]" : "]");
  }
}
