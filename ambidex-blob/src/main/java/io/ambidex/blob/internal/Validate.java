package io.ambidex.blob.internal;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Argument checks done at the call, before anything is sent. Messages state the rule and the
 * value. Not API.
 */
public final class Validate {
  private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern IPV4 = Pattern.compile("[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+");

  private Validate() {}

  /**
   * Checks a bucket name against the S3 rules: 3 to 63 characters, lower-case letters, digits,
   * dots and dashes, starting and ending with a letter or digit, no two adjacent dots, not an IP
   * address.
   */
  public static String bucket(String bucket) {
    Objects.requireNonNull(bucket, "bucket");
    if (!BUCKET.matcher(bucket).matches()
        || bucket.contains("..")
        || bucket.contains(".-")
        || bucket.contains("-.")
        || IPV4.matcher(bucket).matches()) {
      throw new IllegalArgumentException(
          "Invalid bucket name '" + bucket + "': a bucket name has 3 to 63 characters, lower-case"
              + " letters, digits, dots and dashes, starts and ends with a letter or digit, has no"
              + " two adjacent dots and is not an IP address.");
    }
    return bucket;
  }

  /**
   * Checks a key: not empty, valid Unicode (no unpaired surrogate, which UTF-8 cannot encode and
   * would turn into '?', so that two keys became one), at most 1024 bytes of UTF-8.
   */
  public static String key(String key) {
    Objects.requireNonNull(key, "key");
    if (key.isEmpty()) {
      throw new IllegalArgumentException("Invalid key: a key must not be empty.");
    }
    unicode("key", key);
    int bytes = key.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > 1024) {
      throw new IllegalArgumentException(
          "Invalid key: a key has at most 1024 bytes of UTF-8, but this one has " + bytes
              + " (it starts with '" + key.substring(0, 40) + "').");
    }
    return key;
  }

  /**
   * Checks that a string sent in a request (a key, a listing's prefix or delimiter, an upload id)
   * is valid Unicode: UTF-8 cannot encode an unpaired surrogate, and Java's encoder would replace
   * it with '?' and send another string than the one given.
   *
   * @param what what the string is, for the message (e.g. {@code "prefix"})
   * @param value the string, or null (nothing to check)
   * @return {@code value}
   * @throws IllegalArgumentException if it has an unpaired surrogate
   */
  public static @Nullable String unicode(String what, @Nullable String value) {
    if (value == null) {
      return null;
    }
    int at = unpairedSurrogate(value);
    if (at >= 0) {
      throw new IllegalArgumentException(
          "Invalid " + what + " '" + escapeSurrogates(value) + "': a " + what + " must be valid"
              + " Unicode, but it has an unpaired surrogate "
              + String.format("U+%04X", (int) value.charAt(at)) + " at index " + at
              + ", which UTF-8 cannot encode; pass the whole surrogate pair, or remove it.");
    }
    return value;
  }

  /** The index of the first unpaired surrogate of {@code s}, or -1 if it is valid Unicode. */
  public static int unpairedSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
        } else {
          return i;
        }
      } else if (Character.isLowSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }

  /* The string with each unpaired surrogate written as a Java escape, so a message can show it. */
  private static String escapeSurrogates(String s) {
    StringBuilder out = new StringBuilder(s.length() + 8);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        out.append(c).append(s.charAt(++i));
      } else if (Character.isSurrogate(c)) {
        out.append(String.format("\\u%04X", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /** Checks that {@code file} is a readable regular file and returns its size. */
  public static long readableFile(Path file) {
    Objects.requireNonNull(file, "file");
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException(
          "Cannot upload " + file + ": "
              + (Files.exists(file) ? "it is not a regular file." : "no such file."));
    }
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("Cannot upload " + file + ": it is not readable.");
    }
    try {
      return Files.size(file);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException("Cannot upload " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Where a download goes: the file {@code target} names, through any symbolic links (so that a
   * link stays a link and its destination gets the bytes), and whether that is a special file
   * (a FIFO, a device), which is written directly, in order, instead of replaced.
   *
   * @param file the absolute path to write
   * @param special true for a special file: no temporary file, no rename, no ranges
   */
  public record DownloadTarget(Path file, boolean special) {}

  /**
   * Checks that {@code target} can be written: not a directory; an existing special file that is
   * writable, or a file whose directory exists and is writable (after following links).
   */
  public static DownloadTarget downloadTarget(Path target) {
    Objects.requireNonNull(target, "target");
    Path absolute = target.toAbsolutePath();
    if (Files.isDirectory(absolute)) {
      throw new IllegalArgumentException(
          "Cannot download to " + target + ": it is a directory; name the file to write.");
    }
    if (Files.exists(absolute) && !Files.isRegularFile(absolute)) {
      // A FIFO, a device, a socket (through any links): written in place, never replaced.
      if (!Files.isWritable(absolute)) {
        throw new IllegalArgumentException(
            "Cannot download to " + target + ": it is not writable; give this user write access"
                + " to it, or download elsewhere.");
      }
      return new DownloadTarget(absolute, true);
    }
    Path file = throughLinks(absolute, target);
    String named = file.equals(absolute) ? "" : " (a link to " + file + ")";
    Path dir = file.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException(
          "Cannot download to " + target + named + ": the directory " + dir + " does not exist;"
              + " create it first (a download does not create directories).");
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException(
          "Cannot download to " + target + named + ": the directory " + dir + " is not writable;"
              + " give this user write access to it, or download elsewhere.");
    }
    return new DownloadTarget(file, false);
  }

  /* The path a chain of symbolic links ends at, which may not exist yet (a dangling link). */
  private static Path throughLinks(Path absolute, Path target) {
    Path p = absolute;
    for (int hops = 0; Files.isSymbolicLink(p); hops++) {
      if (hops == 40) {
        throw new IllegalArgumentException(
            "Cannot download to " + target + ": too many levels of symbolic links.");
      }
      try {
        p = p.resolveSibling(Files.readSymbolicLink(p));
      } catch (java.io.IOException e) {
        throw new IllegalArgumentException(
            "Cannot download to " + target + ": cannot read the link " + p + ".", e);
      }
    }
    return p;
  }
}
