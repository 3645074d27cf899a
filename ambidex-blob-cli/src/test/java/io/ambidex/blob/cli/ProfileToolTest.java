package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.s3embedded.EmbeddedS3;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where the tool finds its store and credentials, as the AWS CLI does: {@code --profile} and the
 * shared files, {@code AWS_ENDPOINT_URL}, the environment's credentials. The "remote" store is an
 * S3Proxy started by the test; the environment is a map handed to the tool, whose HOME is a
 * temporary directory, so nothing on this machine takes part.
 */
@Timeout(120)
class ProfileToolTest {
  static EmbeddedS3 s3;

  @TempDir Path home;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  record Run(int code, String out, String err) {}

  private Run blob(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    BlobTool tool = new BlobTool();
    tool.environment = env;
    List<String> all = new ArrayList<>(List.of("--no-progress", "--data-dir", home.resolve("embedded").toString()));
    all.addAll(List.of(args));
    int code = BlobTool.run(tool, all.toArray(String[]::new),
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private Map<String, String> env(String... pairs) {
    Map<String, String> env = new HashMap<>();
    env.put("HOME", home.toString());
    for (int i = 0; i < pairs.length; i += 2) {
      env.put(pairs[i], pairs[i + 1]);
    }
    return env;
  }

  private void write(String name, String text) throws Exception {
    Files.createDirectories(home.resolve(".aws"));
    Files.writeString(home.resolve(".aws").resolve(name), text);
  }

  @Test
  void profile_givesEndpointAndCredentials_andAwsProfileAlone_staysEmbedded() throws Exception {
    write("config", "[profile remote]\nregion = us-east-1\nservices = here\n"
        + "[services here]\ns3 =\n  endpoint_url = " + s3.endpoint() + "\n");
    write("credentials", "[remote]\naws_access_key_id = " + s3.accessKey()
        + "\naws_secret_access_key = " + s3.secretKey() + "\n");
    Path file = Files.writeString(home.resolve("note.txt"), "from a profile");
    assertThat(blob(env(), "--profile", "remote", "mb", "s3://profiled").code()).isZero();
    Run put = blob(env(), "--profile", "remote", "cp", file.toString(), "s3://profiled/note.txt");
    assertThat(put.code()).as(put.err()).isZero();
    Run cat = blob(env(), "--profile", "remote", "cat", "s3://profiled/note.txt");
    assertThat(cat.out()).isEqualTo("from a profile");
    // AWS_PROFILE names whose credentials, not where: without an endpoint, the embedded store,
    // which has no such bucket.
    Run embedded = blob(env("AWS_PROFILE", "remote"), "ls", "s3://profiled");
    assertThat(embedded.code()).as(embedded.err()).isEqualTo(ExitCodes.NOT_FOUND);
    // With --endpoint and no credentials of its own, the environment's profile gives them.
    Run viaEndpoint = blob(env("AWS_PROFILE", "remote"), "--endpoint", s3.endpoint().toString(),
        "cat", "s3://profiled/note.txt");
    assertThat(viaEndpoint.out()).as(viaEndpoint.err()).isEqualTo("from a profile");
  }

  @Test
  void awsEndpointUrl_makesTheStoreRemote_withTheEnvironmentsCredentials() throws Exception {
    Map<String, String> env = env("AWS_ENDPOINT_URL", s3.endpoint().toString(),
        "AWS_ACCESS_KEY_ID", s3.accessKey(), "AWS_SECRET_ACCESS_KEY", s3.secretKey());
    assertThat(blob(env, "mb", "s3://by-variable").code()).isZero();
    Path file = Files.writeString(home.resolve("v.txt"), "via AWS_ENDPOINT_URL");
    assertThat(blob(env, "cp", file.toString(), "s3://by-variable/v.txt").code()).isZero();
    assertThat(blob(env, "cat", "s3://by-variable/v.txt").out()).isEqualTo("via AWS_ENDPOINT_URL");
    Run there = blob(env, "--endpoint", s3.endpoint().toString(), "ls", "s3://by-variable");
    assertThat(there.out()).as("the object is on the server AWS_ENDPOINT_URL names").contains("v.txt");
    env.put("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true");
    assertThat(blob(env, "ls", "s3://by-variable").code()).as("the embedded store again")
        .isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void badProfiles_sayWhatIsWrong_inOneLine() throws Exception {
    write("config", "[profile role]\nrole_arn = arn:aws:iam::1:role/r\nsource_profile = x\n"
        + "endpoint_url = " + s3.endpoint() + "\n[profile empty]\nendpoint_url = " + s3.endpoint() + "\n");
    BadInputTest.Run missing = run(blob(env(), "--profile", "nope", "ls"));
    BadInputTest.failsWith(missing, ExitCodes.USAGE, "--profile nope", "The AWS profile 'nope' is not defined in",
        home.resolve(".aws/config").toString());
    BadInputTest.failsWith(run(blob(env(), "--profile", "role", "ls")), ExitCodes.REFUSED,
        "gets its credentials from role_arn", "aws configure export-credentials --profile role");
    BadInputTest.failsWith(run(blob(env(), "--profile", "empty", "ls")), ExitCodes.REFUSED,
        "no credentials for the store", "the AWS profile 'empty' has none");
    write("config", "[profile broken\n");
    BadInputTest.failsWith(run(blob(env(), "--profile", "broken", "ls")), ExitCodes.USAGE,
        "line 1: a section header must end with ']'");
  }

  private static BadInputTest.Run run(Run r) {
    return new BadInputTest.Run(r.code(), r.out(), r.err());
  }
}
