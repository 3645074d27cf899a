package io.ambidex.blob;

import io.ambidex.s3embedded.EmbeddedS3;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The S3 server of {@link ServerJvm}, in a JVM of its own: {@link EmbeddedS3} over a filesystem
 * store, on a given port. Prints {@code port N} once it accepts connections, then serves until its
 * standard input ends, and exits.
 */
final class ServerJvmMain {
  private ServerJvmMain() {}

  /**
   * Runs the server.
   *
   * @param args the data directory and the port
   * @throws IOException if standard input fails
   */
  public static void main(String[] args) throws IOException {
    EmbeddedS3 s3 =
        EmbeddedS3.builder().dataDirectory(Path.of(args[0])).port(Integer.parseInt(args[1])).start();
    System.out.println("port " + s3.endpoint().getPort());
    System.out.flush();
    InputStream in = System.in;
    byte[] sink = new byte[64];
    while (in.read(sink) != -1) {
      // the parent closes this stream to stop the server
    }
    s3.close();
    System.exit(0);
  }
}
