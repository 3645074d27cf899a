package io.ambidex.blob.cli;

import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code --include}/{@code --exclude} with the AWS CLI's semantics: everything is included to
 * begin with, the filters apply in the order given on the command line, and the last one that
 * matches decides. A pattern is matched against the path relative to the source directory or
 * prefix (with {@code /} separators), whole: {@code *} matches any characters, {@code /} included;
 * {@code ?} one character; {@code [abc]} and {@code [!abc]} one of a set (Python's fnmatch, as the
 * AWS CLI uses).
 */
final class Filters {
  /** One filter as given. */
  record Rule(boolean include, String glob, Pattern pattern) {}

  private final List<Rule> rules;

  private Filters(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** No filters: everything is included. */
  static Filters none() {
    return new Filters(List.of());
  }

  /** The filters of a command line, in order (picocli keeps the order of repeated options). */
  static Filters of(List<Rule> rules) {
    return new Filters(rules);
  }

  /** A rule from one option. */
  static Rule rule(boolean include, String glob) {
    return new Rule(include, glob, Pattern.compile(toRegex(glob), Pattern.DOTALL));
  }

  /** True if the relative path passes the filters. */
  boolean accepts(String relative) {
    boolean accepted = true;
    for (Rule r : rules) {
      if (r.pattern().matcher(relative).matches()) {
        accepted = r.include();
      }
    }
    return accepted;
  }

  /** Translates an fnmatch pattern to a regular expression. */
  static String toRegex(String glob) {
    StringBuilder re = new StringBuilder();
    int i = 0;
    while (i < glob.length()) {
      char c = glob.charAt(i++);
      switch (c) {
        case '*' -> re.append(".*");
        case '?' -> re.append('.');
        case '[' -> {
          int j = i;
          if (j < glob.length() && glob.charAt(j) == '!') {
            j++;
          }
          if (j < glob.length() && glob.charAt(j) == ']') {
            j++;
          }
          while (j < glob.length() && glob.charAt(j) != ']') {
            j++;
          }
          if (j >= glob.length()) {
            re.append("\\[");
          } else {
            String set = glob.substring(i, j).replace("\\", "\\\\");
            i = j + 1;
            if (set.startsWith("!")) {
              set = "^" + set.substring(1);
            } else if (set.startsWith("^")) {
              set = "\\" + set;
            }
            re.append('[').append(set).append(']');
          }
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return re.toString();
  }
}
