package io.ambidex.blob.cli;

import io.ambidex.blob.PutOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The options of the commands that upload ({@code put}, {@code cp}, {@code mv}, {@code sync}),
 * named as {@code aws s3 cp} names them: the object headers and user metadata an upload stores
 * (the client's {@link PutOptions}), and whether the content type is guessed from the file name.
 *
 * <p>The guess is {@link Files#probeContentType}: on Linux the user's {@code ~/.mime.types}, then
 * {@code /etc/mime.types}, then the JDK's own table, by the name's extension only (the bytes are
 * never read). No guess means no {@code Content-Type} is sent, so the server's default applies, as
 * it does for {@code aws s3 cp}.
 */
final class UploadOptions {
  @Option(names = "--content-type", paramLabel = "TYPE",
      description = "The Content-Type every uploaded object gets, e.g. 'text/html; charset=utf-8'"
          + " (default: guessed from each file's name).")
  @Nullable String contentType;

  @Option(names = "--no-guess-mime-type",
      description = "Do not guess the content type from file names: send none, so the store's"
          + " default applies (unless --content-type).")
  boolean noGuess;

  @Option(names = "--cache-control", paramLabel = "VALUE",
      description = "The Cache-Control the objects get, e.g. 'max-age=3600'.")
  @Nullable String cacheControl;

  @Option(names = "--content-disposition", paramLabel = "VALUE",
      description = "The Content-Disposition the objects get, e.g. 'attachment'.")
  @Nullable String contentDisposition;

  @Option(names = "--content-encoding", paramLabel = "VALUE",
      description = "The Content-Encoding the objects get, e.g. 'gzip' for files already"
          + " compressed (sent as they are).")
  @Nullable String contentEncoding;

  @Option(names = "--metadata", paramLabel = "KEY=VALUE",
      description = "User metadata (x-amz-meta-KEY), printable ASCII. Repeat for more entries.")
  Map<String, String> metadata = new LinkedHashMap<>();

  /** True if any header or metadata option was given: a remote copy then replaces metadata. */
  boolean any() {
    return contentType != null || cacheControl != null || contentDisposition != null
        || contentEncoding != null || !metadata.isEmpty();
  }

  /**
   * The options given, without a guessed content type; checked by the client's rules, a bad value
   * a usage error naming the option, before anything is sent.
   */
  PutOptions base() {
    PutOptions o = PutOptions.defaults();
    o = apply("--content-type", o, contentType, PutOptions::withContentType);
    o = apply("--cache-control", o, cacheControl, PutOptions::withCacheControl);
    o = apply("--content-disposition", o, contentDisposition, PutOptions::withContentDisposition);
    o = apply("--content-encoding", o, contentEncoding, PutOptions::withContentEncoding);
    try {
      return o.withMetadata(metadata);
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError("--metadata: " + e.getMessage());
    }
  }

  /** Refuses the options on a command that only downloads. */
  void rejectFor(String what) {
    if (any()) {
      throw new ExitCodes.UsageError(
          "--content-type, --cache-control, --content-disposition, --content-encoding and"
              + " --metadata set what an upload or a remote copy stores; " + what
              + " downloads, so leave them out");
    }
  }

  /**
   * The options for an object named {@code name} (a file name or a key): {@code base} with the
   * content type guessed from the name, unless one was given or guessing is off.
   */
  PutOptions forName(PutOptions base, String name) {
    if (contentType != null || noGuess) {
      return base;
    }
    String guess = guess(name);
    if (guess == null) {
      return base;
    }
    try {
      return base.withContentType(guess);
    } catch (IllegalArgumentException e) {
      return base; // a mime.types line the client would not send: send none
    }
  }

  /** The content type {@link Files#probeContentType} gives for a name, or null. */
  static @Nullable String guess(String name) {
    int slash = name.lastIndexOf('/');
    String last = slash >= 0 ? name.substring(slash + 1) : name;
    if (last.isEmpty()) {
      return null;
    }
    try {
      return Files.probeContentType(Path.of(last));
    } catch (IOException | InvalidPathException | SecurityException e) {
      return null;
    }
  }

  private interface With {
    PutOptions apply(PutOptions o, @Nullable String value);
  }

  private static PutOptions apply(String option, PutOptions o, @Nullable String value, With with) {
    try {
      return with.apply(o, value);
    } catch (IllegalArgumentException e) {
      throw new ExitCodes.UsageError(option + ": " + e.getMessage());
    }
  }
}
