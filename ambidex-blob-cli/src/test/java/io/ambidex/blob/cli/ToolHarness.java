package io.ambidex.blob.cli;

import io.ambidex.blob.Credentials;
import io.ambidex.s3embedded.EmbeddedS3;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs the tool in process against an {@link EmbeddedS3} the test started ({@code --endpoint}),
 * with standard output and error captured, or standard output given.
 */
final class ToolHarness {
  final EmbeddedS3 s3;

  ToolHarness(EmbeddedS3 s3) {
    this.s3 = s3;
  }

  record Run(int code, String out, String err) {}

  Run blob(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Run r = blobTo(new PrintStream(out, true, StandardCharsets.UTF_8), args);
    return new Run(r.code(), out.toString(StandardCharsets.UTF_8), r.err());
  }

  /** Runs with {@code out} as standard output; the result's out is empty. */
  Run blobTo(PrintStream out, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BlobTool.run(tool(), all(args), out, new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, "", err.toString(StandardCharsets.UTF_8));
  }

  /** Runs with {@code out} as the raw standard output (as main gives the process's). */
  Run blobToStream(OutputStream out, String... args) {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BlobTool.run(tool(), all(args), out, new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, "", err.toString(StandardCharsets.UTF_8));
  }

  private BlobTool tool() {
    BlobTool tool = new BlobTool();
    tool.credentials = Credentials.of(s3.accessKey(), s3.secretKey());
    return tool;
  }

  private String[] all(String... args) {
    List<String> all = new ArrayList<>(List.of("--no-progress", "--endpoint", s3.endpoint().toString()));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }
}
