package io.ambidex.bench.blob;

import io.ambidex.s3embedded.EmbeddedS3;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * The S3 server of the blob benchmarks, in a JVM of its own: {@link EmbeddedS3} (S3Proxy, SigV4
 * checked) over the in-memory store, or over a filesystem store when a directory is given. Started
 * by {@link S3ServerProcess}; not meant to be run by hand.
 *
 * <p>Protocol: prints one line {@code port N} to standard output once the server accepts
 * connections, then serves until its standard input ends (the parent closed it, or died), and
 * exits. Logging is the embedded store's {@code logback.xml}: warnings only, to standard error.
 */
public final class S3ServerMain {
  private S3ServerMain() {}

  /**
   * Runs the server.
   *
   * @param args none for the in-memory store, or the filesystem store's directory
   * @throws IOException if standard input fails
   */
  public static void main(String[] args) throws IOException {
    Path data = args.length > 0 ? Path.of(args[0]) : null;
    EmbeddedS3 s3 = EmbeddedS3.start(data, S3ServerProcess.ACCESS_KEY, S3ServerProcess.SECRET_KEY);
    System.out.println("port " + s3.endpoint().getPort());
    System.out.flush();
    InputStream in = System.in;
    byte[] sink = new byte[64];
    while (in.read(sink) != -1) {
      // nothing to read: the parent closes this stream to stop the server
    }
    s3.close();
    System.exit(0);
  }
}
