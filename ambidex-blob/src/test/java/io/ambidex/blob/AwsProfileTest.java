package io.ambidex.blob;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.internal.ProfileFiles;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The AWS shared configuration files as the AWS SDKs read them (the format's rules, the files'
 * places, the profile's settings) and the order in which {@link BlobConfig.Builder#build()}
 * consults them, the environment variables and the builder. The environment is a map handed to
 * the builder, and HOME a temporary directory, so nothing on this machine takes part.
 */
class AwsProfileTest {
  @TempDir Path home;

  private static Map<String, String> parse(@Nullable String config, @Nullable String credentials, String profile) {
    Map<String, String> p = ProfileFiles.parse(config, "config", credentials, "credentials").profile(profile);
    return p;
  }

  @Test
  void parse_formatRules_asTheSdksReadThem() {
    assertThat(parse("[profile foo]\nname = value", null, "foo")).containsExactly(Map.entry("name", "value"));
    assertThat(parse("[profile foo]\r\nname = value", null, "foo")).containsEntry("name", "value");
    assertThat(parse("[profile \tfoo \t]\nname \t=  \tval=ue \t", null, "foo")).containsEntry("name", "val=ue");
    assertThat(parse("[profile\tfoo]\nname =", null, "foo")).containsEntry("name", "");
    assertThat(parse("[   profile foo    ]\nname = value", null, "foo")).containsEntry("name", "value");
    // Comments: whole lines, after a header, after a value when whitespace precedes them.
    assertThat(parse("# c\n; c\n[profile foo] # c\nname = value # c with # sign\nn2 = v ; c", null, "foo"))
        .containsEntry("name", "value")
        .containsEntry("n2", "v");
    assertThat(parse("[profile foo]; c\nname = value; kept\nname2 = value# kept", null, "foo"))
        .containsEntry("name", "value; kept")
        .containsEntry("name2", "value# kept");
    // Continuations keep their comments; sub-properties after an empty value.
    assertThat(parse("[profile foo]\nname = value\n \t -continued # c \t\n -more", null, "foo"))
        .containsEntry("name", "value\n-continued # c\n-more");
    assertThat(parse("[default]\nname = v1\n v2 = 12 \n v3\nname2 = x\ns3 =\n a = 1\n\t \n b =", null, "default"))
        .containsEntry("name", "v1\nv2 = 12\nv3")
        .containsEntry("name2", "x")
        .containsEntry("s3.a", "1")
        .containsEntry("s3.b", "");
    // Duplicates merge, the last value wins; invalid names are skipped with their properties.
    assertThat(parse("[profile foo]\nname = a\n[profile foo]\nname = b\nn2 = c\nin valid = x", null, "foo"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("name", "b", "n2", "c"));
    assertThat(parse("[profile in valid]\nx = 1", null, "in valid")).isNull();
    assertThat(parse("[profilefoo]\nx = 1", null, "profilefoo")).isNull();
    assertThat(parse("[foo]\nx = 1", null, "foo")).as("config sections need 'profile '").isNull();
    assertThat(parse(null, "[profile foo]\nx = 1", "foo")).as("credentials sections have no prefix").isNull();
    assertThat(parse("[sso-session foo]\nx = 1\n[profile foo]\ny = 2", null, "foo")).containsExactly(Map.entry("y", "2"));
    assertThat(parse("[profile " + "Az09-_" + "]\nAz09-_ = v", null, "Az09-_")).containsEntry("Az09-_", "v");
  }

  @Test
  void parse_defaultSections_andTheTwoFiles_merge() {
    assertThat(parse("[profile default]\nname = v\n[default]\nname2 = v2", null, "default"))
        .containsExactly(Map.entry("name", "v"));
    assertThat(parse("[default]\nname2 = v2\n[profile default]\nname = v", null, "default"))
        .containsExactly(Map.entry("name", "v"));
    assertThat(parse("[profile default]\na = 1\n[default]\nb = 2\n[profile default]\nc = 3", "[default]\nd = 4", "default"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("a", "1", "c", "3", "d", "4"));
    assertThat(parse("[profile foo]\nname = config\nother = c", "[foo]\nname = credentials", "foo"))
        .containsExactlyInAnyOrderEntriesOf(Map.of("name", "credentials", "other", "c"));
    assertThat(ProfileFiles.parse("[default]\nservices = s\n[services s]\ns3 =\n\tendpoint_url = https://x.example", "config", null, "credentials")
            .services("s"))
        .containsEntry("s3.endpoint_url", "https://x.example");
  }

  @Test
  void parse_aLineThatFitsNowhere_namesTheFileAndTheLine() {
    assertThatThrownBy(() -> parse("[profile foo", null, "foo"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("config, line 1: a section header must end with ']'");
    assertThatThrownBy(() -> parse("name = value", null, "foo"))
        .hasMessageContaining("line 1: a property must follow a section header");
    assertThatThrownBy(() -> parse("[profile foo]\n\n= value", null, "foo"))
        .hasMessageContaining("line 3: a property must have a name");
    assertThatThrownBy(() -> parse("[profile foo]\nkey : value", null, "foo"))
        .hasMessageContaining("line 2: a property must be 'name = value'");
    assertThatThrownBy(() -> parse("[profile foo]\n -continued", null, "foo"))
        .hasMessageContaining("line 2: an indented line must continue a property");
    assertThatThrownBy(() -> parse(null, "[foo]\ns3 =\n invalid", "foo"))
        .hasMessageContaining("credentials, line 3: a sub-property must be 'name = value'");
    assertThatThrownBy(() -> parse("[profile foo] x", null, "foo"))
        .hasMessageContaining("line 1: only a comment may follow a section header");
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
  void load_findsTheFilesAndTheProfile_asTheEnvironmentSays() throws Exception {
    write("config", "[default]\nregion = eu-west-1\n[profile prod]\nregion = us-west-2\n");
    write("credentials", "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = s1\n"
        + "[prod]\naws_access_key_id = AKPROD\naws_secret_access_key = s2\naws_session_token = t\n");
    AwsProfile d = AwsProfile.load(env(), null);
    assertThat(d.name()).isEqualTo("default");
    assertThat(d.region()).contains("eu-west-1");
    assertThat(d.credentials()).contains(Credentials.of("AKDEF", "s1"));
    AwsProfile prod = AwsProfile.load(env("AWS_PROFILE", "prod"), null);
    assertThat(prod.region()).contains("us-west-2");
    assertThat(prod.credentials()).contains(new Credentials("AKPROD", "s2", "t"));
    assertThat(prod.endpoint()).isEmpty();
    // Elsewhere, by variable (a leading ~/ is HOME), or given as paths.
    Path other = Files.createDirectories(home.resolve("other"));
    Files.writeString(other.resolve("cfg"), "[profile x]\nregion = ap-south-1\n");
    assertThat(AwsProfile.load(env("AWS_CONFIG_FILE", "~/other/cfg"), "x").region()).contains("ap-south-1");
    assertThat(AwsProfile.load("x", other.resolve("cfg"), null).region()).contains("ap-south-1");
    // No files: the default profile is empty; a named one is an error naming the files.
    Map<String, String> nowhere = env("HOME", home.resolve("nobody").toString());
    assertThat(AwsProfile.load(nowhere, null).credentials()).isEmpty();
    assertThatThrownBy(() -> AwsProfile.load(env("AWS_PROFILE", "missing"), null))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("The AWS profile 'missing' is not defined in " + home.resolve(".aws/config"))
        .hasMessageContaining("[profile missing]");
  }

  @Test
  void endpoint_fromTheServicesSection_thenTheProfile_unlessIgnored() throws Exception {
    write("config", "[profile a]\nendpoint_url = http://profile.example:9000\nservices = s\n"
        + "[services s]\ns3 =\n  endpoint_url = http://s3.example:9000\n"
        + "[profile b]\nendpoint_url = http://profile.example:9000\n"
        + "[profile c]\nendpoint_url = http://profile.example:9000\nignore_configured_endpoint_urls = true\n"
        + "[profile d]\nservices = nowhere\n");
    assertThat(AwsProfile.load(env(), "a").endpoint()).contains(URI.create("http://s3.example:9000"));
    assertThat(AwsProfile.load(env(), "b").endpoint()).contains(URI.create("http://profile.example:9000"));
    assertThat(AwsProfile.load(env(), "c").endpoint()).isEmpty();
    assertThat(AwsProfile.load(env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true"), "b").endpoint()).isEmpty();
    assertThatThrownBy(() -> AwsProfile.load(env(), "d"))
        .hasMessageContaining("names services 'nowhere'")
        .hasMessageContaining("add a [services nowhere] section");
  }

  @Test
  void credentials_incompleteOrFromAnotherSource_areRefusedWithTheFix() throws Exception {
    write("credentials", "[half]\naws_access_key_id = AK\n[role]\nrole_arn = arn:aws:iam::1:role/r\n"
        + "source_profile = default\n[proc]\ncredential_process = /bin/creds\n[sso]\nsso_session = s\n");
    assertThatThrownBy(() -> AwsProfile.load(env(), "half").credentials())
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("sets aws_access_key_id but not aws_secret_access_key");
    for (String[] c : new String[][] {{"role", "role_arn"}, {"proc", "credential_process"}, {"sso", "sso_session"}}) {
      assertThatThrownBy(() -> AwsProfile.load(env(), c[0]).credentials())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("gets its credentials from " + c[1])
          .hasMessageContaining("aws configure export-credentials --profile " + c[0]);
    }
  }

  /* build() with the environment given as a map; path-style whenever an endpoint came from outside. */
  private BlobConfig build(BlobConfig.Builder b, Map<String, String> env) {
    return b.environment(env).build();
  }

  @Test
  void build_settingsComeFromTheBuilder_thenTheProfileGiven_thenVariables_thenTheEnvironmentsProfile()
      throws Exception {
    write("config", "[default]\nregion = eu-west-1\nendpoint_url = http://default.example:9000\n"
        + "[profile given]\nregion = eu-central-1\nendpoint_url = http://given.example:9000\n"
        + "[profile bare]\n");
    write("credentials", "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = s\n"
        + "[given]\naws_access_key_id = AKGIVEN\naws_secret_access_key = s\n");
    // Only the environment's profile.
    BlobConfig c = build(BlobConfig.builder(), env());
    assertThat(c.endpoint()).isEqualTo(URI.create("http://default.example:9000"));
    assertThat(c.region()).isEqualTo("eu-west-1");
    assertThat(c.credentials().accessKeyId()).isEqualTo("AKDEF");
    assertThat(c.pathStyle()).isTrue();
    // Variables win over the environment's profile.
    Map<String, String> vars = env("AWS_ENDPOINT_URL", "http://var.example:1", "AWS_ENDPOINT_URL_S3", "http://var-s3.example:2",
        "AWS_DEFAULT_REGION", "sa-east-1", "AWS_ACCESS_KEY_ID", "AKVAR", "AWS_SECRET_ACCESS_KEY", "s");
    c = build(BlobConfig.builder(), vars);
    assertThat(c.endpoint()).isEqualTo(URI.create("http://var-s3.example:2"));
    assertThat(c.region()).isEqualTo("sa-east-1");
    assertThat(c.credentials().accessKeyId()).isEqualTo("AKVAR");
    vars.put("AWS_REGION", "ca-central-1");
    vars.remove("AWS_ENDPOINT_URL_S3");
    c = build(BlobConfig.builder(), vars);
    assertThat(c.region()).isEqualTo("ca-central-1");
    assertThat(c.endpoint()).isEqualTo(URI.create("http://var.example:1"));
    // The profile given wins over the variables; the builder over everything.
    c = build(BlobConfig.builder().profile(AwsProfile.load(env(), "given")), vars);
    assertThat(c.endpoint()).isEqualTo(URI.create("http://given.example:9000"));
    assertThat(c.region()).isEqualTo("eu-central-1");
    assertThat(c.credentials().accessKeyId()).isEqualTo("AKGIVEN");
    c = build(BlobConfig.builder().endpoint("http://code.example:3").region("us-west-1")
        .credentials(Credentials.of("AKCODE", "s")).profile(AwsProfile.load(env(), "given")), vars);
    assertThat(c.endpoint()).isEqualTo(URI.create("http://code.example:3"));
    assertThat(c.region()).isEqualTo("us-west-1");
    assertThat(c.credentials().accessKeyId()).isEqualTo("AKCODE");
    // A bare profile given: the variables fill in, the environment's profile does not.
    c = build(BlobConfig.builder().profile(AwsProfile.load(env(), "bare")), vars);
    assertThat(c.endpoint()).isEqualTo(URI.create("http://var.example:1"));
    assertThat(c.credentials().accessKeyId()).isEqualTo("AKVAR");
    c = build(BlobConfig.builder().profile(AwsProfile.load(env(), "bare")), env("AWS_ACCESS_KEY_ID", "AKV", "AWS_SECRET_ACCESS_KEY", "s"));
    assertThat(c.endpoint()).isEqualTo(URI.create("https://s3.us-east-1.amazonaws.com"));
    assertThat(c.region()).isEqualTo("us-east-1");
    assertThat(c.pathStyle()).isFalse();
    assertThat(c.checksum()).isEqualTo(ChecksumAlgorithm.CRC32C);
    // Ignoring configured endpoints: AWS's, in the region found.
    c = build(BlobConfig.builder(), env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", "AWS_ENDPOINT_URL", "http://var.example:1"));
    assertThat(c.endpoint()).isEqualTo(URI.create("https://s3.eu-west-1.amazonaws.com"));
  }

  @Test
  void build_nothingFound_orBadValues_failWithTheSource() throws Exception {
    Map<String, String> nowhere = env("HOME", home.resolve("nobody").toString());
    assertThatThrownBy(() -> build(BlobConfig.builder(), nowhere))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("No credentials")
        .hasMessageContaining("AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set")
        .hasMessageContaining("the AWS profile 'default' has none");
    assertThatThrownBy(() -> build(BlobConfig.builder(), env("AWS_ACCESS_KEY_ID", "AK")))
        .hasMessageContaining("AWS_SECRET_ACCESS_KEY is not set");
    Map<String, String> creds = env("AWS_ACCESS_KEY_ID", "AK", "AWS_SECRET_ACCESS_KEY", "s");
    creds.put("AWS_REGION", "EU West");
    assertThatThrownBy(() -> build(BlobConfig.builder(), creds))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AWS_REGION must be lower-case letters and digits in words joined by single dashes")
        .hasMessageContaining("but was 'EU West'");
    creds.put("AWS_REGION", "eu-");
    assertThatThrownBy(() -> build(BlobConfig.builder(), creds))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AWS_REGION must be")
        .hasMessageContaining("but was 'eu-'");
    creds.remove("AWS_REGION");
    creds.put("AWS_ENDPOINT_URL", "ftp://x");
    assertThatThrownBy(() -> build(BlobConfig.builder(), creds))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AWS_ENDPOINT_URL: endpoint must be an absolute http or https URI");
    creds.put("AWS_ENDPOINT_URL", "http://user:s3cret@127.0.0.1:9000");
    assertThatThrownBy(() -> build(BlobConfig.builder(), creds))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("AWS_ENDPOINT_URL: endpoint must have no user-info")
        .message()
        .doesNotContain("s3cret");
    creds.remove("AWS_ENDPOINT_URL");
    write("config", "[default]\nendpoint_url = http://x.example/path\n");
    assertThatThrownBy(() -> build(BlobConfig.builder(), creds))
        .hasMessageContaining("the endpoint_url of AwsProfile[default")
        .hasMessageContaining("must have no path");
    write("config", "[default]\nregion\n");
    assertThatThrownBy(() -> build(BlobConfig.builder(), creds))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(home.resolve(".aws/config") + ", line 2: a property must be 'name = value'");
    // Set on the builder, nothing is read: not even a broken file.
    assertThat(build(BlobConfig.builder().endpoint("http://127.0.0.1:1").region("us-east-1")
            .credentials(Credentials.of("AK", "s")), creds).region())
        .isEqualTo("us-east-1");
  }
}
