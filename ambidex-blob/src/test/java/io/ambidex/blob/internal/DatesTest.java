package io.ambidex.blob.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The fast paths give the JDK's answer, for every instant and every malformed text tried. */
class DatesTest {
  private static final DateTimeFormatter AMZ =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  @Test
  void randomInstants_parseAndFormatAsTheJdkDoes() {
    Random random = new Random(20261203);
    for (int i = 0; i < 50_000; i++) {
      // Years 1 to 9999, any second, any nanosecond.
      long seconds = -62_135_596_800L + (long) (random.nextDouble() * 315_537_897_599L);
      Instant instant = Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000));
      String iso = instant.toString();
      assertThat(Dates.iso(iso)).as(iso).isEqualTo(Instant.parse(iso));
      String millis =
          DateTimeFormatter.ISO_INSTANT.format(instant.truncatedTo(ChronoUnit.MILLIS));
      assertThat(Dates.iso(millis)).as(millis).isEqualTo(Instant.parse(millis));
      String http = DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
      assertThat(Dates.rfc1123(http)).as(http).isEqualTo(jdkRfc1123(http));
      assertThat(Dates.amzDate(instant)).isEqualTo(AMZ.format(instant));
      // ... and not only through the fallback: the common forms take the fast path.
      assertThat(Dates.isoFast(millis)).as(millis).isEqualTo(Instant.parse(millis));
      assertThat(Dates.rfc1123Fast(http)).as(http).isEqualTo(jdkRfc1123(http));
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "2026-12-03T18:00:00.000Z",
        "2026-12-03T18:00:00Z",
        "2026-12-03T18:00:00.123456789Z",
        " 2026-12-03T18:00:00.5Z\n",
        "2026-12-03T18:00:00.1234567890Z",
        "2026-12-03T18:00:00.Z",
        "2026-12-03T24:00:00Z",
        "2026-12-03T23:59:60Z",
        "2026-02-30T18:00:00Z",
        "2026-13-03T18:00:00Z",
        "2026-12-03T18:00:00+01:00",
        "2026-12-03t18:00:00z",
        "+12026-12-03T18:00:00Z",
        "2026-12-03T18:0a:00Z",
        "2026-12-03 18:00:00Z",
        "not a date",
        "",
        "   "
      })
  void iso_givesTheJdksAnswer_forOddAndBadText(String text) {
    assertThat(Dates.iso(text)).isEqualTo(jdkIso(text));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "Thu, 03 Dec 2026 18:00:00 GMT",
        "Thu, 3 Dec 2026 18:00:00 GMT",
        "Fri, 03 Dec 2026 18:00:00 GMT",
        "Thu, 03 Dec 2026 18:00:00 +0100",
        "Thu, 03 dec 2026 18:00:00 GMT",
        "Sun, 30 Feb 2026 18:00:00 GMT",
        "Thu, 03 Dec 2026 25:00:00 GMT",
        "03 Dec 2026 18:00:00 GMT",
        "Thursday, 03-Dec-26 18:00:00 GMT",
        "Thu, 03 Dec 2026 18:00:00 UTC",
        "Thu, 03 Xyz 2026 18:00:00 GMT",
        "  Thu, 03 Dec 2026 18:00:00 GMT  ",
        ""
      })
  void rfc1123_givesTheJdksAnswer_forOddAndBadText(String text) {
    assertThat(Dates.rfc1123(text)).isEqualTo(jdkRfc1123(text));
  }

  @Test
  void nullIsNoDate() {
    assertThat(Dates.iso(null)).isNull();
    assertThat(Dates.rfc1123(null)).isNull();
  }

  @Test
  void amzDate_refusesYearsItCannotWriteInFourDigits() {
    assertThatThrownBy(() -> Dates.amzDate(Instant.parse("+10000-01-01T00:00:00Z")))
        .isInstanceOf(DateTimeException.class)
        .hasMessageContaining("four-digit year");
    assertThat(Dates.amzDate(Instant.EPOCH)).isEqualTo("19700101T000000Z");
  }

  private static @Nullable Instant jdkIso(String text) {
    if (text.isBlank()) {
      return null;
    }
    try {
      return Instant.parse(text.strip());
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  private static @Nullable Instant jdkRfc1123(String text) {
    if (text.isBlank()) {
      return null;
    }
    try {
      return ZonedDateTime.parse(text.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
