package io.ambidex.processor;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Collects the lines of a generated file and lays them out once the names of types are known
 * (see {@link TypeRenderer}): two-space indentation, a 100-column limit, and the wrapping of
 * google-java-format for calls and signatures that do not fit (arguments on one continuation line,
 * or one per line).
 */
final class JavaWriter {
  private static final int LIMIT = 100;

  private sealed interface Item permits Line, Wrapped {}

  private record Line(int indent, String text) implements Item {}

  /* head ends with "(", tail starts with ")". */
  private record Wrapped(int indent, String head, List<String> arguments, String tail)
      implements Item {}

  private final List<Item> items = new ArrayList<>();
  private int indent;

  /** Writes one line at the current indentation; an empty text writes an empty line. */
  JavaWriter line(String text) {
    items.add(new Line(indent, text));
    return this;
  }

  /** Writes an empty line. */
  JavaWriter blank() {
    return line("");
  }

  /**
   * Writes {@code head + arguments + tail}, wrapped after {@code head} if it does not fit. The head
   * ends with an opening parenthesis and the tail starts with the closing one.
   */
  JavaWriter wrapped(String head, List<String> arguments, String tail) {
    items.add(new Wrapped(indent, head, List.copyOf(arguments), tail));
    return this;
  }

  /**
   * Writes a Javadoc comment, on one line when it is one short line (as google-java-format does);
   * does nothing for no lines.
   */
  JavaWriter javadoc(List<String> lines) {
    if (lines.isEmpty()) {
      return this;
    }
    if (lines.size() == 1 && 2 * indent + lines.get(0).length() + 7 <= LIMIT
        && !lines.get(0).startsWith("@")) {
      return line("/** " + lines.get(0) + " */");
    }
    line("/**");
    for (String text : lines) {
      line(text.isEmpty() ? " *" : " * " + text);
    }
    return line(" */");
  }

  JavaWriter indent() {
    indent++;
    return this;
  }

  JavaWriter outdent() {
    indent--;
    return this;
  }

  /** Lays everything out, resolving the names of types in code (not in comments). */
  String layout(UnaryOperator<String> resolve) {
    StringBuilder out = new StringBuilder();
    for (Item item : items) {
      switch (item) {
        case Line line -> {
          String text = resolve.apply(line.text());
          if (!text.isEmpty()) {
            out.append("  ".repeat(line.indent())).append(text);
          }
          out.append('\n');
        }
        case Wrapped wrapped -> layout(wrapped, resolve, out);
      }
    }
    return out.toString();
  }

  private static void layout(Wrapped item, UnaryOperator<String> resolve, StringBuilder out) {
    String margin = "  ".repeat(item.indent());
    String continuation = margin + "    ";
    String head = resolve.apply(item.head());
    String tail = resolve.apply(item.tail());
    List<String> arguments = item.arguments().stream().map(resolve).toList();
    String joined = String.join(", ", arguments);
    String oneLine = margin + head + joined + tail;
    if (oneLine.length() <= LIMIT || arguments.isEmpty()) {
      out.append(oneLine).append('\n');
      return;
    }
    out.append(margin).append(head).append('\n');
    String argumentsLine = continuation + joined + tail;
    if (argumentsLine.length() <= LIMIT) {
      out.append(argumentsLine).append('\n');
      return;
    }
    for (int i = 0; i < arguments.size(); i++) {
      boolean last = i == arguments.size() - 1;
      argument(continuation, arguments.get(i), last ? tail : ",", out);
    }
  }

  /*
   * Writes one argument of a wrapped call on its own line. An argument that is itself a call and
   * does not fit (the core call inside a bridge's call, with an adapted lambda) is wrapped the same
   * way, one level deeper. Only white space changes, so the code is the same however it breaks.
   */
  private static void argument(String margin, String argument, String end, StringBuilder out) {
    String line = margin + argument + end;
    int open = line.length() <= LIMIT ? -1 : callOpening(argument);
    if (open < 0) {
      out.append(line).append('\n');
      return;
    }
    out.append(margin).append(argument, 0, open + 1).append('\n');
    String deeper = margin + "    ";
    List<String> inner = topLevelArguments(argument.substring(open + 1, argument.length() - 1));
    String innerLine = deeper + String.join(", ", inner) + ")" + end;
    if (innerLine.length() <= LIMIT) {
      out.append(innerLine).append('\n');
      return;
    }
    for (int i = 0; i < inner.size(); i++) {
      boolean last = i == inner.size() - 1;
      argument(deeper, inner.get(i), last ? ")" + end : ",", out);
    }
  }

  /*
   * The index of the first "(" of {@code code} outside literals if its matching ")" ends the code
   * and encloses something, else -1.
   */
  private static int callOpening(String code) {
    int depth = 0;
    int open = -1;
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '"' || c == '\'') {
        i = literalEnd(code, i);
      } else if (c == '(') {
        if (depth++ == 0 && open < 0) {
          open = i;
        }
      } else if (c == ')' && --depth == 0) {
        return i == code.length() - 1 && i > open + 1 ? open : -1;
      }
    }
    return -1;
  }

  /* Splits an argument list at its commas outside parentheses, brackets, braces and literals. */
  private static List<String> topLevelArguments(String code) {
    List<String> arguments = new ArrayList<>();
    int depth = 0;
    int start = 0;
    for (int i = 0; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '"' || c == '\'') {
        i = literalEnd(code, i);
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (c == ',' && depth == 0) {
        arguments.add(code.substring(start, i).trim());
        start = i + 1;
      }
    }
    arguments.add(code.substring(start).trim());
    return arguments;
  }

  /* The index of the quote that closes the string or char literal opened at {@code open}. */
  private static int literalEnd(String code, int open) {
    char quote = code.charAt(open);
    for (int i = open + 1; i < code.length(); i++) {
      char c = code.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == quote) {
        return i;
      }
    }
    return code.length() - 1;
  }
}
