package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.blob.Credentials;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The many-object commands end to end, in process, against the embedded store (S3Proxy, SigV4
 * checked) and against moto, each through the blocking client and through the async one
 * ({@code --async}): a tree of nested directories with odd names is copied up, synced, changed,
 * synced again (only what changed moves), copied and synced back byte-identical.
 */
@Timeout(240)
class TransferTest {
  static MotoServer moto;
  static Throwable motoMissing;

  @TempDir Path dir;

  @BeforeAll
  static void startMoto() {
    try {
      moto = MotoServer.start();
    } catch (Throwable t) { // skipped (not installed) is reported per test below
      motoMissing = t;
    }
  }

  @AfterAll
  static void stopMoto() {
    MotoServer.stop(moto);
  }

  static Stream<Arguments> servers() {
    return Stream.of(
        Arguments.of("embedded", false),
        Arguments.of("embedded", true),
        Arguments.of("moto", false),
        Arguments.of("moto", true));
  }

  record Run(int code, String out, String err) {
    List<String> lines() {
      return out.lines().toList();
    }
  }

  /** Runs the tool in process against the server, through the chosen client. */
  final class Tool {
    final String server;
    final boolean async;
    byte[] stdin = new byte[0];

    Tool(String server, boolean async) {
      this.server = server;
      this.async = async;
      if (server.equals("moto") && moto == null) {
        if (motoMissing instanceof RuntimeException r && !(r.getClass().getName().contains("Assumption"))) {
          throw r;
        }
        Assumptions.abort("moto_server is not available: " + motoMissing);
      }
    }

    Run run(String... args) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      List<String> all = new ArrayList<>(List.of("--no-progress"));
      BlobTool tool = new BlobTool();
      if (server.equals("moto")) {
        all.addAll(List.of("--endpoint", moto.endpoint.toString()));
        tool.credentials = Credentials.of("testing", "testing");
      } else {
        all.addAll(List.of("--data-dir", dir.resolve("store").toString()));
      }
      if (async) {
        all.add("--async");
      }
      all.addAll(List.of(args));
      tool.in = new ByteArrayInputStream(stdin);
      int code = BlobTool.run(tool, all.toArray(String[]::new),
          new PrintStream(out, true, StandardCharsets.UTF_8),
          new PrintStream(err, true, StandardCharsets.UTF_8));
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Run ok(String... args) {
      Run r = run(args);
      assertThat(r.code()).as("blob %s\nout: %s\nerr: %s", String.join(" ", args), r.out(), r.err()).isZero();
      return r;
    }
  }

  static String bucket() {
    return "t-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
  }

  /** The relative paths of the tree: nested, with spaces, unicode, '+', '%', '&', '=' and '#'. */
  static final List<String> TREE = List.of(
      "top.txt",
      "a b/c d/e f.txt",
      "a b/ü/ñ 日本語.bin",
      "plus+sign/1+1=2.txt",
      "percent/100%.txt",
      "percent/%41%2F.txt",
      "odd/semi;colon,comma&amp#hash.txt",
      "deep/1/2/3/4/5/leaf.bin",
      "deep/1/2/empty.txt",
      "dots/.hidden",
      "dots/name.with.dots.tar.gz");

  static Path makeTree(Path root) throws IOException {
    Random random = new Random(42);
    int i = 0;
    for (String rel : TREE) {
      Path p = root.resolve(rel);
      Files.createDirectories(p.getParent());
      byte[] data = new byte[rel.contains("empty") ? 0 : 100 + 997 * i++];
      random.nextBytes(data);
      Files.write(p, data);
    }
    return root;
  }

  /** Every file under root, relative path → bytes. */
  static Map<String, String> contents(Path root) throws IOException {
    Map<String, String> all = new TreeMap<>();
    try (Stream<Path> files = Files.walk(root)) {
      for (Path p : files.filter(Files::isRegularFile).toList()) {
        all.put(Locations.relative(root, p), java.util.HexFormat.of().formatHex(Files.readAllBytes(p)));
      }
    }
    return all;
  }

  /** The lines starting with a verb, e.g. "upload: ", sorted. */
  static List<String> verbs(Run r, String verb) {
    return r.lines().stream().filter(l -> l.startsWith(verb + ": ")).sorted().toList();
  }

