package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.s3embedded.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * With {@code --json}, every line on standard output is a JSON object, whatever the command: a
 * script reads them with one parser (docs/blob-tool.md, "Many objects at once"). And a dry run
 * does nothing.
 */
@Timeout(120)
class JsonOutputTest {
  static EmbeddedS3 s3;
  static ToolHarness tool;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
    tool = new ToolHarness(s3);
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  /* Every line an object of the tool's flat shape: {"name":value,...}. */
  private static void allJson(ToolHarness.Run r, String what) {
    List<String> lines = r.out().lines().toList();
    assertThat(lines).as(what + ": " + r.out()).isNotEmpty()
        .allMatch(l -> l.matches("\\{\"[a-zA-Z]+\":.*\\}"));
    if (!what.contains("--dry-run")) { // a dry run has no summary, as cp's
      assertThat(lines.get(lines.size() - 1)).as(what).startsWith("{\"summary\":");
    }
  }

  private ToolHarness.Run ok(String... args) {
    ToolHarness.Run r = tool.blob(args);
    assertThat(r.code()).as(String.join(" ", args) + ": " + r.err()).isZero();
    return r;
  }

  @Test
  void rm_ofOneObject_andRb_printJson_withJson() throws Exception {
    Path file = Files.writeString(dir.resolve("f.txt"), "bytes");
    ok("mb", "s3://json-one");
    ok("cp", file.toString(), "s3://json-one/a.txt");

    ToolHarness.Run dry = ok("rm", "--json", "--dry-run", "s3://json-one/a.txt");
    allJson(dry, "rm --dry-run");
    assertThat(dry.out()).contains("\"op\":\"delete\"").contains("\"status\":\"dryrun\"");
    ok("stat", "s3://json-one/a.txt");

    ToolHarness.Run rm = ok("rm", "--json", "s3://json-one/a.txt");
    allJson(rm, "rm");
    assertThat(rm.out()).contains("\"op\":\"delete\"").contains("\"status\":\"ok\"");
    assertThat(tool.blob("stat", "s3://json-one/a.txt").code()).isEqualTo(ExitCodes.NOT_FOUND);

    ok("cp", file.toString(), "s3://json-one/b.txt");
    ToolHarness.Run dryRb = ok("rb", "--json", "--force", "--dry-run", "s3://json-one");
    allJson(dryRb, "rb --force --dry-run");
    ok("stat", "s3://json-one/b.txt");
    ToolHarness.Run rb = ok("rb", "--json", "--force", "s3://json-one");
    allJson(rb, "rb --force");
    assertThat(rb.out()).contains("{\"op\":\"remove_bucket\",\"source\":\"s3://json-one\"")
        .contains("\"op\":\"delete\"");
    assertThat(tool.blob("ls", "s3://json-one").code()).isEqualTo(ExitCodes.NOT_FOUND);

    ok("mb", "s3://json-empty");
    allJson(ok("rb", "--json", "s3://json-empty"), "rb");
    assertThat(tool.blob("ls", "s3://json-empty").code()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  /* Without --force, --dry-run removed the bucket (the flag was read only with --force). */
  @Test
  void rb_dryRun_withoutForce_removesNothing() {
    ok("mb", "s3://json-keep");
    ToolHarness.Run dry = ok("rb", "--dry-run", "s3://json-keep");
    assertThat(dry.out()).isEqualTo("(dryrun) remove_bucket: json-keep\n");
    ok("ls", "s3://json-keep");
    assertThat(ok("rb", "s3://json-keep").out()).isEqualTo("remove_bucket: json-keep\n");
  }

  /* One object's failure with --json is a JSON line with its exit code, as in a batch. */
  @Test
  void rm_ofOneObject_failure_isAJsonLine_withJson() {
    ToolHarness.Run r = tool.blob("rm", "--json", "s3://no-such-bucket-for-json/k");
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.NOT_FOUND);
    allJson(r, "rm failing");
    assertThat(r.out()).contains("\"status\":\"failed\"").contains("\"exit\":3");
  }
}
