package io.ambidex.blob.cli;

import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

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

  /** A rule from one option; a pattern that cannot be translated is a usage error naming it. */
  static Rule rule(boolean include, String glob) {
    try {
      return new Rule(include, glob, Pattern.compile(toRegex(glob), Pattern.DOTALL));
    } catch (PatternSyntaxException e) { // none is known: sets are escaped character by character
      throw new ExitCodes.UsageError((include ? "--include" : "--exclude") + " '" + glob
          + "' is not a pattern this tool can read (" + e.getDescription() + "); write [x] for"
          + " a special character x");
    }
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
            re.append(set(glob.substring(i, j)));
            i = j + 1;
          }
        }
        default -> re.append(Pattern.quote(String.valueOf(c)));
      }
    }
    return re.toString();
  }

  /*
   * The regular expression of an fnmatch set, its text between the brackets: '!' first negates;
   * 'a-z' is a range (an empty one, 'z-a', matches nothing, as fnmatch drops it); every other
   * character stands for itself. Each character goes into the Java class escaped ('[', ']', '&',
   * '^', '\\' and the rest are special there: "[a&&b]" would be an intersection), or as \x{...}.
   */
  private static String set(String text) {
    boolean negated = text.startsWith("!");
    String chars = negated ? text.substring(1) : text;
    StringBuilder items = new StringBuilder();
    int k = 0;
    while (k < chars.length()) {
      int c = chars.codePointAt(k);
      int next = k + Character.charCount(c);
      if (next + 1 < chars.length() && chars.charAt(next) == '-') {
        int to = chars.codePointAt(next + 1);
        if (c <= to) {
          items.append(literal(c)).append('-').append(literal(to));
        }
        k = next + 1 + Character.charCount(to);
      } else {
        items.append(literal(c));
        k = next;
      }
    }
    if (items.isEmpty()) {
      return negated ? "." : "(?!)"; // fnmatch: an empty negated set is any character, else none
    }
    return "[" + (negated ? "^" : "") + items + "]";
  }

  private static String literal(int c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
      return Character.toString(c);
    }
    return String.format("\\x{%x}", c);
  }
}
