package io.ambidex.blob.cli;

import io.ambidex.blob.ChecksumAlgorithm;
import io.ambidex.blob.PutOptions;
import io.ambidex.http.HttpStatusException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The checksum a command's uploads carry (ARCHITECTURE.md, choice 267). As configured, except
 * against an endpoint of unknown kind with no {@code --checksum-algorithm}, where the client's
 * default is MD5: there the first upload of the command asks the service, with the client's
 * {@code probeChecksum}, whether it checks CRC32C, and every upload of the command carries CRC32C
 * if it does ({@code PutOptions.withChecksum}), MD5 if not. Nothing is probed before an upload is
 * about to start, so a dry run, a sync with nothing to upload and a download write nothing.
 *
 * <p>Thread-safe: the uploads that start while the probe runs wait for it; it runs once.
 */
final class UploadChecksum {
  /** Uploads carry the client's checksum. */
  static final UploadChecksum AS_CONFIGURED = new UploadChecksum(null, null, message -> {});

  /** How the probe is sent: the client's {@code probeChecksum}, through either facade. */
  interface Probe {
    CompletionStage<Boolean> probe(String bucket, String key, ChecksumAlgorithm algorithm);
  }

  private final @Nullable String bucket;
  private final @Nullable String key;
  private final Consumer<String> warn;
  private final AtomicReference<@Nullable CompletableFuture<@Nullable ChecksumAlgorithm>> decided =
      new AtomicReference<>();

  private UploadChecksum(@Nullable String bucket, @Nullable String key, Consumer<String> warn) {
    this.bucket = bucket;
    this.key = key;
    this.warn = warn;
  }

  /**
   * Probes beside the uploads' destination: a key in the "directory" of {@code destination}'s
   * key, which the credentials can be expected to write, named so that nothing else uses it.
   *
   * @param warn receives a line for standard error when the probe was stored and could not be
   *     deleted
   */
  static UploadChecksum probing(S3Uri destination, Consumer<String> warn) {
    String k = destination.key();
    byte[] random = new byte[8];
    new SecureRandom().nextBytes(random);
    String key = k.substring(0, k.lastIndexOf('/') + 1) + ".blob-checksum-probe-"
        + HexFormat.of().formatHex(random);
    return new UploadChecksum(destination.bucket(), key, warn);
  }

  /**
   * Returns {@code options} as the upload should send them: unchanged when nothing is probed or
   * the service does not check CRC32C, with CRC32C when it does. The first call probes; a probe
   * that fails for any reason leaves MD5 (the upload that follows meets the same service and
   * says what is wrong, if anything).
   */
  CompletionStage<PutOptions> apply(PutOptions options, Probe probe) {
    if (key == null || bucket == null || options.checksum() != null) {
      return CompletableFuture.completedFuture(options);
    }
    CompletableFuture<@Nullable ChecksumAlgorithm> mine = new CompletableFuture<>();
    CompletableFuture<@Nullable ChecksumAlgorithm> decision = decided.compareAndExchange(null, mine);
    if (decision == null) {
      decision = mine;
      CompletionStage<Boolean> asked;
      try {
        asked = probe.probe(bucket, key, ChecksumAlgorithm.CRC32C);
      } catch (RuntimeException e) {
        asked = CompletableFuture.failedFuture(e);
      }
      asked.whenComplete(
          (checks, failure) -> {
            if (failure != null) {
              // The probe's DELETE refused: the service stored it, and it is still there.
              if (Batch.unwrap(failure) instanceof HttpStatusException refused
                  && refused.method().equals("DELETE")) {
                warn.accept("blob: warning: " + BlobTool.oneLine(failure));
              }
              mine.complete(null);
            } else {
              mine.complete(Boolean.TRUE.equals(checks) ? ChecksumAlgorithm.CRC32C : null);
            }
          });
    }
    return decision.thenApply(algorithm -> algorithm == null ? options : options.withChecksum(algorithm));
  }
}
