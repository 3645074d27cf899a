package io.ambidex.blob.internal;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A scanner for the common shape of a ListObjectsV2 result, which {@link S3Xml#listPage} tries
 * before the JDK's StAX parser: in a short-lived JVM (the {@code blob} tool) StAX's first
 * document costs about 200 ms of class loading and each page of a listing runs a large amount of
 * not yet compiled code, a third of a no-change {@code sync} of ten thousand files.
 *
 * <p>It reads a strict subset of XML 1.0 (elements with attributes, text with the predefined and
 * numeric character references, an XML declaration) and gives up, returning null, on anything
 * else: comments, processing instructions, CDATA, a DOCTYPE, prefixed or non-ASCII element names,
 * carriage returns (which XML normalizes), characters XML forbids, mismatched tags, text mixed
 * into {@code IsTruncated}, {@code NextContinuationToken} or {@code EncodingType}. The caller then parses the same text
 * with StAX, so a document either yields what StAX would have delivered to {@link S3Xml}'s
 * reader, event for event, or is read by StAX itself (with its errors); {@code ListingScannerTest}
 * compares the two over mutated documents. Not API.
 */
final class ListingScanner {
  /** What {@code S3Xml.listPage} reacts to, in document order. */
  enum Kind {
    CONTENTS,
    COMMON_PREFIXES,
    IS_TRUNCATED,
    NEXT_CONTINUATION_TOKEN,
    ENCODING_TYPE
  }

  /**
   * One element {@code listPage} reads.
   *
   * @param kind which
   * @param fields for {@code Contents} and {@code CommonPrefixes}: each child element's text (all
   *     the text inside it), the first child of a name winning; else null
   * @param text for the other two: the element's text; else null
   */
  record Event(Kind kind, @Nullable Map<String, String> fields, @Nullable String text) {}

  /* version 1.0, then optionally encoding UTF-8 and standalone, in XML's order. */
  private static final Pattern DECLARATION =
      Pattern.compile(
          "<\\?xml[ \\t\\n]+version[ \\t\\n]*=[ \\t\\n]*(\"1\\.0\"|'1\\.0')"
              + "([ \\t\\n]+encoding[ \\t\\n]*=[ \\t\\n]*(\"[Uu][Tt][Ff]-8\"|'[Uu][Tt][Ff]-8'))?"
              + "([ \\t\\n]+standalone[ \\t\\n]*=[ \\t\\n]*(\"(yes|no)\"|'(yes|no)'))?"
              + "[ \\t\\n]*\\?>");

  /* Thrown to give up; no stack trace, it is control flow. */
  private static final class GiveUp extends RuntimeException {
    private static final long serialVersionUID = 1L;

    GiveUp() {
      super(null, null, false, false);
    }
  }

  private static final GiveUp GIVE_UP = new GiveUp();

  private final String s;
  private int pos;
  private final List<Event> events = new ArrayList<>();
  private final ArrayDeque<String> open = new ArrayDeque<>();

  /* The Contents or CommonPrefixes element being read: its depth (open.size() inside it). */
  private int captureDepth = -1;
  private @Nullable Kind captureKind;
  private @Nullable Map<String, String> fields;
  private @Nullable String childName;
  private @Nullable StringBuilder childText;

  /* An IsTruncated, NextContinuationToken or EncodingType being read: its text so far. */
  private @Nullable Kind textKind;
  private @Nullable StringBuilder elementText;

  private ListingScanner(String s) {
    this.s = s;
  }

  /**
   * Returns the events of {@code text}, a whole decoded document, or null if it is not in the
   * subset this scanner reads.
   */
  static @Nullable List<Event> scan(String text) {
    try {
      ListingScanner scanner = new ListingScanner(text);
      scanner.document();
      return scanner.events;
    } catch (GiveUp | StringIndexOutOfBoundsException e) {
      return null;
    }
  }

  private void document() {
    checkCharacters();
    if (s.startsWith("<?xml")) {
      int end = s.indexOf("?>");
      if (end < 0 || !DECLARATION.matcher(s.substring(0, end + 2)).matches()) {
        throw GIVE_UP;
      }
      pos = end + 2;
    }
    skipWhitespace();
    if (pos >= s.length() || s.charAt(pos) != '<') {
      throw GIVE_UP;
    }
    element();
    skipWhitespace();
    if (pos != s.length()) {
      throw GIVE_UP;
    }
  }

  /* XML's Char production, less what this scanner leaves to StAX: CR and U+FFFE, U+FFFF. */
  private void checkCharacters() {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if ((c < 0x20 && c != '\t' && c != '\n') || c == '\uFFFE' || c == '\uFFFF') {
        throw GIVE_UP;
      }
    }
  }

  /* The root element and everything in it; starts at its '<'. */
  private void element() {
    do {
      if (s.charAt(pos) == '<') {
        char next = s.charAt(pos + 1);
        if (next == '/') {
          endTag();
        } else if (next == '!' || next == '?') {
          throw GIVE_UP;
        } else {
          startTag();
        }
      } else {
        text();
      }
    } while (!open.isEmpty());
  }

  private void startTag() {
    pos++; // '<'
    String name = name(false);
    Set<String> attributes = null;
    boolean empty;
    while (true) {
      int before = pos;
      skipWhitespace();
      char c = s.charAt(pos);
      if (c == '>') {
        pos++;
        empty = false;
        break;
      }
      if (c == '/') {
        if (s.charAt(pos + 1) != '>') {
          throw GIVE_UP;
        }
        pos += 2;
        empty = true;
        break;
      }
      if (pos == before) {
        throw GIVE_UP; // an attribute must follow whitespace
      }
      String attribute = name(true);
      if (attributes == null) {
        attributes = new HashSet<>();
      }
      if (!attributes.add(attribute)) {
        throw GIVE_UP;
      }
      skipWhitespace();
      if (s.charAt(pos++) != '=') {
        throw GIVE_UP;
      }
      skipWhitespace();
      char quote = s.charAt(pos++);
      if (quote != '"' && quote != '\'') {
        throw GIVE_UP;
      }
      int end = s.indexOf(quote, pos);
      if (end < 0) {
        throw GIVE_UP;
      }
      String value = s.substring(pos, end);
      if (value.indexOf('<') >= 0) {
        throw GIVE_UP;
      }
      decode(value, null); // only checks its references
      pos = end + 1;
    }
    opened(name);
    if (empty) {
      closed();
    }
  }

  private void endTag() {
    pos += 2; // "</"
    String expected = open.peek();
    int start = pos;
    ncName(); // compared in place: no string made for an end tag
    if (expected == null
        || pos - start != expected.length()
        || !s.regionMatches(start, expected, 0, expected.length())) {
      throw GIVE_UP;
    }
    skipWhitespace();
    if (s.charAt(pos++) != '>') {
      throw GIVE_UP;
    }
    closed();
  }

  private void text() {
    int end = s.indexOf('<', pos);
    if (end < 0) {
      throw GIVE_UP;
    }
    int start = pos;
    pos = end;
    StringBuilder target =
        elementText != null
            ? elementText
            : captureDepth >= 0 && open.size() > captureDepth ? childText : null;
    for (int i = start; i < end; i++) {
      char c = s.charAt(i);
      if (c == '&') { // the rarer text with references
        if (target != null) {
          target.append(s, start, i);
        }
        decode(s.substring(i, end), target);
        return;
      }
      if (c == '>' && i >= start + 2 && s.charAt(i - 1) == ']' && s.charAt(i - 2) == ']') {
        throw GIVE_UP; // "]]>" may not appear in text
      }
    }
    if (target != null) {
      target.append(s, start, end);
    }
  }

  /* An element has started (it is pushed): what listPage's reader would do with it. */
  private void opened(String name) {
    if (elementText != null) {
      throw GIVE_UP; // StAX's getElementText() refuses an element inside
    }
    open.push(name);
    int depth = open.size();
    if (captureDepth >= 0) {
      if (depth == captureDepth + 1) {
        childName = name;
        childText = new StringBuilder();
      }
      return;
    }
    switch (name) {
      case "Contents" -> startCapture(Kind.CONTENTS, depth);
      case "CommonPrefixes" -> startCapture(Kind.COMMON_PREFIXES, depth);
      case "IsTruncated" -> startText(Kind.IS_TRUNCATED);
      case "NextContinuationToken" -> startText(Kind.NEXT_CONTINUATION_TOKEN);
      case "EncodingType" -> startText(Kind.ENCODING_TYPE);
      default -> {}
    }
  }

  private void startCapture(Kind kind, int depth) {
    captureKind = kind;
    captureDepth = depth;
    fields = new HashMap<>();
  }

  private void startText(Kind kind) {
    textKind = kind;
    elementText = new StringBuilder();
  }

  /* The innermost open element has ended. */
  private void closed() {
    int depth = open.size();
    open.pop();
    if (elementText != null) {
      events.add(new Event(textKind, null, elementText.toString()));
      elementText = null;
      textKind = null;
    } else if (captureDepth >= 0) {
      if (depth == captureDepth + 1) {
        fields.putIfAbsent(childName, childText.toString());
        childName = null;
        childText = null;
      } else if (depth == captureDepth) {
        events.add(new Event(captureKind, fields, null));
        captureDepth = -1;
        captureKind = null;
        fields = null;
      }
    }
  }

  /*
   * An ASCII XML name. An attribute's may be a qualified name, PREFIX:LOCAL, each part a name of
   * its own, as StAX checks even without namespaces (xmlns:s3="..."); an element's may not.
   */
  private String name(boolean attribute) {
    int start = pos;
    ncName();
    if (attribute && s.charAt(pos) == ':') {
      pos++;
      ncName();
    }
    return s.substring(start, pos);
  }

  private void ncName() {
    char first = s.charAt(pos);
    if (!(first >= 'A' && first <= 'Z' || first >= 'a' && first <= 'z' || first == '_')) {
      throw GIVE_UP;
    }
    pos++;
    while (true) {
      char c = s.charAt(pos);
      if (c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
          || c == '-' || c == '.') {
        pos++;
      } else {
        return;
      }
    }
  }

  private void skipWhitespace() {
    while (pos < s.length()) {
      char c = s.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n') {
        return;
      }
      pos++;
    }
  }

  /*
   * Resolves the references of `raw` into `out` (or only checks them when out is null); gives up
   * on "]]>", which text may not contain.
   */
  private static void decode(String raw, @Nullable StringBuilder out) {
    if (raw.contains("]]>")) {
      throw GIVE_UP;
    }
    int amp = raw.indexOf('&');
    if (amp < 0) {
      if (out != null) {
        out.append(raw);
      }
      return;
    }
    int from = 0;
    while (amp >= 0) {
      if (out != null) {
        out.append(raw, from, amp);
      }
      int semi = raw.indexOf(';', amp);
      if (semi < 0) {
        throw GIVE_UP;
      }
      String ref = raw.substring(amp + 1, semi);
      int cp =
          switch (ref) {
            case "lt" -> '<';
            case "gt" -> '>';
            case "amp" -> '&';
            case "quot" -> '"';
            case "apos" -> '\'';
            default -> characterReference(ref);
          };
      if (out != null) {
        out.appendCodePoint(cp);
      }
      from = semi + 1;
      amp = raw.indexOf('&', from);
    }
    if (out != null) {
      out.append(raw, from, raw.length());
    }
  }

  private static int characterReference(String ref) {
    int cp;
    try {
      if (ref.startsWith("#x")) {
        cp = parse(ref.substring(2), 16);
      } else if (ref.startsWith("#")) {
        cp = parse(ref.substring(1), 10);
      } else {
        throw GIVE_UP;
      }
    } catch (NumberFormatException e) {
      throw GIVE_UP;
    }
    boolean xmlChar =
        cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF)
            || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    if (!xmlChar) {
      throw GIVE_UP;
    }
    return cp;
  }

  /* Digits only (no sign), at most 8 of them: larger values are not characters anyway. */
  private static int parse(String digits, int radix) {
    if (digits.isEmpty() || digits.length() > 8) {
      throw GIVE_UP;
    }
    for (int i = 0; i < digits.length(); i++) {
      if (Character.digit(digits.charAt(i), radix) < 0 || digits.charAt(i) > 'f') {
        throw GIVE_UP;
      }
    }
    return Integer.parseInt(digits, radix);
  }
}
