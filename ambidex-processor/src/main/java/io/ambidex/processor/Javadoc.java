package io.ambidex.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A doc comment split into its description and its block tags, so that a facade can copy a core's
 * Javadoc and adapt its {@code @return}. Lines are kept as written, minus the margin common to
 * all of them; a block tag is a line starting with {@code @} outside {@code <pre>}.
 */
final class Javadoc {
  /** A block tag: its name without {@code @}, and its text lines. */
  record Tag(String name, List<String> lines) {
    String text() {
      return String.join("\n", lines);
    }

    /** For {@code @param} and {@code @throws}: the first word of the text. */
    String argument() {
      String first = lines.isEmpty() ? "" : lines.get(0).strip();
      int space = first.indexOf(' ');
      return space < 0 ? first : first.substring(0, space);
    }

    /** The text after {@link #argument()}. */
    String afterArgument() {
      String text = text().strip();
      int space = text.indexOf(' ');
      return space < 0 ? "" : text.substring(space + 1).strip();
    }
  }

  /* Generated tag text is wrapped to fit a method's doc comment within 100 columns. */
  private static final int TAG_WIDTH = 91;

  private static final Pattern TAG = Pattern.compile("@([a-zA-Z]+)(?:\\s+(.*))?");

  /*
   * "a stage that completes with X", "a future which is completed with X",
   * "a {@code CompletionStage} of X" ... : the async phrasing of a result, whose X is the result
   * itself as a blocking method returns it.
   */
  private static final Pattern ASYNC_RESULT =
      Pattern.compile(
          "(?is)(?:a|an|the)\\s+(?:\\{@(?:code|link|linkplain)\\s+[^}]*}|completion\\s*stage|stage"
              + "|future|callfuture)\\s+(?:(?:that|which)\\s+(?:completes|is\\s+completed|will"
              + "\\s+complete)\\s+(?:normally\\s+)?with|of|for|holding|with)\\s+(.+)");

  private final List<String> description;
  private final List<Tag> tags;

  private Javadoc(List<String> description, List<Tag> tags) {
    this.description = description;
    this.tags = tags;
  }

  /** Parses the text returned by {@code Elements.getDocComment}, or null for no comment. */
  static Javadoc parse(String comment) {
    List<String> description = new ArrayList<>();
    List<Tag> tags = new ArrayList<>();
    if (comment == null || comment.isBlank()) {
      return new Javadoc(description, tags);
    }
    List<String> lines = new ArrayList<>(List.of(comment.stripTrailing().split("\n", -1)));
    int margin = Integer.MAX_VALUE;
    for (String line : lines) {
      if (!line.isBlank()) {
        margin = Math.min(margin, line.length() - line.stripLeading().length());
      }
    }
    boolean inPre = false;
    List<String> current = null;
    for (String raw : lines) {
      String line = raw.isBlank() ? "" : raw.substring(Math.min(margin, raw.length())).stripTrailing();
      String lower = line.toLowerCase(Locale.ROOT);
      Matcher tag = TAG.matcher(line.strip());
      if (!inPre && line.startsWith("@") && tag.matches()) {
        current = new ArrayList<>();
        String rest = tag.group(2);
        current.add(rest == null ? "" : rest.strip());
        tags.add(new Tag(tag.group(1), current));
      } else if (current != null) {
        current.add(line.strip());
      } else {
        description.add(line);
      }
      if (lower.contains("<pre")) {
        inPre = true;
      }
      if (lower.contains("</pre")) {
        inPre = false;
      }
    }
    trimTrailingBlanks(description);
    for (Tag tag : tags) {
      trimTrailingBlanks(tag.lines());
    }
    return new Javadoc(description, tags);
  }

  static Javadoc of(List<String> description) {
    return new Javadoc(new ArrayList<>(description), new ArrayList<>());
  }

  boolean isEmpty() {
    return description.isEmpty() && tags.isEmpty();
  }

  List<String> description() {
    return description;
  }

  List<Tag> tags() {
    return tags;
  }

  /** Returns the text of the first tag of that name, or null. */
  String tag(String name) {
    for (Tag tag : tags) {
      if (tag.name().equals(name)) {
        return tag.text();
      }
    }
    return null;
  }

  /** Returns a copy without the tags of that name. */
  Javadoc without(String name) {
    List<Tag> kept = new ArrayList<>();
    for (Tag tag : tags) {
      if (!tag.name().equals(name)) {
        kept.add(tag);
      }
    }
    return new Javadoc(new ArrayList<>(description), kept);
  }

