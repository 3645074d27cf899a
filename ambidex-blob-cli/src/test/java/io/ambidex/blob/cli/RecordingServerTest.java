package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.blob.Credentials;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the tool sends, recorded: no {@code Content-Type} at all when nothing is guessed (an
 * unknown extension, {@code --no-guess-mime-type}, standard input), the guessed or given one
 * otherwise.
 */
@Timeout(60)
class RecordingServerTest {
  @TempDir Path dir;
  RecordingS3 server;

  @BeforeEach
  void start() throws Exception {
    server = new RecordingS3();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  int blob(byte[] stdin, String... args) {
    BlobTool tool = new BlobTool();
    tool.credentials = Credentials.of("AKIDEXAMPLE", "secret");
    tool.in = new ByteArrayInputStream(stdin);
    List<String> all = new ArrayList<>(List.of("--no-progress", "--endpoint", server.endpoint().toString()));
    all.addAll(List.of(args));
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = BlobTool.run(tool, all.toArray(String[]::new),
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).as(err.toString(StandardCharsets.UTF_8)).isZero();
    return code;
  }

  @Test
  void uploads_sendTheGuessedType_orNoContentTypeAtAll() throws Exception {
    Path html = Files.writeString(dir.resolve("index.html"), "<p>hi</p>");
    Path unknown = Files.writeString(dir.resolve("notes.zzqx"), "?");
    byte[] none = new byte[0];
    byte[] piped = "<p>piped</p>".getBytes(StandardCharsets.UTF_8);

    blob(none, "put", html.toString(), "s3://bkt/guessed.html");
    blob(none, "cp", unknown.toString(), "s3://bkt/unknown.html");
    blob(none, "cp", "--no-guess-mime-type", html.toString(), "s3://bkt/unguessed.html");
    blob(piped, "cp", "-", "s3://bkt/piped.html");
    blob(piped, "cp", "-", "s3://bkt/typed.html", "--content-type", "text/x-given");

    assertThat(server.put("/bkt/guessed.html").getFirst("Content-Type")).isEqualTo("text/html");
    assertThat(server.put("/bkt/unknown.html").containsKey("Content-Type")).isFalse();
    assertThat(server.put("/bkt/unguessed.html").containsKey("Content-Type")).isFalse();
    assertThat(server.put("/bkt/piped.html").containsKey("Content-Type")).isFalse();
    assertThat(server.put("/bkt/typed.html").getFirst("Content-Type")).isEqualTo("text/x-given");
    assertThat(server.put("/bkt/typed.html").getFirst("Authorization"))
        .contains("content-type");
  }

  @Test
  void cpRecursive_andSync_sendEachFilesGuess_andTheOptions() throws Exception {
    Path site = Files.createDirectories(dir.resolve("site/sub")).getParent();
    Files.writeString(site.resolve("index.html"), "<p>1</p>");
    Files.writeString(site.resolve("sub/data.json"), "{}");
    Files.writeString(site.resolve("sub/notes.zzqx"), "?");

    blob(new byte[0], "cp", "--recursive", site.toString(), "s3://bkt/cp/", "--metadata", "via=cp");
    blob(new byte[0], "sync", site.toString(), "s3://bkt/sync/", "--cache-control", "no-cache");

    for (String prefix : List.of("/bkt/cp/", "/bkt/sync/")) {
      assertThat(server.put(prefix + "index.html").getFirst("Content-Type")).isEqualTo("text/html");
      assertThat(server.put(prefix + "sub/data.json").getFirst("Content-Type"))
          .isEqualTo("application/json");
      assertThat(server.put(prefix + "sub/notes.zzqx").containsKey("Content-Type")).isFalse();
    }
    assertThat(server.put("/bkt/cp/sub/notes.zzqx").getFirst("x-amz-meta-via")).isEqualTo("cp");
    assertThat(server.put("/bkt/sync/index.html").getFirst("Cache-Control")).isEqualTo("no-cache");
  }
}
