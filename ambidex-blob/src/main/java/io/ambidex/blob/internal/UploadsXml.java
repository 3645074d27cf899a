package io.ambidex.blob.internal;

import io.ambidex.blob.PendingUpload;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.jspecify.annotations.Nullable;

/** Parses a ListMultipartUploads result. Not API. */
public final class UploadsXml {
  private UploadsXml() {}

  /**
   * One page of uploads.
   *
   * @param uploads the uploads of the page
   * @param nextKeyMarker the key marker of the next page, or null if this page is the last
   * @param nextUploadIdMarker the upload-id marker of the next page, or null
   */
  public record Page(
      List<PendingUpload> uploads,
      @Nullable String nextKeyMarker,
      @Nullable String nextUploadIdMarker) {}

  /**
   * Parses a ListMultipartUploadsResult document, with S3Xml's reader (the JDK's StAX over
   * strictly decoded UTF-8, no DTD): a document that cannot be read fails with {@link
   * io.ambidex.http.error.HttpProtocolException}, as every other S3 document does.
   */
  public static Page page(byte[] xml) {
    List<PendingUpload> uploads = new ArrayList<>();
    String nextKey = null;
    String nextId = null;
    String encoding = null;
    boolean truncated = false;
    try {
      XMLStreamReader r = S3Xml.reader(xml);
      String key = null;
      String id = null;
      String initiated = null;
      boolean inUpload = false;
      while (r.hasNext()) {
        int event = r.next();
        if (event == XMLStreamConstants.START_ELEMENT) {
          switch (r.getLocalName()) {
            case "Upload" -> {
              inUpload = true;
              key = null;
              id = null;
              initiated = null;
            }
            case "Key" -> key = inUpload ? r.getElementText() : key;
            case "UploadId" -> id = inUpload ? r.getElementText() : id;
            case "Initiated" -> initiated = inUpload ? r.getElementText() : initiated;
            case "IsTruncated" -> truncated = Boolean.parseBoolean(r.getElementText().strip());
            case "NextKeyMarker" -> nextKey = r.getElementText();
            case "NextUploadIdMarker" -> nextId = r.getElementText();
            case "EncodingType" -> encoding = r.getElementText();
            default -> { }
          }
        } else if (event == XMLStreamConstants.END_ELEMENT && r.getLocalName().equals("Upload")) {
          inUpload = false;
          if (key != null && id != null) {
            uploads.add(new PendingUpload(key, id, instant(initiated)));
          }
        }
      }
    } catch (XMLStreamException e) {
      throw S3Xml.malformed("ListMultipartUploads result", e);
    }
    boolean more = truncated && nextKey != null && !nextKey.isEmpty();
    if (S3Xml.urlEncoded(encoding)) {
      // Asked for with encoding-type=url (as listings are, S3Xml): keys and the key marker came
      // %-encoded; a server that ignored the parameter says nothing, and its keys stay as sent.
      try {
        List<PendingUpload> decoded = new ArrayList<>(uploads.size());
        for (PendingUpload u : uploads) {
          decoded.add(new PendingUpload(S3Xml.urlDecoded(u.key()), u.uploadId(), u.initiated()));
        }
        uploads = decoded;
        nextKey = nextKey == null ? null : S3Xml.urlDecoded(nextKey);
      } catch (IllegalArgumentException e) {
        throw S3Xml.malformed("ListMultipartUploads result (a key is not URL-encoded)", e);
      }
    }
    return new Page(uploads, more ? nextKey : null, more ? nextId : null);
  }

  private static @Nullable Instant instant(@Nullable String s) {
    return Dates.iso(s);
  }

}
