package io.ambidex.blob;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Seeded mutation of the XML documents an S3 server sends: byte flips, insertions of markup that
 * matters to a StAX parser and to the S3 readers (tags of the documents, CDATA, entity and
 * character references, a DOCTYPE with internal and external entities, an encoding declaration,
 * numbers at the edges of {@code long}), deletions, truncations, duplicated ranges (repeated or
 * unbalanced elements) and replaced numbers. A seed always gives the same mutant.
 */
final class XmlMutator {
  private static final String[] TOKENS = {
    "<", ">", "</", "/>", "&", ";", "\"", "'", "=", "\0", "\r\n", "\u00ff", "\u00e9", "\ufffd",
    "<Contents>", "</Contents>", "<Key>", "</Key>", "<Size>", "</Size>", "<ETag>", "</ETag>",
    "<CommonPrefixes>", "</CommonPrefixes>", "<Prefix>", "</Prefix>", "<IsTruncated>true</IsTruncated>",
    "<NextContinuationToken>", "</NextContinuationToken>", "<Error>", "</Error>", "<Code>",
    "</Code>", "<UploadId>", "</UploadId>", "<PartNumber>1</PartNumber>", "<LastModified>",
    "<![CDATA[", "]]>", "&amp;", "&lt;", "&quot;", "&#0;", "&#x10FFFF;", "&#xD800;", "&nope;",
    "<!-- c -->", "<?pi x?>", "<?xml version=\"1.0\" encoding=\"UTF-16\"?>",
    "<!DOCTYPE r [<!ENTITY e \"eeeeeeeeee\">]>", "&e;",
    "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>", "&x;",
    "-1", "9223372036854775807", "9223372036854775808", "1e3", "0x10", " ", "true", "TRUE",
    "2024-02-30T25:61:00.000Z", "xmlns=\"urn:x\"", "a:"
  };
  private static final String[] NUMBERS = {
    "", "-1", "0", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
    "99999999999999999999", "1.5", " 7 ", "+7", "07", "\u0661"
  };

  private XmlMutator() {}

  /** Returns a mutant of {@code seed}: 1 to 4 mutations drawn from {@code random}. */
  static byte[] mutate(byte[] seed, Random random) {
    byte[] b = seed.clone();
    int ops = 1 + random.nextInt(4);
    for (int i = 0; i < ops; i++) {
      b = once(b, random);
    }
    return b;
  }

  private static byte[] once(byte[] b, Random r) {
    int n = b.length;
    int at = r.nextInt(n + 1);
    switch (r.nextInt(7)) {
      case 0 -> {
        if (n > 0) {
          b = b.clone();
          b[r.nextInt(n)] = (byte) r.nextInt(256);
        }
        return b;
      }
      case 1, 2 -> {
        return splice(b, at, at, TOKENS[r.nextInt(TOKENS.length)].getBytes(StandardCharsets.UTF_8));
      }
      case 3 -> {
        return splice(b, at, Math.min(n, at + 1 + r.nextInt(24)), new byte[0]);
      }
      case 4 -> {
        return Arrays.copyOf(b, at);
      }
      case 5 -> {
        int len = Math.min(n - at, 1 + r.nextInt(200));
        return splice(b, at, at, Arrays.copyOfRange(b, at, at + len));
      }
      default -> {
        List<int[]> runs = new ArrayList<>();
        for (int i = 0; i < n; ) {
          if (b[i] >= '0' && b[i] <= '9') {
            int start = i;
            while (i < n && b[i] >= '0' && b[i] <= '9') {
              i++;
            }
            runs.add(new int[] {start, i});
          } else {
            i++;
          }
        }
        if (runs.isEmpty()) {
          return b;
        }
        int[] run = runs.get(r.nextInt(runs.size()));
        return splice(b, run[0], run[1], NUMBERS[r.nextInt(NUMBERS.length)].getBytes(StandardCharsets.UTF_8));
      }
    }
  }

  private static byte[] splice(byte[] b, int from, int to, byte[] with) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + with.length);
    out.write(b, 0, from);
    out.write(with, 0, with.length);
    out.write(b, to, b.length - to);
    return out.toByteArray();
  }

  /** The document as text, shortened, for a failure message. */
  static String show(byte[] b) {
    String s = new String(b, StandardCharsets.UTF_8).replace("\r", "\\r").replace("\n", "\\n");
    return s.length() > 800 ? s.substring(0, 800) + "... (" + b.length + " bytes)" : s;
  }
}
