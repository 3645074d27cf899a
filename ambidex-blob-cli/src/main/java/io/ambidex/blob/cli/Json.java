package io.ambidex.blob.cli;

import java.util.Locale;
import java.util.Map;

/** The few JSON shapes {@code --json} prints: flat objects of strings, numbers and booleans. */
final class Json {
  private Json() {}

  /** An object from alternating names and values (String, Number, Boolean, Map, or null). */
  static String object(Object... namesAndValues) {
    if (namesAndValues.length % 2 != 0) {
      throw new IllegalArgumentException("Json.object takes name, value pairs");
    }
    StringBuilder s = new StringBuilder("{");
    for (int i = 0; i < namesAndValues.length; i += 2) {
      if (i > 0) {
        s.append(',');
      }
      string(s, (String) namesAndValues[i]);
      s.append(':');
      value(s, namesAndValues[i + 1]);
    }
    return s.append('}').toString();
  }

  private static void value(StringBuilder s, Object v) {
    if (v == null) {
      s.append("null");
    } else if (v instanceof Number || v instanceof Boolean) {
      s.append(v);
    } else if (v instanceof Map<?, ?> m) {
      s.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) {
          s.append(',');
        }
        first = false;
        string(s, String.valueOf(e.getKey()));
        s.append(':');
        value(s, e.getValue());
      }
      s.append('}');
    } else {
      string(s, v.toString());
    }
  }

  private static void string(StringBuilder s, String v) {
    s.append('"');
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> s.append("\\\"");
        case '\\' -> s.append("\\\\");
        case '\n' -> s.append("\\n");
        case '\r' -> s.append("\\r");
        case '\t' -> s.append("\\t");
        default -> {
          if (c < 0x20) {
            s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            s.append(c);
          }
        }
      }
    }
    s.append('"');
  }
}
