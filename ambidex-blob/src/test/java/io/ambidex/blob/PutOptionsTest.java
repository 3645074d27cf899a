package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link PutOptions} on its own: copies, normalisation, and every rule it checks at once. */
@Timeout(10)
class PutOptionsTest {
  @Test
  void defaults_setNothing() {
    PutOptions d = PutOptions.defaults();

    assertThat(d.contentType()).isNull();
    assertThat(d.cacheControl()).isNull();
    assertThat(d.contentDisposition()).isNull();
    assertThat(d.contentEncoding()).isNull();
    assertThat(d.metadata()).isEmpty();
    assertThat(d.checksum()).isNull();
    assertThat(d.headers()).isEmpty();
    assertThat(d).hasToString("PutOptions[defaults]");
  }

  @Test
  void withMethods_returnCopies_leavingTheOriginalUnchanged() {
    PutOptions base = PutOptions.defaults().withContentType("text/html");
    PutOptions more =
        base.withCacheControl("max-age=60")
            .withContentDisposition("attachment; filename=\"a b.html\"")
            .withContentEncoding("gzip")
            .withMetadata("Owner", "ops");

    assertThat(base.cacheControl()).isNull();
    assertThat(base.metadata()).isEmpty();
    assertThat(more.contentType()).isEqualTo("text/html");
    assertThat(more.headers())
        .containsExactly(
            Map.entry("content-type", "text/html"),
            Map.entry("cache-control", "max-age=60"),
            Map.entry("content-disposition", "attachment; filename=\"a b.html\""),
            Map.entry("content-encoding", "gzip"),
            Map.entry("x-amz-meta-owner", "ops"));
    assertThat(more.withContentType(null).contentType()).isNull();
    assertThat(more)
        .hasToString(
            "PutOptions[contentType=text/html, cacheControl=max-age=60,"
                + " contentDisposition=attachment; filename=\"a b.html\", contentEncoding=gzip,"
                + " metadata={owner=ops}]");
  }

