package io.ambidex.blob;

import io.ambidex.control.RetryPolicy;
import java.util.concurrent.TimeUnit;

/**
 * Run in a child JVM by {@link SessionTokenTest} with AWS_* variables in its environment: builds a
 * configuration without credentials (so {@link BlobConfig.Builder#build()} reads them from the
 * real environment) and creates one bucket through each client.
 */
public final class EnvCredentialsMain {
  private EnvCredentialsMain() {}

  /**
   * Runs the child.
   *
   * @param args the endpoint
   * @throws Exception on any failure (the parent reads the output and the exit code)
   */
  public static void main(String[] args) throws Exception {
    BlobConfig config =
        BlobConfig.builder().endpoint(args[0]).retryPolicy(RetryPolicy.none()).build();
    System.out.println("credentials " + config.credentials());
    try (BlobClient blocking = new BlobClient(config)) {
      blocking.createBucket("from-env-blocking");
    }
    AsyncBlobClient async = new AsyncBlobClient(config);
    async.createBucket("from-env-async").get(30, TimeUnit.SECONDS);
    async.close().get(30, TimeUnit.SECONDS);
    System.out.println("OK");
  }
}
