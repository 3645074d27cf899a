package io.ambidex.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A doc comment split into its description and its block tags, so that a facade can copy a core's
 * Javadoc and adapt its {@code @return}. Lines are kept as written, minus the margin common to
 * all of them; a block tag is a line starting with {@code @} outside {@code <pre>} and outside
 * inline tags (a snippet's or a code tag's lines may start with {@code @}).
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

  private static final String INLINE_RETURN = "{@return";

  private static final String INHERIT_DOC = "{@inheritDoc}";

  /*
   * "a stage that completes with X", "a future which is completed with X",
   * "a {@code CompletionStage} of X" ... : the async phrasing of a result, whose X is the result
   * itself as a blocking method returns it. A {@code {@code}} or {@code {@link}} counts only if
   * it names a stage or future type: "the {@link Blob} for the key" is a plain result.
   */
  private static final Pattern ASYNC_RESULT =
      Pattern.compile(
          "(?is)(?:a|an|the)\\s+(?:\\{@(?:code|link|linkplain)\\s+(?:[\\w.]+\\.)?(?:"
              + "CompletionStage|CompletableFuture|CallFuture|Future)\\b[^}]*}|completion\\s*stage"
              + "|completable\\s*future|stage|future|callfuture)\\s+(?:(?:that|which)\\s+"
              + "(?:completes|is\\s+completed|will\\s+complete)\\s+(?:normally\\s+)?with|of|for"
              + "|holding|with)\\s+(.+)");

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
    int inlineDepth = 0; // braces open in an inline tag such as {@snippet : or {@code
    List<String> current = null;
    for (String raw : lines) {
      String line = raw.isBlank() ? "" : raw.substring(Math.min(margin, raw.length())).stripTrailing();
      String lower = line.toLowerCase(Locale.ROOT);
      Matcher tag = TAG.matcher(line.strip());
      if (!inPre && inlineDepth == 0 && line.startsWith("@") && tag.matches()) {
        current = new ArrayList<>();
        String rest = tag.group(2);
        current.add(rest == null ? "" : rest.strip());
        tags.add(new Tag(tag.group(1), current));
      } else if (current != null) {
        current.add(line.strip());
      } else {
        description.add(line);
      }
      inlineDepth = inlineDepthAfter(line, inlineDepth);
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

  /**
   * The text of an inline {@code {@return ...}} in the description (javadoc reads it as both the
   * first sentence and the {@code @return}), or null.
   */
  String inlineReturn() {
    String text = String.join("\n", description);
    int start = text.indexOf(INLINE_RETURN);
    if (start < 0) {
      return null;
    }
    int end = inlineTagEnd(text, start);
    return end < 0 ? null : text.substring(start + INLINE_RETURN.length(), end).strip();
  }

  /** Returns a copy whose inline {@code {@return ...}} says {@code text}. */
  Javadoc withInlineReturn(String text) {
    return replacingInlineReturn(INLINE_RETURN + " " + text + "}");
  }

  /**
   * Returns a copy whose inline {@code {@return ...}} is replaced by {@code sentence}, for a
   * method that returns nothing.
   */
  Javadoc withoutInlineReturn(String sentence) {
    return replacingInlineReturn(sentence);
  }

  private Javadoc replacingInlineReturn(String replacement) {
    String joined = String.join("\n", description);
    int start = joined.indexOf(INLINE_RETURN);
    int end = start < 0 ? -1 : inlineTagEnd(joined, start);
    if (end < 0) {
      return this;
    }
    String replaced = joined.substring(0, start) + replacement + joined.substring(end + 1);
    return new Javadoc(
        new ArrayList<>(List.of(replaced.split("\n", -1))), new ArrayList<>(tags));
  }

  /* The index of the brace closing the inline tag that starts at `start`, or -1. */
  private static int inlineTagEnd(String text, int start) {
    int depth = 0;
    for (int i = start; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }

  /** Whether the comment is missing or uses {@code {@inheritDoc}}, so that javadoc inherits. */
  boolean inherits() {
    return isEmpty() || String.join("\n", lines()).contains(INHERIT_DOC);
  }

  /**
   * Returns a copy with what javadoc would take from {@code parent}, the comment of the method
   * this one overrides: each {@code {@inheritDoc}} replaced by the matching part of the parent
   * (its description, or the text of the tag of the same kind and argument), a missing
   * description, {@code @return} or set of {@code @param} tags taken from the parent. {@code
   * parameterNames} maps the parent's parameter names to this method's, by position.
   */
  Javadoc inheritFrom(Javadoc parent, Map<String, String> parameterNames) {
    List<String> ownDescription = description.isEmpty() ? parent.description : description;
    String text =
        String.join("\n", ownDescription)
            .replace(INHERIT_DOC, String.join("\n", parent.description));
    List<String> inheritedDescription = new ArrayList<>(List.of(text.split("\n", -1)));
    trimTrailingBlanks(inheritedDescription);
    List<Tag> inheritedTags = new ArrayList<>();
    boolean hasParams = false;
    boolean hasReturn = inlineReturn() != null;
    for (Tag tag : tags) {
      hasParams |= tag.name().equals("param");
      hasReturn |= tag.name().equals("return");
      inheritedTags.add(
          tag.text().contains(INHERIT_DOC) ? inherit(tag, parent, parameterNames) : tag);
    }
    List<Tag> result = new ArrayList<>();
    if (!hasParams) {
      for (Tag tag : parent.tags) {
        if (tag.name().equals("param")) {
          String name = parameterNames.getOrDefault(tag.argument(), tag.argument());
          result.add(new Tag("param", List.of((name + " " + tag.afterArgument()).strip())));
        }
      }
    }
    result.addAll(inheritedTags);
    Javadoc inherited = new Javadoc(inheritedDescription, result);
    String parentReturn = parent.tag("return");
    return hasReturn || parentReturn == null ? inherited : inherited.withReturn(parentReturn);
  }

  /* The tag with {@inheritDoc} replaced by the text of the parent's matching tag. */
  private static Tag inherit(Tag tag, Javadoc parent, Map<String, String> parameterNames) {
    boolean hasArgument = !tag.name().equals("return");
    String replacement = "";
    for (Tag candidate : parent.tags) {
      if (!sameKind(candidate.name(), tag.name())) {
        continue;
      }
      if (!hasArgument) {
        replacement = candidate.text().strip();
        break;
      }
      String argument =
          tag.name().equals("param")
              ? parameterNames.getOrDefault(candidate.argument(), candidate.argument())
              : candidate.argument();
      if (argument.equals(tag.argument())) {
        replacement = candidate.afterArgument();
        break;
      }
    }
    String text = tag.text().replace(INHERIT_DOC, replacement);
    return new Tag(tag.name(), List.of(text.split("\n", -1)));
  }

  private static boolean sameKind(String one, String other) {
    boolean oneThrows = one.equals("throws") || one.equals("exception");
    boolean otherThrows = other.equals("throws") || other.equals("exception");
    return one.equals(other) || (oneThrows && otherThrows);
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

  /*
   * The depth of braces inside inline tags after `line`: an inline tag opens with "{@" and closes
   * with its balancing brace; braces outside inline tags are text.
   */
  private static int inlineDepthAfter(String line, int depth) {
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (depth == 0) {
        if (line.startsWith("{@", i)) {
          depth = 1;
          i++;
        }
      } else if (c == '{') {
        depth++;
      } else if (c == '}') {
        depth--;
      }
    }
    return depth;
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
