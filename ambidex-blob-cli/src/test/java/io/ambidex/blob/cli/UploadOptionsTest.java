package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.blob.Credentials;
import io.ambidex.s3embedded.EmbeddedS3;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Content types, object headers and user metadata through the tool, in process, against an
 * S3Proxy started by the test (SigV4 checked, so the signed headers must be right): the guess from
 * file names on every upload command, the explicit options, standard input, remote copies with and
 * without replaced metadata, and bad values refused before anything is sent.
 */
@Timeout(180)
class UploadOptionsTest {
  static EmbeddedS3 s3;

  @TempDir Path dir;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  record Run(int code, String out, String err) {}

  byte[] stdin = new byte[0];

  Run blob(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    BlobTool tool = new BlobTool();
    tool.credentials = Credentials.of(s3.accessKey(), s3.secretKey());
    tool.in = new ByteArrayInputStream(stdin);
    List<String> all = new ArrayList<>(List.of("--no-progress", "--endpoint", s3.endpoint().toString()));
    all.addAll(List.of(args));
    int code = BlobTool.run(tool, all.toArray(String[]::new),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Run ok(String... args) {
    Run r = blob(args);
    assertThat(r.code()).as(String.join(" ", args) + "\n" + r.err()).isZero();
    return r;
  }

  String bucket() {
    String b = "u-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
    ok("mb", "s3://" + b);
    return b;
  }

  /** The {@code stat --json} line of an object. */
  String stat(String uri) {
    return ok("stat", "--json", uri).out().strip();
  }

  /*
   * The content type S3Proxy gives an object uploaded without one, to a key without an extension:
   * like S3, binary/octet-stream. (For a key with an extension it knows, S3Proxy guesses from the
   * key, which S3 does not; so the guesses here are checked on keys without extensions, and what
   * is sent at all by RecordingServerTest.)
   */
  String serverDefault(String bucket) throws Exception {
    Path f = Files.writeString(dir.resolve("plain.html"), "x");
    ok("put", "--no-guess-mime-type", f.toString(), "s3://" + bucket + "/server-default");
    return contentType(stat("s3://" + bucket + "/server-default"));
  }

  static String contentType(String statJson) {
    int at = statJson.indexOf("\"contentType\":");
    assertThat(at).as(statJson).isNotNegative();
    String rest = statJson.substring(at + "\"contentType\":".length());
    return rest.startsWith("null") ? null : rest.substring(1, rest.indexOf('"', 1));
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void put_guessesTheContentTypeFromTheName_orSendsNone(boolean async) throws Exception {
    String b = bucket();
    String flag = async ? "--async" : "--no-progress";
    Path html = Files.writeString(dir.resolve("index.html"), "<p>hi</p>");
    Path json = Files.writeString(dir.resolve("data.json"), "{}");
    Path unknown = Files.writeString(dir.resolve("blob.zzqx"), "??");
    String serverDefault = serverDefault(b);

    ok(flag, "put", html.toString(), "s3://" + b + "/index.html");
    ok(flag, "put", json.toString(), "s3://" + b + "/data");
    ok(flag, "put", unknown.toString(), "s3://" + b + "/blob.zzqx");
    ok(flag, "put", "--no-guess-mime-type", html.toString(), "s3://" + b + "/unguessed");
    ok(flag, "put", "--content-type", "text/plain", html.toString(), "s3://" + b + "/typed.html");

    assertThat(contentType(stat("s3://" + b + "/index.html"))).isEqualTo("text/html");
    assertThat(contentType(stat("s3://" + b + "/data"))).isEqualTo("application/json");
    assertThat(contentType(stat("s3://" + b + "/blob.zzqx"))).isEqualTo(serverDefault);
    assertThat(contentType(stat("s3://" + b + "/unguessed"))).isEqualTo(serverDefault);
    assertThat(contentType(stat("s3://" + b + "/typed.html"))).isEqualTo("text/plain");
    assertThat(serverDefault).isNotEqualTo("text/html");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void cp_headersAndMetadata_areStored_andStatShowsThem(boolean async) throws Exception {
    String b = bucket();
    Path page = Files.writeString(dir.resolve("page.html"), "<p>hi</p>");

    ok(async ? "--async" : "--no-progress", "cp", page.toString(), "s3://" + b + "/page.html",
        "--content-type", "text/html; charset=utf-8",
        "--cache-control", "max-age=60, public",
        "--content-disposition", "attachment; filename=\"page.html\"",
        "--content-encoding", "identity",
        "--metadata", "Owner=ops", "--metadata", "reviewed=2026-01-05");

    String json = stat("s3://" + b + "/page.html");
    assertThat(json)
        .contains("\"cacheControl\":\"max-age=60, public\"")
        .contains("\"contentDisposition\":\"attachment; filename=\\\"page.html\\\"\"")
        .contains("\"contentEncoding\":\"identity\"")
        .contains("\"owner\":\"ops\"")
        .contains("\"reviewed\":\"2026-01-05\"");
    assertThat(contentType(json).replace(" ", "")).isEqualTo("text/html;charset=utf-8");
    String text = ok("stat", "s3://" + b + "/page.html").out();
    assertThat(text)
        .contains("  Cache control:       max-age=60, public\n")
        .contains("  Content disposition: attachment; filename=\"page.html\"\n")
        .contains("  Content encoding:    identity\n")
        .contains("  Metadata owner: ops\n");
  }

  @Test
  void cpRecursive_andSync_guessEachFilesType_andApplyTheOptions() throws Exception {
    String b = bucket();
    Path tree = Files.createDirectories(dir.resolve("site/sub"));
    Files.writeString(dir.resolve("site/index.html"), "<p>1</p>");
    Files.writeString(tree.resolve("data.json"), "{}");
    Files.writeString(tree.resolve("notes.zzqx"), "?");
    String serverDefault = serverDefault(b);

    ok("cp", "--recursive", dir.resolve("site").toString(), "s3://" + b + "/cp/", "--metadata", "via=cp");
    ok("sync", dir.resolve("site").toString(), "s3://" + b + "/sync/", "--cache-control", "no-cache");

    for (String prefix : List.of("cp/", "sync/")) {
      assertThat(contentType(stat("s3://" + b + "/" + prefix + "index.html"))).isEqualTo("text/html");
      assertThat(contentType(stat("s3://" + b + "/" + prefix + "sub/data.json"))).isEqualTo("application/json");
      assertThat(contentType(stat("s3://" + b + "/" + prefix + "sub/notes.zzqx"))).isEqualTo(serverDefault);
    }
    assertThat(stat("s3://" + b + "/cp/sub/data.json")).contains("\"via\":\"cp\"");
    assertThat(stat("s3://" + b + "/sync/sub/data.json")).contains("\"cacheControl\":\"no-cache\"");
  }

  @Test
  void stdin_getsNoGuess_onlyAnExplicitContentType() throws Exception {
    String b = bucket();
    String serverDefault = serverDefault(b);
    stdin = "<p>piped</p>".getBytes(StandardCharsets.UTF_8);

    ok("cp", "-", "s3://" + b + "/piped");
    stdin = "<p>piped</p>".getBytes(StandardCharsets.UTF_8);
    ok("cp", "-", "s3://" + b + "/typed.bin", "--content-type", "text/html", "--metadata", "from=stdin");

    assertThat(contentType(stat("s3://" + b + "/piped"))).isEqualTo(serverDefault);
    String typed = stat("s3://" + b + "/typed.bin");
    assertThat(contentType(typed)).isEqualTo("text/html");
    assertThat(typed).contains("\"from\":\"stdin\"");
  }

  @ParameterizedTest
  @ValueSource(booleans = {false, true})
  void remoteCopy_keepsTheSourceMetadata_orReplacesItWhenGivenOptions(boolean async) throws Exception {
    String b = bucket();
    String flag = async ? "--async" : "--no-progress";
    Path page = Files.writeString(dir.resolve("page.html"), "<p>hi</p>");
    ok("put", page.toString(), "s3://" + b + "/src.html", "--metadata", "k=v", "--cache-control", "max-age=9");

    ok(flag, "cp", "s3://" + b + "/src.html", "s3://" + b + "/kept.txt");
    ok(flag, "cp", "s3://" + b + "/src.html", "s3://" + b + "/replaced.txt", "--metadata", "n=1");
    ok(flag, "mv", "s3://" + b + "/kept.txt", "s3://" + b + "/moved.bin", "--content-type", "application/x-test");

    String kept = stat("s3://" + b + "/moved.bin");
    assertThat(contentType(kept)).isEqualTo("application/x-test");
    assertThat(kept).doesNotContain("\"k\":\"v\"").doesNotContain("max-age=9");
    String replaced = stat("s3://" + b + "/replaced.txt");
    assertThat(replaced).contains("\"n\":\"1\"").doesNotContain("\"k\":\"v\"")
        .contains("\"cacheControl\":null");
    assertThat(contentType(replaced)).as("guessed from the target key").isEqualTo("text/plain");
    ok(flag, "cp", "s3://" + b + "/src.html", "s3://" + b + "/copy.bin");
    String copied = stat("s3://" + b + "/copy.bin");
    assertThat(copied).contains("\"k\":\"v\"").contains("\"cacheControl\":\"max-age=9\"");
    assertThat(contentType(copied)).isEqualTo("text/html");
    ok(flag, "cp", "s3://" + b + "/copy.bin", "s3://" + b + "/copy.bin", "--cache-control", "no-store");
    String inPlace = stat("s3://" + b + "/copy.bin");
    assertThat(inPlace).contains("\"cacheControl\":\"no-store\"").doesNotContain("\"k\":\"v\"");
    Run self = blob(flag, "mv", "s3://" + b + "/copy.bin", "s3://" + b + "/copy.bin", "--metadata", "a=b");
    assertThat(self.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(self.err()).contains("mv onto itself moves nothing");
    assertThat(ok("get", "s3://" + b + "/copy.bin", dir.resolve("still-there").toString()).code()).isZero();
  }

  @Test
  void badValues_failWithTheUsageCode_beforeAnythingIsSent() throws Exception {
    String b = bucket();
    Path page = Files.writeString(dir.resolve("page.html"), "x");
    String to = "s3://" + b + "/page.html";

    Run nonAscii = blob("cp", page.toString(), to, "--metadata", "note=café");
    assertThat(nonAscii.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(nonAscii.err()).hasLineCount(1).startsWith("blob: --metadata: ")
        .contains("printable US-ASCII").contains("percent-encode");
    Run reserved = blob("put", page.toString(), to, "--metadata", "ambidex-part-size=1");
    assertThat(reserved.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(reserved.err()).hasLineCount(1).contains("is reserved");
    Run badName = blob("sync", dir.toString(), "s3://" + b + "/", "--metadata", "a b=c");
    assertThat(badName.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badName.err()).hasLineCount(1).contains("HTTP token");
    Run crlf = blob("cp", page.toString(), to, "--cache-control", "a\r\nx-evil: 1");
    assertThat(crlf.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(crlf.err()).hasLineCount(1).startsWith("blob: --cache-control: ").contains("carriage return");
    Run noEquals = blob("cp", page.toString(), to, "--metadata", "justakey");
    assertThat(noEquals.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(noEquals.err()).contains("KEY=VALUE");
    Run download = blob("cp", to, dir.resolve("back.html").toString(), "--content-type", "text/html");
    assertThat(download.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(download.err()).hasLineCount(1).contains("leave them out");

    assertThat(ok("ls", "s3://" + b).out()).as("nothing was uploaded").isEmpty();
    assertThat(dir.resolve("back.html")).doesNotExist();
  }

  @Test
  void help_andCompletion_showTheUploadOptions() {
    for (String command : List.of("cp", "mv", "sync", "put")) {
      Run help = ok(command, "--help");
      assertThat(help.out()).as(command)
          .contains("--content-type=TYPE").contains("--no-guess-mime-type")
          .contains("--cache-control=VALUE").contains("--content-disposition=VALUE")
          .contains("--content-encoding=VALUE").contains("--metadata=KEY=VALUE");
    }
    assertThat(ok("cp", "--help").out()).contains("--metadata owner=ops");
    assertThat(ok("completion").out()).contains("--no-guess-mime-type").contains("--metadata");
  }
}