  @ParameterizedTest(name = "{0}, async={1}")
  @MethodSource("servers")
  void tree_copiedUp_synced_changed_syncedAgain_copiedBackIdentical(String server, boolean async)
      throws Exception {
    Tool blob = new Tool(server, async);
    String bucket = bucket();
    Path tree = makeTree(dir.resolve("tree"));
    blob.ok("mb", "s3://" + bucket);

    Run up = blob.ok("cp", "--recursive", "--concurrency", "4", tree.toString(), "s3://" + bucket + "/t");
    assertThat(verbs(up, "upload")).hasSize(TREE.size());
    assertThat(up.out()).contains("upload: " + tree.resolve("plus+sign/1+1=2.txt") + " to s3://" + bucket + "/t/plus+sign/1+1=2.txt");
    assertThat(up.err()).contains("cp: " + TREE.size() + " done");

    Run listed = blob.ok("ls", "--recursive", "--summarize", "s3://" + bucket + "/t/");
    for (String rel : TREE) {
      assertThat(listed.out()).contains(" t/" + rel + "\n");
    }
    assertThat(listed.out()).contains("Total Objects: " + TREE.size());

    Run same = blob.ok("sync", tree.toString(), "s3://" + bucket + "/t");
    assertThat(verbs(same, "upload")).isEmpty();
    assertThat(same.err()).contains("sync: 0 done");

    // Change: one file grows, one keeps its size but is newer, one is new, one is deleted.
    Files.writeString(tree.resolve("top.txt"), "a longer top than before, surely");
    Path sameSize = tree.resolve("a b/c d/e f.txt");
    byte[] flipped = Files.readAllBytes(sameSize);
    flipped[0] ^= 1;
    Files.write(sameSize, flipped);
    Files.setLastModifiedTime(sameSize, FileTime.from(Instant.now().plus(1, ChronoUnit.HOURS)));
    Files.writeString(tree.resolve("a b/ü/new file+.txt"), "new");
    Files.delete(tree.resolve("dots/.hidden"));

    Run dry = blob.ok("sync", "--delete", "--dry-run", tree.toString(), "s3://" + bucket + "/t/");
    assertThat(dry.lines()).filteredOn(l -> l.startsWith("(dryrun) ")).hasSize(4);
    Run changed = blob.ok("sync", "--delete", tree.toString(), "s3://" + bucket + "/t/");
    assertThat(verbs(changed, "upload")).containsExactly(
        "upload: " + tree.resolve("a b/c d/e f.txt") + " to s3://" + bucket + "/t/a b/c d/e f.txt",
        "upload: " + tree.resolve("a b/ü/new file+.txt") + " to s3://" + bucket + "/t/a b/ü/new file+.txt",
        "upload: " + tree.resolve("top.txt") + " to s3://" + bucket + "/t/top.txt");
    assertThat(verbs(changed, "delete")).containsExactly("delete: s3://" + bucket + "/t/dots/.hidden");
    // By time, the file dated an hour ahead stays "newer" than its upload (as with aws s3 sync);
    // by contents, everything is in place.
    assertThat(blob.ok("sync", "--delete", "--checksum", tree.toString(), "s3://" + bucket + "/t/").out())
        .isEmpty();

    Path back = dir.resolve("back");
    Run down = blob.ok("cp", "--recursive", "s3://" + bucket + "/t/", back.toString());
    assertThat(verbs(down, "download")).hasSize(TREE.size());
    assertThat(contents(back)).isEqualTo(contents(tree));

    Path mirror = dir.resolve("mirror");
    Run first = blob.ok("sync", "s3://" + bucket + "/t", mirror.toString());
    assertThat(verbs(first, "download")).hasSize(TREE.size());
    assertThat(contents(mirror)).isEqualTo(contents(tree));
    assertThat(blob.ok("sync", "s3://" + bucket + "/t", mirror.toString()).out()).isEmpty();
    Files.writeString(mirror.resolve("stray.txt"), "not in the bucket");
    Run pruned = blob.ok("sync", "--delete", "s3://" + bucket + "/t", mirror.toString());
    assertThat(pruned.out().strip()).isEqualTo("delete: " + mirror.resolve("stray.txt"));
    assertThat(contents(mirror)).isEqualTo(contents(tree));

    // Remote to remote: copy, then a sync that finds nothing to do.
    Run copied = blob.ok("cp", "--recursive", "s3://" + bucket + "/t/", "s3://" + bucket + "/copy/");
    assertThat(verbs(copied, "copy")).hasSize(TREE.size());
    assertThat(blob.ok("sync", "s3://" + bucket + "/t/", "s3://" + bucket + "/copy/").out()).isEmpty();

    Run removed = blob.ok("rm", "--recursive", "s3://" + bucket + "/copy");
    assertThat(verbs(removed, "delete")).hasSize(TREE.size());
    Run forced = blob.ok("rb", "--force", "s3://" + bucket);
    assertThat(forced.out()).endsWith("remove_bucket: " + bucket + "\n");
  }

