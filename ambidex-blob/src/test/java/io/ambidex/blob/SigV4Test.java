package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.internal.SigV4;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The worked examples of the S3 Signature Version 4 documentation, reproduced exactly. */
class SigV4Test {
  private static final Credentials DOC_KEYS =
      Credentials.of("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");
  private static final Instant DOC_TIME = Instant.parse("2013-05-24T00:00:00Z");

  private static String signature(Map<String, String> added) {
    String auth = added.get("Authorization");
    return auth.substring(auth.indexOf("Signature=") + "Signature=".length());
  }

  private static Map<String, String> headers(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put(kv[i], kv[i + 1]);
    }
    return m;
  }

  @Test
  void getObject_documentationExample() {
    Map<String, String> added =
        SigV4.sign(
            new SigV4.Request(
                "GET",
                "/test.txt",
                Map.of(),
                headers("Host", "examplebucket.s3.amazonaws.com", "Range", "bytes=0-9"),
                SigV4.EMPTY_SHA256),
            DOC_KEYS, "us-east-1", "s3", DOC_TIME);
    assertThat(added.get("Authorization"))
        .startsWith("AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + " SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=");
    assertThat(signature(added))
        .isEqualTo("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  }

  @Test
  void keyCache_signsAsWithoutIt_acrossDaysRegionsAndSecrets() {
    SigV4.KeyCache keys = new SigV4.KeyCache();
    SigV4.Request get =
        new SigV4.Request(
            "GET", "/test.txt", Map.of(),
            headers("Host", "examplebucket.s3.amazonaws.com", "Range", "bytes=0-9"), SigV4.EMPTY_SHA256);
    Credentials other = Credentials.of("AKIDOTHER", "another-secret");
    Instant nextDay = DOC_TIME.plusSeconds(86_400);
    Object[][] runs = {
      {DOC_KEYS, "us-east-1", DOC_TIME}, {DOC_KEYS, "us-east-1", DOC_TIME}, {DOC_KEYS, "us-east-1", nextDay},
      {DOC_KEYS, "eu-west-1", nextDay}, {other, "eu-west-1", nextDay}, {DOC_KEYS, "us-east-1", DOC_TIME},
    };
    for (Object[] run : runs) {
      Credentials c = (Credentials) run[0];
      String region = (String) run[1];
      Instant t = (Instant) run[2];
      assertThat(SigV4.sign(get, c, region, "s3", t, keys)).isEqualTo(SigV4.sign(get, c, region, "s3", t));
    }
    assertThat(signature(SigV4.sign(get, DOC_KEYS, "us-east-1", "s3", DOC_TIME, keys)))
        .isEqualTo("f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
  }

  @Test
  void headerValues_areTrimmed_andRunsOfSpacesCollapsed() {
    Map<String, String> spaced =
        SigV4.sign(
            new SigV4.Request("GET", "/", Map.of(), headers("Host", "h", "x-amz-meta-a", "  a   b c "), SigV4.EMPTY_SHA256),
            DOC_KEYS, "us-east-1", "s3", DOC_TIME);
    Map<String, String> plain =
        SigV4.sign(
            new SigV4.Request("GET", "/", Map.of(), headers("Host", "h", "x-amz-meta-a", "a b c"), SigV4.EMPTY_SHA256),
            DOC_KEYS, "us-east-1", "s3", DOC_TIME);
    assertThat(spaced).isEqualTo(plain);
  }

  @Test
  void sign_headerValueWithTabsAndOtherWhiteSpace_signedAsOneSpacePerRun() {
    Map<String, String> tabbed =
        SigV4.sign(
            new SigV4.Request(
                "PUT", "/b/k", Map.of(),
                headers("Host", "h", "Cache-Control", "\t no-cache,\tprivate \u000B\f\r\n x\t"),
                SigV4.EMPTY_SHA256),
            DOC_KEYS, "us-east-1", "s3", DOC_TIME);
    Map<String, String> plain =
        SigV4.sign(
            new SigV4.Request(
                "PUT", "/b/k", Map.of(), headers("Host", "h", "Cache-Control", "no-cache, private x"),
                SigV4.EMPTY_SHA256),
            DOC_KEYS, "us-east-1", "s3", DOC_TIME);
    assertThat(tabbed).isEqualTo(plain);
  }

  @Test
  void putObject_documentationExample() {
    String payloadHash = SigV4.sha256Hex("Welcome to Amazon S3.");
    Map<String, String> added =
        SigV4.sign(
            new SigV4.Request(
                "PUT",
                "/test$file.text",
                Map.of(),
                headers(
                    "Host", "examplebucket.s3.amazonaws.com",
                    "Date", "Fri, 24 May 2013 00:00:00 GMT",
                    "x-amz-storage-class", "REDUCED_REDUNDANCY"),
                payloadHash),
            DOC_KEYS, "us-east-1", "s3", DOC_TIME);
    assertThat(signature(added))
        .isEqualTo("98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
  }

  @Test
  void getBucketLifecycle_documentationExample() {
    Map<String, String> added =
        SigV4.sign(
            new SigV4.Request(
                "GET", "/", Map.of("lifecycle", ""),
                headers("Host", "examplebucket.s3.amazonaws.com"), SigV4.EMPTY_SHA256),
            DOC_KEYS, "us-east-1", "s3", DOC_TIME);
    assertThat(signature(added))
        .isEqualTo("fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
  }

  @Test
  void listObjects_documentationExample() {
    Map<String, String> added =
        SigV4.sign(
            new SigV4.Request(
                "GET", "/", Map.of("max-keys", "2", "prefix", "J"),
                headers("Host", "examplebucket.s3.amazonaws.com"), SigV4.EMPTY_SHA256),
            DOC_KEYS, "us-east-1", "s3", DOC_TIME);
    assertThat(signature(added))
        .isEqualTo("34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
  }

  @Test
  void encoding_keepsUnreservedAndSlashes_encodesTheRest() {
    assertThat(SigV4.encodePath("/bucket/a key/ü+*~")).isEqualTo("/bucket/a%20key/%C3%BC%2B%2A~");
    assertThat(SigV4.encodePath("")).isEqualTo("/");
    assertThat(SigV4.canonicalQuery(Map.of("b", "2", "a", "x y", "list-type", "2")))
        .isEqualTo("a=x%20y&b=2&list-type=2");
  }

  @Test
  void encode_unpairedSurrogate_refusedInsteadOfSentAsQuestionMark() {
    assertThatThrownBy(() -> SigV4.encodePath("/b/k\uD800"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("must be valid Unicode")
        .hasMessageContaining("U+D800 at index 1");
    assertThatThrownBy(() -> SigV4.canonicalQuery(Map.of("prefix", "\uDC00")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("U+DC00 at index 0");
    assertThat(SigV4.encodePath("/b/\uD83D\uDE00")).isEqualTo("/b/%F0%9F%98%80");
  }

  @Test
  void sessionToken_isSentAndSigned() {
    Map<String, String> added =
        SigV4.sign(
            new SigV4.Request("GET", "/", Map.of(), headers("Host", "h"), SigV4.EMPTY_SHA256),
            new Credentials("AKID", "secret", "token-123"), "eu-west-1", "s3", DOC_TIME);
    assertThat(added).containsEntry("x-amz-security-token", "token-123");
    assertThat(added.get("Authorization")).contains("x-amz-security-token");
  }

  @Test
  void missingHost_isRejected() {
    assertThatThrownBy(
            () -> SigV4.sign(new SigV4.Request("GET", "/", Map.of(), Map.of(), SigV4.EMPTY_SHA256),
                DOC_KEYS, "us-east-1", "s3", DOC_TIME))
        .hasMessageContaining("host");
  }

  @Test
  void credentials_toStringHidesSecrets_andEnvironmentErrorsNameTheVariable() {
    assertThat(new Credentials("AKID", "s3cr3t", "tok").toString()).doesNotContain("s3cr3t", "tok");
    assertThatThrownBy(() -> Credentials.fromEnvironment(Map.of()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("AWS_ACCESS_KEY_ID is not set");
    assertThat(Credentials.fromEnvironment(Map.of("AWS_ACCESS_KEY_ID", "a", "AWS_SECRET_ACCESS_KEY", "b")))
        .isEqualTo(Credentials.of("a", "b"));
  }
}