  @Test
  void withMetadata_storesNamesLowerCase_andReplacesTheSameNameIgnoringCase() {
    PutOptions o = PutOptions.defaults().withMetadata("Color", "red").withMetadata("COLOR", "blue");

    assertThat(o.metadata()).containsExactly(Map.entry("color", "blue"));
    assertThat(o.withMetadata(Map.of()).metadata()).isEmpty();
    assertThat(PutOptions.defaults().withMetadata(Map.of("B", "2", "a", "1")).metadata())
        .containsExactly(Map.entry("a", "1"), Map.entry("b", "2"));
    assertThatThrownBy(() -> o.metadata().put("x", "y"))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void equalsAndHashCode_compareEverySetting() {
    PutOptions a = PutOptions.defaults().withContentType("a/b").withMetadata("k", "v");
    PutOptions b = PutOptions.defaults().withMetadata("K", "v").withContentType("a/b");

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    assertThat(a).isNotEqualTo(b.withCacheControl("no-cache"));
    assertThat(a).isNotEqualTo(b.withChecksum(ChecksumAlgorithm.CRC32C));
    assertThat(a.withChecksum(ChecksumAlgorithm.SHA1))
        .isEqualTo(b.withChecksum(ChecksumAlgorithm.SHA1))
        .hasSameHashCodeAs(b.withChecksum(ChecksumAlgorithm.SHA1));
  }

  /* The checksum is how the upload is sent, not a header stored with the object. */
  @Test
  void withChecksum_isKeptByTheOtherCopies_butIsNoHeader() {
    PutOptions o =
        PutOptions.defaults().withChecksum(ChecksumAlgorithm.CRC32C).withContentType("a/b")
            .withMetadata("k", "v").withCacheControl("no-cache").withContentDisposition("inline")
            .withContentEncoding("gzip");

    assertThat(o.checksum()).isEqualTo(ChecksumAlgorithm.CRC32C);
    assertThat(o.headers()).doesNotContainKeys("x-amz-checksum-crc32c", "x-amz-checksum-algorithm");
    assertThat(o.withChecksum(null).checksum()).isNull();
    assertThat(PutOptions.defaults().withChecksum(ChecksumAlgorithm.MD5))
        .hasToString("PutOptions[checksum=MD5]");
  }

  @ParameterizedTest
  @ValueSource(strings = {"text/html\r\nx-evil: 1", "text/html\nx", "text/\u0000html", "text/\u007fhtml"})
  void headerValues_withControlCharacters_areRejected(String value) {
    assertThatThrownBy(() -> PutOptions.defaults().withContentType(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Content-Type '")
        .hasMessageContaining("a header value is printable US-ASCII")
        .hasMessageNotContaining("\n")
        .hasMessageNotContaining("\r");
  }

  @Test
  void headerValues_nonAsciiEmptyOrPadded_areRejectedWithTheFix() {
    assertThatThrownBy(() -> PutOptions.defaults().withContentDisposition("attachment; filename=\"é.txt\""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("non-ASCII character 'é' (U+00E9)")
        .hasMessageContaining("filename*=UTF-8''");
    assertThatThrownBy(() -> PutOptions.defaults().withCacheControl(""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cache-Control must not be empty: pass null to leave it unset.");
    assertThatThrownBy(() -> PutOptions.defaults().withContentEncoding(" gzip"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("starts or ends with white space");
    assertThat(PutOptions.defaults().withCacheControl("max-age=1,\tpublic").cacheControl())
        .isEqualTo("max-age=1,\tpublic");
  }

  @ParameterizedTest
  @ValueSource(strings = {"has space", "colon:", "slash/", "é", "tab\t", "new\nline", "(paren)"})
  void metadataNames_thatAreNotHttpTokens_areRejected(String name) {
    assertThatThrownBy(() -> PutOptions.defaults().withMetadata(name, "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a metadata name is an HTTP token")
        .hasMessageNotContaining("\n");
  }

  @Test
  void metadataNames_emptyPrefixedReservedOrColliding_areRejectedWithTheFix() {
    assertThatThrownBy(() -> PutOptions.defaults().withMetadata("", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("A metadata name must not be empty");
    assertThatThrownBy(() -> PutOptions.defaults().withMetadata("x-amz-meta-owner", "v"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("give the name without that prefix ('owner')");
    assertThatThrownBy(() -> PutOptions.defaults().withMetadata("Ambidex-Part-Size", "1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is reserved")
        .hasMessageContaining("choose another name");
    Map<String, String> colliding = new LinkedHashMap<>();
    colliding.put("Owner", "a");
    colliding.put("owner", "b");
    assertThatThrownBy(() -> PutOptions.defaults().withMetadata(colliding))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("two names here are 'owner' ignoring case: keep one of them");
    assertThatThrownBy(() -> PutOptions.defaults().withMetadata(null, "v"))
        .isInstanceOf(NullPointerException.class);
  }

  @ParameterizedTest
  @ValueSource(strings = {"caf\u00e9", "line\nbreak", "cr\r", "tab\tbed", "bell\u0007", "\u20ac"})
  void metadataValues_thatAreNotPrintableAscii_areRejected_suggestingPercentEncoding(String value) {
    assertThatThrownBy(() -> PutOptions.defaults().withMetadata("note", value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Metadata value of 'note'")
        .hasMessageContaining("printable US-ASCII")
        .hasMessageContaining("percent-encode")
        .hasMessageNotContaining("\n");
  }

  @Test
  void metadataValues_paddedWithSpaces_areRejected_emptyOnesAccepted() {
    assertThatThrownBy(() -> PutOptions.defaults().withMetadata("note", "padded "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("starts or ends with a space");
    assertThat(PutOptions.defaults().withMetadata("note", "").metadata()).containsEntry("note", "");
  }

  @Test
  void metadata_aboveTheLimit_isRejected_atTheLimitAccepted() {
    int max = PutOptions.MAX_METADATA_BYTES;
    PutOptions full = PutOptions.defaults().withMetadata("k", "v".repeat(max - 1));

    assertThat(full.metadata().get("k")).hasSize(max - 1);
    assertThatThrownBy(() -> full.withMetadata("k2", ""))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at most " + max + " bytes")
        .hasMessageContaining("this has " + (max + 2));
    assertThatThrownBy(() -> PutOptions.defaults().withMetadata(Map.of("k", "v".repeat(max))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("shorten or drop entries");
    assertThat(max).isEqualTo(2048 - ("ambidex-part-size".length() + 10));
  }
}
