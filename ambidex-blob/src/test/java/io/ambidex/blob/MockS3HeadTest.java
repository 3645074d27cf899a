package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The scripted server answers a HEAD as HTTP requires: headers only, whatever the script says. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class MockS3HeadTest {

  @Test
  void aHeadAnsweredWithAnErrorCarriesNoBody_soTheConnectionStaysUsable() throws Exception {
    try (MockS3 s3 = new MockS3();
        Socket socket = new Socket("127.0.0.1", s3.server.getPort())) {
      s3.handler = r -> MockS3.error(404, "NoSuchKey");
      socket.setSoTimeout(5_000);
      OutputStream out = socket.getOutputStream();
      String head = "HEAD /bkt/k HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
      out.write((head + head).getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream seen = new ByteArrayOutputStream();
      byte[] buf = new byte[4096];
      String text = "";
      while (text.split("\r\n\r\n", -1).length < 3) { // two heads, each ended by a blank line
        int n = in.read(buf);
        if (n < 0) {
          break;
        }
        seen.write(buf, 0, n);
        text = seen.toString(StandardCharsets.US_ASCII);
      }
      assertThat(text).startsWith("HTTP/1.1 404").doesNotContain("<Error>");
      assertThat(text.split("\r\n\r\n", -1)[1]).startsWith("HTTP/1.1 404");
      assertThat(text).contains("Content-Length: ");
    }
  }
}
