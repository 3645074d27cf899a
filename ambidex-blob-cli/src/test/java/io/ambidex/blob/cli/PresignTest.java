package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A presigned URL of the embedded store would be dead when the command ends: refused. */
@Timeout(60)
class PresignTest {
  @TempDir Path dir;

  @Test
  void presign_embeddedStore_isAUsageErrorNamingEndpointAndProfile() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    BlobTool tool = new BlobTool();
    tool.environment = Map.of();
    int code = BlobTool.run(tool, new String[] {"--data-dir", dir.toString(), "presign", "s3://photos/cat.jpg"},
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    String e = err.toString(StandardCharsets.UTF_8);
    assertThat(code).as(e).isEqualTo(ExitCodes.USAGE);
    assertThat(e.lines().toList()).hasSize(1);
    assertThat(e).contains("presign").contains("--endpoint").contains("--profile");
    assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
  }
}
