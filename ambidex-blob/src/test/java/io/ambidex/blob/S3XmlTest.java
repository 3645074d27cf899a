package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.internal.S3Xml;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class S3XmlTest {
  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void listPage_readsObjectsPrefixesAndToken() {
    S3Xml.ListPage page =
        S3Xml.listPage(
            utf8(
                """
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Name>b</Name><Prefix>logs/</Prefix><KeyCount>2</KeyCount>
                  <IsTruncated>true</IsTruncated>
                  <NextContinuationToken>tok&amp;1</NextContinuationToken>
                  <Contents><Key>logs/a &amp; b.txt</Key><LastModified>2026-11-21T10:00:00.000Z</LastModified>
                    <ETag>&quot;abc&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>
                  <CommonPrefixes><Prefix>logs/2026/</Prefix></CommonPrefixes>
                </ListBucketResult>
                """));
    assertThat(page.entries())
        .containsExactly(
            new BlobObject("logs/a & b.txt", 12, "abc", Instant.parse("2026-11-21T10:00:00Z")),
            new CommonPrefix("logs/2026/"));
    assertThat(page.nextToken()).isEqualTo("tok&1");
  }

  @Test
  void listPage_notTruncated_hasNoToken() {
    S3Xml.ListPage page =
        S3Xml.listPage(utf8("<ListBucketResult><IsTruncated>false</IsTruncated></ListBucketResult>"));
    assertThat(page.entries()).isEmpty();
    assertThat(page.nextToken()).isNull();
  }

  @Test
  void listPage_truncatedWithoutToken_isMalformed() {
    assertThatThrownBy(
            () -> S3Xml.listPage(utf8("<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")))
        .hasMessageContaining("malformed")
        .hasMessageContaining("NextContinuationToken");
  }

  @Test
  void externalEntities_areNotResolved() {
    String evil =
        "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
            + "<Error><Code>&x;</Code></Error>";
    S3Xml.Error error = S3Xml.error(utf8(evil));
    assertThat(error == null || !error.code().contains("root:")).isTrue();
  }

  @Test
  void error_readsCodeMessageAndRequestId() {
    S3Xml.Error e =
        S3Xml.error(utf8("<Error><Code>NoSuchKey</Code><Message>The key does not exist</Message>"
            + "<RequestId>R1</RequestId></Error>"));
    assertThat(e).isEqualTo(new S3Xml.Error("NoSuchKey", "The key does not exist", "R1"));
    assertThat(S3Xml.error(utf8("not xml"))).isNull();
  }

  @Test
  void completeMultipartUpload_listsPartsInOrder() {
    String xml = new String(S3Xml.completeMultipartUpload(List.of("\"e1\"", "e2")), StandardCharsets.UTF_8);
    assertThat(xml).contains("<Part><PartNumber>1</PartNumber><ETag>\"e1\"</ETag></Part>"
        + "<Part><PartNumber>2</PartNumber><ETag>\"e2\"</ETag></Part>");
    assertThat(S3Xml.firstText(utf8("<InitiateMultipartUploadResult><UploadId>u-1</UploadId>"
        + "</InitiateMultipartUploadResult>"), "UploadId")).isEqualTo("u-1");
  }
}
