package io.ambidex.blob.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * The AWS shared {@code config} and {@code credentials} files, read as the AWS SDKs and CLI read
 * them. Not API: {@code AwsProfile} is.
 *
 * <p>The format: {@code [profile NAME]} (or {@code [default]}) sections in the config file, {@code
 * [NAME]} sections in the credentials file, {@code [services NAME]} sections in the config file;
 * {@code key = value} properties; a line that starts with whitespace continues the previous
 * property's value (joined with a newline), or, after a property with an empty value, defines a
 * sub-property ({@code s3 =} then {@code   endpoint_url = ...}); whole-line comments start with
 * {@code #} or {@code ;}, and so do comments after a section header, or after a value when a
 * space or tab precedes them. Invalid profile and property names (anything but letters, digits,
 * {@code -}, {@code _}, and also {@code /}, {@code .}, {@code %}, {@code @}, {@code :}, {@code +}
 * in names) are skipped with their properties, as the SDKs skip them; a line that fits nowhere is
 * an error naming the file and line. Duplicate sections merge, the last value of a property wins,
 * {@code [profile default]} wins over {@code [default]} in the config file, and the credentials
 * file wins over the config file.
 */
public final class ProfileFiles {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_\\-/.%@:+]+");

  /** The profiles, by name; each a map of property to value (a sub-property as "key.sub"). */
  private final Map<String, Map<String, String>> profiles = new LinkedHashMap<>();

  /** The {@code [services NAME]} sections of the config file, likewise. */
  private final Map<String, Map<String, String>> services = new LinkedHashMap<>();

  private ProfileFiles() {}

  /**
   * Reads both files; a missing file counts as empty.
   *
   * @throws IllegalStateException naming the file and line of a line that fits nowhere, or the
   *     file that cannot be read
   */
  public static ProfileFiles read(@Nullable Path config, @Nullable Path credentials) {
    return parse(
        text(config), config == null ? "config" : config.toString(),
        text(credentials), credentials == null ? "credentials" : credentials.toString());
  }

  /** Parses the two files' texts (null: absent); the names are for messages. */
  public static ProfileFiles parse(
      @Nullable String config, String configName,
      @Nullable String credentials, String credentialsName) {
    ProfileFiles files = new ProfileFiles();
    // The config file first: the credentials file's values then replace its values.
    if (config != null) {
      files.parseFile(config, configName, true);
    }
    if (credentials != null) {
      files.parseFile(credentials, credentialsName, false);
    }
    return files;
  }

  /** Returns the named profile's properties, or null if no file defines it. */
  public @Nullable Map<String, String> profile(String name) {
    Map<String, String> p = profiles.get(name);
    return p == null ? null : java.util.Collections.unmodifiableMap(p);
  }

  /** Returns the named services section's properties, or null if the config file has none. */
  public @Nullable Map<String, String> services(String name) {
    Map<String, String> s = services.get(name);
    return s == null ? null : java.util.Collections.unmodifiableMap(s);
  }

  private static @Nullable String text(@Nullable Path file) {
    if (file == null) {
      return null;
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw new IllegalStateException(
          "Cannot read the AWS shared file " + file + ": " + e.getMessage(), e);
    }
  }

  private void parseFile(String text, String file, boolean isConfig) {
    // Where properties go: null before the first section, and for a section that is skipped
    // (an invalid name, a kind of section we do not read).
    Map<String, String> section = null;
    boolean inSection = false;
    String property = null; // the last property, for continuations and sub-properties
    boolean subProperties = false; // the last property had an empty value
    boolean explicitDefault = false; // in the config file: [profile default] seen in this file
    boolean inPlainDefault = false; // in the config file: inside [default]
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int number = i + 1;
      String trimmed = line.strip();
      if (trimmed.isEmpty() || trimmed.startsWith("#") || trimmed.startsWith(";")) {
        continue;
      }
      if (trimmed.startsWith("[")) {
        int close = trimmed.indexOf(']');
        if (close < 0) {
          throw malformed(file, number, "a section header must end with ']'");
        }
        String rest = trimmed.substring(close + 1).strip();
        if (!rest.isEmpty() && !rest.startsWith("#") && !rest.startsWith(";")) {
          throw malformed(file, number, "only a comment may follow a section header");
        }
        String header = trimmed.substring(1, close).strip();
        inSection = true;
        property = null;
        subProperties = false;
        inPlainDefault = false;
        section = null;
        if (isConfig) {
          if (header.equals("default")) {
            // [profile default] wins over [default], whichever comes first.
            inPlainDefault = true;
            if (!explicitDefault) {
              section = profiles.computeIfAbsent("default", k -> new LinkedHashMap<>());
            }
          } else if (startsWithWord(header, "profile")) {
            String name = header.substring("profile".length()).strip();
            if (NAME.matcher(name).matches()) {
              if (name.equals("default") && !explicitDefault) {
                explicitDefault = true;
                profiles.remove("default"); // what [default] said so far no longer counts
              }
              section = profiles.computeIfAbsent(name, k -> new LinkedHashMap<>());
            }
          } else if (startsWithWord(header, "services")) {
            String name = header.substring("services".length()).strip();
            if (NAME.matcher(name).matches()) {
              section = services.computeIfAbsent(name, k -> new LinkedHashMap<>());
            }
          }
          // Other sections ([sso-session x], [foo], [profilefoo]) are skipped.
        } else if (NAME.matcher(header).matches()) {
          section = profiles.computeIfAbsent(header, k -> new LinkedHashMap<>());
        }
        continue;
      }
      if (!inSection) {
        throw malformed(file, number, "a property must follow a section header such as [default]");
      }
      boolean indented = Character.isWhitespace(line.charAt(0));
      if (indented) {
        if (property == null) {
          throw malformed(file, number, "an indented line must continue a property");
        }
        if (subProperties) {
          int eq = trimmed.indexOf('=');
          if (eq < 0) {
            throw malformed(file, number, "a sub-property must be 'name = value'");
          }
          String key = trimmed.substring(0, eq).strip();
          if (key.isEmpty()) {
            throw malformed(file, number, "a sub-property must have a name");
          }
          if (section != null && NAME.matcher(key).matches()) {
            section.put(property + "." + key, withoutComment(trimmed.substring(eq + 1).strip()));
          }
        } else if (section != null && section.containsKey(property)) {
          section.put(property, section.get(property) + "\n" + trimmed);
        }
        continue;
      }
      int eq = trimmed.indexOf('=');
      if (eq < 0) {
        throw malformed(file, number, "a property must be 'name = value'");
      }
      String key = trimmed.substring(0, eq).strip();
      if (key.isEmpty()) {
        throw malformed(file, number, "a property must have a name");
      }
      String value = withoutComment(trimmed.substring(eq + 1).strip());
      property = key;
      subProperties = value.isEmpty();
      if (section != null && NAME.matcher(key).matches()) {
        if (!(inPlainDefault && explicitDefault)) {
          section.put(key, value);
        }
      } else {
        property = key; // continuations of a skipped property are skipped too
      }
    }
  }

  /* "profile foo" and "profile\tfoo", not "profilefoo". */
  private static boolean startsWithWord(String header, String word) {
    return header.startsWith(word)
        && header.length() > word.length()
        && Character.isWhitespace(header.charAt(word.length()));
  }

  /* A comment after a value starts at a '#' or ';' preceded by a space or tab. */
  private static String withoutComment(String value) {
    for (int i = 1; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c == '#' || c == ';') && (value.charAt(i - 1) == ' ' || value.charAt(i - 1) == '\t')) {
        return value.substring(0, i).strip();
      }
    }
    return (value.startsWith("#") || value.startsWith(";")) ? "" : value;
  }

  private static IllegalStateException malformed(String file, int line, String rule) {
    return new IllegalStateException(
        "Cannot read the AWS shared file " + Objects.requireNonNull(file) + ", line " + line + ": "
            + rule + ". Fix the line, or point AWS_CONFIG_FILE or AWS_SHARED_CREDENTIALS_FILE"
            + " elsewhere.");
  }
}