  @ParameterizedTest(name = "{0}, async={1}")
  @MethodSource("servers")
  void checksumAlgorithm_isSentWithTheUpload_andShownByStat(String server, boolean async)
      throws Exception {
    Tool blob = new Tool(server, async);
    String bucket = bucket();
    blob.ok("mb", "s3://" + bucket);
    Path file = Files.writeString(dir.resolve("c.txt"), "checked with CRC-32C");

    blob.ok("--checksum-algorithm", "CRC32C", "cp", file.toString(), "s3://" + bucket + "/c.txt");

    Run stat = blob.ok("stat", "s3://" + bucket + "/c.txt");
    assertThat(stat.out().toLowerCase(java.util.Locale.ROOT)).contains("crc32c");
    Path back = dir.resolve("back.txt");
    blob.ok("--checksum-algorithm", "CRC32C", "cp", "s3://" + bucket + "/c.txt", back.toString());
    assertThat(back).hasContent("checked with CRC-32C");
  }

  /*
   * sync --checksum over objects uploaded in parts of another size than the tool's (by the library
   * here, 6 MiB parts; the tool cuts 8 MiB ones): moto reports the parts, so nothing is copied
   * again, and a changed byte still is. (The embedded store does not report parts: there the same
   * objects are copied again, as they always were.)
   */
  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void syncByChecksum_objectsInPartsOfAnotherSize_areNotCopiedAgain(boolean async) throws Exception {
    Tool blob = new Tool("moto", async);
    String bucket = bucket();
    blob.ok("mb", "s3://" + bucket);
    Path tree = Files.createDirectories(dir.resolve("parts"));
    byte[] data = new byte[13 * 1024 * 1024 + 17];
    new Random(13).nextBytes(data);
    Files.write(tree.resolve("big.bin"), data);
    io.ambidex.blob.BlobConfig sixMib =
        io.ambidex.blob.BlobConfig.builder()
            .endpoint(moto.endpoint)
            .credentials(Credentials.of("testing", "testing"))
            .partSize(6 * 1024 * 1024)
            .multipartThreshold(6 * 1024 * 1024)
            .build();
    try (io.ambidex.blob.BlobClient client = new io.ambidex.blob.BlobClient(sixMib)) {
      assertThat(client.put(bucket, "p/big.bin", tree.resolve("big.bin")).parts()).isEqualTo(3);
      assertThat(client.partLengths(bucket, "p/big.bin"))
          .containsExactly(6L * 1024 * 1024, 6L * 1024 * 1024, 1024L * 1024 + 17);
    }

    Run same = blob.ok("sync", "--checksum", tree.toString(), "s3://" + bucket + "/p/");
    assertThat(verbs(same, "upload")).isEmpty();
    assertThat(blob.ok("sync", "--checksum", "s3://" + bucket + "/p/", tree.toString()).out()).isEmpty();

    data[7 * 1024 * 1024] ^= 1; // same size, other contents
    Files.write(tree.resolve("big.bin"), data);
    Run changed = blob.ok("sync", "--checksum", tree.toString(), "s3://" + bucket + "/p/");
    assertThat(verbs(changed, "upload")).hasSize(1);
  }

