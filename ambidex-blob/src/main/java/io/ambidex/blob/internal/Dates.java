package io.ambidex.blob.internal;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import org.jspecify.annotations.Nullable;

/**
 * The three date forms S3 traffic carries, read and written without {@link DateTimeFormatter} on
 * the common path: listings' ISO-8601 times ({@code 2026-12-03T18:00:00.000Z}), the RFC 1123
 * {@code Last-Modified} header ({@code Thu, 03 Dec 2026 18:00:00 GMT}) and SigV4's {@code
 * x-amz-date} ({@code 20261203T180000Z}). A formatter costs microseconds per call; a tool that
 * lists or downloads ten thousand objects parses ten thousand of each (about a tenth of its
 * request threads' samples). Anything other than the exact common form falls back to the JDK's
 * parser, so what is accepted, and the result, are the JDK's. Stateless. Not API.
 */
public final class Dates {
  private static final String[] DAYS = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
  private static final String[] MONTHS = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
  };

  private Dates() {}

  /**
   * Parses an ISO-8601 instant as {@link Instant#parse} does.
   *
   * @param s the text, e.g. {@code 2026-12-03T18:00:00.000Z}; surrounding blanks are ignored
   * @return the instant, or null for null, blank or unparseable text
   */
  public static @Nullable Instant iso(@Nullable String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    String t = s.strip();
    Instant fast = isoFast(t);
    if (fast != null) {
      return fast;
    }
    try {
      return Instant.parse(t);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Parses an RFC 1123 date as {@link DateTimeFormatter#RFC_1123_DATE_TIME} does.
   *
   * @param s the text, e.g. {@code Thu, 03 Dec 2026 18:00:00 GMT}; surrounding blanks are ignored
   * @return the instant, or null for null, blank or unparseable text
   */
  public static @Nullable Instant rfc1123(@Nullable String s) {
    if (s == null || s.isBlank()) {
      return null;
    }
    String t = s.strip();
    Instant fast = rfc1123Fast(t);
    if (fast != null) {
      return fast;
    }
    try {
      return ZonedDateTime.parse(t, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * Formats an instant as SigV4's {@code x-amz-date}, {@code yyyyMMdd'T'HHmmss'Z'} in UTC.
   *
   * @param instant the instant, in years 0 to 9999
   * @return the text
   */
  public static String amzDate(Instant instant) {
    long seconds = instant.getEpochSecond();
    long day = Math.floorDiv(seconds, 86_400);
    int second = Math.floorMod(seconds, 86_400);
    LocalDate date = LocalDate.ofEpochDay(day);
    int year = date.getYear();
    if (year < 0 || year > 9999) {
      throw new DateTimeException("x-amz-date needs a four-digit year: " + instant);
    }
    char[] out = new char[16];
    digits(out, 0, year, 4);
    digits(out, 4, date.getMonthValue(), 2);
    digits(out, 6, date.getDayOfMonth(), 2);
    out[8] = 'T';
    digits(out, 9, second / 3600, 2);
    digits(out, 11, second / 60 % 60, 2);
    digits(out, 13, second % 60, 2);
    out[15] = 'Z';
    return new String(out);
  }

  /* yyyy-MM-ddTHH:mm:ss[.fraction]Z, the form S3 and its imitators send; null for anything else. */
  static @Nullable Instant isoFast(String t) {
    int n = t.length();
    if (n < 20 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
        || t.charAt(13) != ':' || t.charAt(16) != ':' || t.charAt(n - 1) != 'Z') {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      int digits = n - 21; // between '.' and 'Z'
      if (t.charAt(19) != '.' || digits < 1 || digits > 9) {
        return null;
      }
      int f = number(t, 20, digits);
      if (f < 0) {
        return null;
      }
      for (int i = digits; i < 9; i++) {
        f *= 10;
      }
      nanos = f;
    }
    return of(number(t, 0, 4), number(t, 5, 2), number(t, 8, 2), number(t, 11, 2),
        number(t, 14, 2), number(t, 17, 2), nanos);
  }

  /* EEE, d[d] MMM yyyy HH:mm:ss GMT; null for anything else. */
  static @Nullable Instant rfc1123Fast(String t) {
    int o = t.length() - 29; // 0 for a two-digit day, -1 for a one-digit one
    if ((o != 0 && o != -1) || t.charAt(3) != ',' || t.charAt(4) != ' ' || t.charAt(7 + o) != ' '
        || t.charAt(11 + o) != ' ' || t.charAt(16 + o) != ' ' || t.charAt(19 + o) != ':'
        || t.charAt(22 + o) != ':' || !t.endsWith(" GMT")) {
      return null;
    }
    int month = -1;
    for (int i = 0; i < 12; i++) {
      if (t.regionMatches(8 + o, MONTHS[i], 0, 3)) {
        month = i + 1;
        break;
      }
    }
    if (month < 0) {
      return null;
    }
    Instant instant = of(number(t, 12 + o, 4), month, number(t, 5, 2 + o), number(t, 17 + o, 2),
        number(t, 20 + o, 2), number(t, 23 + o, 2), 0);
    if (instant == null) {
      return null;
    }
    // The day name must be the date's, as the JDK's formatter checks: leave a mismatch to it.
    // Day 0 of the epoch, 1970-01-01, was a Thursday (index 3).
    String day = DAYS[Math.floorMod(Math.floorDiv(instant.getEpochSecond(), 86_400) + 3, 7)];
    return t.regionMatches(0, day, 0, 3) ? instant : null;
  }

  private static @Nullable Instant of(
      int year, int month, int day, int hour, int minute, int second, int nanos) {
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23
        || minute < 0 || minute > 59 || second < 0 || second > 59) {
      return null; // 24:00 and leap seconds are the JDK parser's business
    }
    try {
      long epochDay = LocalDate.of(year, month, day).toEpochDay();
      return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3600L + minute * 60L + second, nanos);
    } catch (DateTimeException e) {
      return null; // 31 February: let the JDK's parser give its answer
    }
  }

  /* The value of `count` ASCII digits at `from`, or -1. */
  private static int number(String t, int from, int count) {
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private static void digits(char[] out, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      out[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}
