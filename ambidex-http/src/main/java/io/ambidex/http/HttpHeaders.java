package io.ambidex.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Immutable HTTP header fields: names are case-insensitive (stored in lower case), each name has
 * one or more values in the order they were added, and names keep the order of their first
 * appearance.
 */
public final class HttpHeaders {
  private static final HttpHeaders EMPTY = new HttpHeaders(Map.of());

  private final Map<String, List<String>> map;

  private HttpHeaders(Map<String, List<String>> map) {
    this.map = map;
  }

  /** Returns headers with no fields. */
  public static HttpHeaders empty() {
    return EMPTY;
  }

  /**
   * Returns headers holding the given fields, validated as {@link HttpRequest.Builder#header}
   * validates them.
   *
   * @param fields names to their values
   * @return the headers
   * @throws IllegalArgumentException if a name or value is malformed
   */
  public static HttpHeaders of(Map<String, ? extends List<String>> fields) {
    Objects.requireNonNull(fields, "fields");
    Builder b = new Builder();
    fields.forEach((name, values) -> values.forEach(v -> b.add(name, v)));
    return b.build();
  }

  /** Returns the first value of {@code name}, if present. */
  public Optional<String> firstValue(String name) {
    List<String> values = map.get(key(name));
    return values == null ? Optional.empty() : Optional.of(values.get(0));
  }

  /**
   * Returns the first value of {@code name} as a non-negative decimal number, if present.
   *
   * @throws NumberFormatException if the value is present but not a non-negative number
   */
  public OptionalLong firstValueAsLong(String name) {
    Optional<String> v = firstValue(name);
    if (v.isEmpty()) {
      return OptionalLong.empty();
    }
    long n = Long.parseLong(v.get().trim());
    if (n < 0) {
      throw new NumberFormatException("header " + name + " must not be negative, but was " + n);
    }
    return OptionalLong.of(n);
  }

  /** Returns every value of {@code name}, in order; an empty list if absent. */
  public List<String> allValues(String name) {
    List<String> values = map.get(key(name));
    return values == null ? List.of() : values;
  }

  /** Returns true if {@code name} has at least one value. */
  public boolean contains(String name) {
    return map.containsKey(key(name));
  }

  /** Returns an unmodifiable view: lower-case names, in order, to their values. */
  public Map<String, List<String>> map() {
    return map;
  }

  /** Returns true if there are no fields. */
  public boolean isEmpty() {
    return map.isEmpty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof HttpHeaders h && h.map.equals(map);
  }

  @Override
  public int hashCode() {
    return map.hashCode();
  }

  @Override
  public String toString() {
    return "HttpHeaders" + map;
  }

  Builder toBuilder() {
    Builder b = new Builder();
    map.forEach((k, v) -> b.fields.put(k, new ArrayList<>(v)));
    return b;
  }

  private static String key(String name) {
    return Objects.requireNonNull(name, "name").toLowerCase(Locale.ROOT);
  }

  /** Validates a header name: an RFC 9110 token. */
  static String checkName(String name) {
    Objects.requireNonNull(name, "header name");
    if (name.isEmpty()) {
      throw new IllegalArgumentException("A header name must not be empty.");
    }
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean token =
          (c >= 'a' && c <= 'z')
              || (c >= 'A' && c <= 'Z')
              || (c >= '0' && c <= '9')
              || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
      if (!token) {
        throw new IllegalArgumentException(
            "Header name '" + printable(name) + "' contains the character "
                + describe(c) + " at index " + i + ", which is not allowed in a header name.");
      }
    }
    return name;
  }

  /** Validates a header value: no CR, LF or other control character except tab. */
  static String checkValue(String name, String value) {
    Objects.requireNonNull(value, () -> "value of header " + name);
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if ((c < 0x20 && c != '\t') || c == 0x7f || c > 0xff) {
        throw new IllegalArgumentException(
            "The value of header '" + name + "' contains " + describe(c) + " at index " + i
                + "; header values must be visible ISO-8859-1 characters, spaces or tabs"
                + " (a CR or LF would let it inject other headers).");
      }
    }
    return value.strip();
  }

  private static String describe(char c) {
    return c < 0x20 || c == 0x7f ? String.format("the control character U+%04X", (int) c)
        : "'" + c + "' (U+" + String.format("%04X", (int) c) + ")";
  }

  private static String printable(String s) {
    StringBuilder b = new StringBuilder();
    for (char c : s.toCharArray()) {
      b.append(c < 0x20 || c == 0x7f ? '?' : c);
    }
    return b.toString();
  }

  /** Mutable accumulator used by the request builder and the transports. */
  static final class Builder {
    final LinkedHashMap<String, List<String>> fields = new LinkedHashMap<>();

    Builder add(String name, String value) {
      checkName(name);
      String v = checkValue(name, value);
      fields.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(v);
      return this;
    }

    Builder set(String name, String value) {
      checkName(name);
      String v = checkValue(name, value);
      List<String> values = new ArrayList<>(1);
      values.add(v);
      fields.put(name.toLowerCase(Locale.ROOT), values);
      return this;
    }

    Builder remove(String name) {
      fields.remove(key(name));
      return this;
    }

    /** Adds a field received from the network: not validated, since it is not ours to reject. */
    Builder addReceived(String name, String value) {
      fields.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>(1)).add(value);
      return this;
    }

    HttpHeaders build() {
      if (fields.isEmpty()) {
        return EMPTY;
      }
      LinkedHashMap<String, List<String>> copy = new LinkedHashMap<>();
      fields.forEach((k, v) -> copy.put(k, List.copyOf(v)));
      return new HttpHeaders(Collections.unmodifiableMap(copy));
    }
  }
}