  /**
   * Returns a copy whose {@code @return} says {@code text}: replaced where it was, or added after
   * the {@code @param} tags.
   */
  Javadoc withReturn(String text) {
    List<Tag> result = new ArrayList<>();
    List<String> wrapped = wrap("@return " + text, TAG_WIDTH, "", "");
    List<String> tagLines = new ArrayList<>();
    tagLines.add(wrapped.get(0).substring("@return".length()).strip());
    tagLines.addAll(wrapped.subList(1, wrapped.size()));
    Tag replacement = new Tag("return", tagLines);
    boolean placed = false;
    for (Tag tag : tags) {
      if (tag.name().equals("return")) {
        if (!placed) {
          result.add(replacement);
          placed = true;
        }
      } else {
        if (!placed && !tag.name().equals("param")) {
          result.add(replacement);
          placed = true;
        }
        result.add(tag);
      }
    }
    if (!placed) {
      result.add(replacement);
    }
    return new Javadoc(new ArrayList<>(description), result);
  }

  /** Returns a copy with one more paragraph at the end of the description. */
  Javadoc withParagraph(String paragraph) {
    List<String> lines = new ArrayList<>(description);
    if (!lines.isEmpty()) {
      lines.add("");
      lines.addAll(wrap("<p>" + paragraph, TAG_WIDTH + 4, "", ""));
    } else {
      lines.addAll(wrap(paragraph, TAG_WIDTH + 4, "", ""));
    }
    return new Javadoc(lines, new ArrayList<>(tags));
  }

  /** Returns a copy with {@code tag} added at the end. */
  Javadoc withTag(String name, String text) {
    List<Tag> result = new ArrayList<>(tags);
    result.add(new Tag(name, List.of(text.split("\n", -1))));
    return new Javadoc(new ArrayList<>(description), result);
  }

  /** Returns a copy keeping only the tags the predicate accepts. */
  Javadoc filterTags(java.util.function.Predicate<Tag> keep) {
    List<Tag> kept = new ArrayList<>();
    for (Tag tag : tags) {
      if (keep.test(tag)) {
        kept.add(tag);
      }
    }
    return new Javadoc(new ArrayList<>(description), kept);
  }

  /** The lines of the comment, without the {@code /**} and {@code *}{@code /} delimiters. */
  List<String> lines() {
    List<String> out = new ArrayList<>(description);
    if (!tags.isEmpty() && !out.isEmpty()) {
      out.add("");
    }
    for (Tag tag : tags) {
      List<String> text = tag.lines();
      String first = text.isEmpty() ? "" : text.get(0);
      out.add(("@" + tag.name() + " " + first).stripTrailing());
      for (int i = 1; i < text.size(); i++) {
        out.add(text.get(i).isEmpty() ? "" : "    " + text.get(i));
      }
    }
    return out;
  }

  /**
   * If {@code returnText} phrases an async result ("a stage that completes with the value"),
   * returns the result itself ("the value"); otherwise null.
   */
  static String unwrapAsyncResult(String returnText) {
    Matcher matcher = ASYNC_RESULT.matcher(returnText.strip());
    return matcher.matches() ? matcher.group(1).strip() : null;
  }

  /**
   * What a comment without {@code @return} says its method returns: the rest of a first sentence
   * "Returns X." (as the javadoc tool reads it), or {@code otherwise}.
   */
  static String impliedResult(Javadoc doc, String otherwise) {
    String text = String.join(" ", doc.description()).strip();
    if (!text.startsWith("Returns ")) {
      return otherwise;
    }
    int end = text.indexOf(". ");
    String sentence = end < 0 ? text : text.substring(0, end + 1);
    if (sentence.endsWith(".")) {
      sentence = sentence.substring(0, sentence.length() - 1);
    }
    return sentence.substring("Returns ".length()).strip();
  }

  /** Lower-cases the first letter of a phrase that starts a sentence ("The value" to "the value"). */
  static String decapitalize(String phrase) {
    if (phrase.length() > 1
        && Character.isUpperCase(phrase.charAt(0))
        && Character.isLowerCase(phrase.charAt(1))) {
      return Character.toLowerCase(phrase.charAt(0)) + phrase.substring(1);
    }
    return phrase;
  }

  /**
   * Word-wraps generated text to {@code width} columns (indents included); words longer than a
   * line stay whole.
   */
  static List<String> wrap(String text, int width, String firstIndent, String restIndent) {
    List<String> lines = new ArrayList<>();
    StringBuilder line = new StringBuilder(firstIndent);
    boolean empty = true;
    for (String word : text.strip().split("\\s+")) {
      if (!empty && line.length() + 1 + word.length() > width) {
        lines.add(line.toString());
        line = new StringBuilder(restIndent);
        empty = true;
      }
      if (!empty) {
        line.append(' ');
      }
      line.append(word);
      empty = false;
    }
    lines.add(line.toString());
    return lines;
  }

  private static void trimTrailingBlanks(List<String> lines) {
    while (!lines.isEmpty() && lines.get(lines.size() - 1).isBlank()) {
      lines.remove(lines.size() - 1);
    }
    while (!lines.isEmpty() && lines.get(0).isBlank()) {
      lines.remove(0);
    }
  }
}