  /*
   * Remote to remote by checksum: a multipart upload's copy has a single-part ETag (one
   * CopyObject), so the two ETags never matched and every sync copied it again. The checksums the
   * store keeps for each whole object decide now; a changed byte of the same size still copies.
   */
  @ParameterizedTest(name = "{0} async={1}")
  @CsvSource({"embedded,false", "embedded,true", "moto,false", "moto,true"})
  void syncByChecksum_remoteToRemote_aCopiedMultipartObjectSettles(String store, boolean async)
      throws Exception {
    Tool blob = new Tool(store, async);
    String bucket = bucket();
    blob.ok("mb", "s3://" + bucket);
    byte[] data = new byte[20 * 1024 * 1024 + 3];
    new Random(20).nextBytes(data);
    Path file = dir.resolve("r2r.bin");
    Files.write(file, data);
    String[] crc = {"--checksum-algorithm", "CRC32C"}; // moto's default would be Content-MD5
    blob.ok(concat(crc, "cp", file.toString(), "s3://" + bucket + "/src/r2r.bin"));
    Run first = blob.ok(concat(crc, "sync", "--checksum", "s3://" + bucket + "/src/", "s3://" + bucket + "/dst/"));
    assertThat(verbs(first, "copy")).hasSize(1);
    Run again = blob.ok(concat(crc, "sync", "--checksum", "s3://" + bucket + "/src/", "s3://" + bucket + "/dst/"));
    assertThat(verbs(again, "copy")).as(again.out()).isEmpty();

    data[9 * 1024 * 1024] ^= 1; // same size, other contents
    Files.write(file, data);
    blob.ok(concat(crc, "cp", file.toString(), "s3://" + bucket + "/src/r2r.bin"));
    Run changed = blob.ok(concat(crc, "sync", "--checksum", "s3://" + bucket + "/src/", "s3://" + bucket + "/dst/"));
    assertThat(verbs(changed, "copy")).hasSize(1);
  }

  private static String[] concat(String[] first, String... rest) {
    String[] all = java.util.Arrays.copyOf(first, first.length + rest.length);
    System.arraycopy(rest, 0, all, first.length, rest.length);
    return all;
  }

  /* Uploads file to a fresh bucket's KEY (with the global options given) and returns its stat. */
  private String uploadAndStat(Tool blob, String bucket, Path file, String key, String... global)
      throws Exception {
    java.util.List<String> cp = new java.util.ArrayList<>(java.util.List.of(global));
    cp.addAll(java.util.List.of("cp", file.toString(), "s3://" + bucket + "/" + key));
    blob.ok(cp.toArray(String[]::new));
    return blob.ok("stat", "s3://" + bucket + "/" + key).out().toLowerCase(java.util.Locale.ROOT);
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void embeddedStore_getsCrc32cByDefault_anEndpointGetsContentMd5(boolean async) throws Exception {
    Path file = Files.writeString(dir.resolve("d.txt"), "the default checksum");
    Tool embedded = new Tool("embedded", async);
    String bucket = bucket();
    embedded.ok("mb", "s3://" + bucket);
    assertThat(uploadAndStat(embedded, bucket, file, "d.txt")).contains("crc32c");
    // An explicit choice still wins.
    assertThat(uploadAndStat(embedded, bucket, file, "s.txt", "--checksum-algorithm", "SHA256"))
        .contains("sha256").doesNotContain("crc32c");
    Tool moto = new Tool("moto", async);
    String other = bucket();
    moto.ok("mb", "s3://" + other);
    assertThat(uploadAndStat(moto, other, file, "d.txt")).doesNotContain("crc32c");
  }

  @Test
  void checksumAlgorithm_unknown_isAUsageErrorNamingTheChoices() {
    Tool blob = new Tool("embedded", false);
    Run run = blob.run("--checksum-algorithm", "CRC16", "ls");
    assertThat(run.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(run.err()).contains("--checksum-algorithm").contains("CRC32C").contains("SHA256");
  }

  @ParameterizedTest(name = "{0}, async={1}")
  @MethodSource("servers")
  void singleObjects_pipes_stat_move_filters_json(String server, boolean async) throws Exception {
    Tool blob = new Tool(server, async);
    String bucket = bucket();
    blob.ok("mb", "s3://" + bucket);
    String odd = "in/ü ñ+%20&=#?.txt";

    blob.stdin = "from standard input\n".getBytes(StandardCharsets.UTF_8);
    Run piped = blob.ok("cp", "-", "s3://" + bucket + "/" + odd);
    assertThat(piped.out()).isEqualTo("upload: - to s3://" + bucket + "/" + odd + "\n");
    assertThat(blob.ok("cat", "s3://" + bucket + "/" + odd).out()).isEqualTo("from standard input\n");
    assertThat(blob.ok("cp", "s3://" + bucket + "/" + odd, "-").out()).isEqualTo("from standard input\n");
    // Its --json line gives the bytes it moved: standard input has no size ahead (it said 0).
    blob.stdin = "twelve bytes".getBytes(StandardCharsets.UTF_8);
    assertThat(blob.ok("cp", "--json", "-", "s3://" + bucket + "/stdin.json").out())
        .contains("\"size\":12,").contains("\"status\":\"ok\"");

    Run stat = blob.ok("stat", "s3://" + bucket + "/" + odd);
    assertThat(stat.out()).contains("Size:                20 (20 B)").contains("ETag:                ")
        .contains("Content type:        ").contains("Cache control:       -");
    Run statJson = blob.ok("stat", "--json", "s3://" + bucket + "/" + odd);
    assertThat(statJson.out()).startsWith("{\"key\":\"" + odd + "\",\"size\":20,");

    Path file = Files.writeString(dir.resolve("one.txt"), "one");
    Run up = blob.ok("cp", file.toString(), "s3://" + bucket + "/docs/");
    assertThat(up.out()).isEqualTo("upload: " + file + " to s3://" + bucket + "/docs/one.txt\n");
    Path into = Files.createDirectories(dir.resolve("into"));
    blob.ok("cp", "s3://" + bucket + "/docs/one.txt", into.toString());
    assertThat(into.resolve("one.txt")).hasContent("one");
    Run moved = blob.ok("mv", "s3://" + bucket + "/docs/one.txt", "s3://" + bucket + "/moved.txt");
    assertThat(moved.out()).isEqualTo("move: s3://" + bucket + "/docs/one.txt to s3://" + bucket + "/moved.txt\n");
    Run missing = blob.run("stat", "s3://" + bucket + "/docs/one.txt");
    assertThat(missing.code()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(missing.err().lines().count()).isEqualTo(1);
    blob.ok("mv", file.toString(), "s3://" + bucket + "/local-moved.txt");
    assertThat(file).doesNotExist();

    Path tree = makeTree(dir.resolve("tree"));
    Run filtered = blob.ok("cp", "--recursive", "--exclude", "*", "--include", "*.txt", "--exclude", "percent/*",
        tree.toString(), "s3://" + bucket + "/f/");
    assertThat(verbs(filtered, "upload")).extracting(l -> l.substring(l.lastIndexOf(" to ") + 4))
        .containsExactlyInAnyOrder(
            "s3://" + bucket + "/f/top.txt",
            "s3://" + bucket + "/f/a b/c d/e f.txt",
            "s3://" + bucket + "/f/plus+sign/1+1=2.txt",
            "s3://" + bucket + "/f/odd/semi;colon,comma&amp#hash.txt",
            "s3://" + bucket + "/f/deep/1/2/empty.txt");

    Run json = blob.ok("rm", "--recursive", "--json", "s3://" + bucket + "/f/");
    List<String> lines = json.lines();
    assertThat(lines).hasSize(6);
    assertThat(lines.subList(0, 5)).allMatch(l -> l.startsWith("{\"op\":\"delete\",") && l.endsWith("\"status\":\"ok\"}"));
    assertThat(lines.get(5)).startsWith("{\"summary\":\"rm\",\"succeeded\":5,\"failed\":0,\"notDone\":0,");

    Run human = blob.ok("ls", "--recursive", "--human-readable", "--summarize", "s3://" + bucket);
    assertThat(human.out()).contains("   Total Size: ").contains(" B ");
    Run notEmpty = blob.run("rb", "s3://" + bucket);
    assertThat(notEmpty.code()).isEqualTo(ExitCodes.FAILED);
    assertThat(notEmpty.err()).startsWith("blob: ").hasLineCount(1);
    blob.ok("rb", "--force", "s3://" + bucket);
  }
}
