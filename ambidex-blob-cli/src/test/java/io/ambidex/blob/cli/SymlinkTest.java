package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.ambidex.s3embedded.EmbeddedS3;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Symbolic links in a local tree are followed, as the AWS CLI follows them, unless
 * --no-follow-symlinks; what cannot be copied (a dangling link, a loop, a FIFO) is skipped with
 * one warning line naming it, and does not fail the command.
 */
@Timeout(120)
class SymlinkTest {
  static EmbeddedS3 s3;
  static ToolHarness tool;

  @TempDir Path dir;
  Path tree;
  boolean fifo;

  @BeforeAll
  static void start() {
    s3 = EmbeddedS3.start(null);
    tool = new ToolHarness(s3);
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  /*
   * tree/a.txt, tree/file-link -> ../outside/f.txt, tree/dir-link -> ../outside, tree/dangling ->
   * nowhere, tree/sub/loop -> .. (the tree itself), tree/pipe (a FIFO, where mkfifo exists).
   */
  @BeforeEach
  void tree() throws Exception {
    Path outside = Files.createDirectories(dir.resolve("outside"));
    Files.writeString(outside.resolve("f.txt"), "outside");
    tree = Files.createDirectories(dir.resolve("tree"));
    Files.writeString(tree.resolve("a.txt"), "a");
    Files.createSymbolicLink(tree.resolve("file-link"), outside.resolve("f.txt"));
    Files.createSymbolicLink(tree.resolve("dir-link"), outside);
    Files.createSymbolicLink(tree.resolve("dangling"), dir.resolve("nowhere"));
    Files.createDirectories(tree.resolve("sub"));
    Files.createSymbolicLink(tree.resolve("sub/loop"), tree);
    fifo = mkfifo(tree.resolve("pipe"));
  }

  private static boolean mkfifo(Path path) {
    try {
      Process p = new ProcessBuilder("mkfifo", path.toString()).redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.exists(path);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private List<String> keys(String bucket) {
    ToolHarness.Run ls = tool.blob("ls", "--recursive", "s3://" + bucket);
    assertThat(ls.code()).as(ls.err()).isZero();
    return ls.out().lines().map(l -> l.substring(l.lastIndexOf(' ') + 1)).toList();
  }

  private void assertWarnings(String err) {
    List<String> lines = err.lines().toList();
    assertThat(lines).anySatisfy(l -> assertThat(l)
        .startsWith("warning: skipping").contains(tree.resolve("dangling").toString()).contains("does not exist"));
    assertThat(lines).anySatisfy(l -> assertThat(l)
        .startsWith("warning: skipping").contains(tree.resolve("sub/loop").toString()).contains("loop"));
    if (fifo) {
      assertThat(lines).anySatisfy(l -> assertThat(l)
          .startsWith("warning: skipping").contains(tree.resolve("pipe").toString()).contains("not a regular file"));
    }
    assertThat(lines.stream().filter(l -> l.startsWith("warning:"))).hasSize(fifo ? 3 : 2);
  }

  /*
   * A file name that is not UTF-8 (byte 0xFF), made by the shell since Java cannot name one: the
   * JDK reads it with U+FFFD, so it would be stored, and come back, under another name. Skipped
   * with a warning, as the AWS CLI skips it; the others go.
   */
  @Test
  void cpRecursive_aNameThatIsNotUtf8_isSkippedWithAWarning() throws Exception {
    Path odd = Files.createDirectories(dir.resolve("odd"));
    Files.writeString(odd.resolve("good.txt"), "good");
    Process p = new ProcessBuilder("sh", "-c", "printf y > \"$(printf 'bad\\377')\"")
        .directory(odd.toFile()).redirectErrorStream(true).start();
    org.junit.jupiter.api.Assumptions.assumeTrue(
        p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0, "no sh to make the file");
    try (var names = Files.list(odd)) {
      org.junit.jupiter.api.Assumptions.assumeTrue(
          names.anyMatch(n -> n.getFileName().toString().indexOf('\uFFFD') >= 0),
          "this JVM does not read the name with U+FFFD (not a UTF-8 locale)");
    }
    assertThat(tool.blob("mb", "s3://not-utf8").code()).isZero();
    ToolHarness.Run r = tool.blob("cp", "--recursive", odd.toString(), "s3://not-utf8/");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err().lines().filter(l -> l.startsWith("warning:")).toList()).singleElement().satisfies(l -> assertThat(l)
        .startsWith("warning: skipping " + odd.resolve("bad"))
        .contains("its name is not valid UTF-8"));
    assertThat(keys("not-utf8")).containsExactly("good.txt");
  }

  @Test
  void cpRecursive_followsLinks_warnsOncePerSkippedEntry() {
    assertThat(tool.blob("mb", "s3://links-cp").code()).isZero();
    ToolHarness.Run r = tool.blob("cp", "--recursive", tree.toString(), "s3://links-cp/");
    assertThat(r.code()).as(r.err()).isZero();
    assertWarnings(r.err());
    assertThat(keys("links-cp")).containsExactlyInAnyOrder("a.txt", "file-link", "dir-link/f.txt");
    ToolHarness.Run cat = tool.blob("cat", "s3://links-cp/file-link");
    assertThat(cat.out()).isEqualTo("outside");
  }

  @Test
  void sync_followsLinks_andASecondSyncHasNothingToDo() {
    assertThat(tool.blob("mb", "s3://links-sync").code()).isZero();
    ToolHarness.Run r = tool.blob("sync", tree.toString(), "s3://links-sync/");
    assertThat(r.code()).as(r.err()).isZero();
    assertWarnings(r.err());
    assertThat(keys("links-sync")).containsExactlyInAnyOrder("a.txt", "file-link", "dir-link/f.txt");
    ToolHarness.Run again = tool.blob("sync", tree.toString(), "s3://links-sync/");
    assertThat(again.out()).doesNotContain("upload:");
  }

  @Test
  void mvRecursive_followsLinks() {
    assertThat(tool.blob("mb", "s3://links-mv").code()).isZero();
    ToolHarness.Run r = tool.blob("mv", "--recursive", tree.toString(), "s3://links-mv/");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(keys("links-mv")).containsExactlyInAnyOrder("a.txt", "file-link", "dir-link/f.txt");
    // Moved: the tree's own file, and the link to a file (as a link); the file reached through
    // the linked directory lives outside the tree and stays (it was copied, not moved).
    assertThat(tree.resolve("a.txt")).doesNotExist();
    assertThat(Files.isSymbolicLink(tree.resolve("file-link"))).isFalse();
    assertThat(dir.resolve("outside").resolve("f.txt")).hasContent("outside");
  }

  @Test
  void cpRecursive_noFollowSymlinks_skipsLinksWithoutWarning() {
    assertThat(tool.blob("mb", "s3://links-nofollow").code()).isZero();
    ToolHarness.Run r = tool.blob("cp", "--recursive", "--no-follow-symlinks", tree.toString(), "s3://links-nofollow/");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(keys("links-nofollow")).containsExactly("a.txt");
    assertThat(r.err().lines().filter(l -> l.startsWith("warning:")).toList())
        .hasSize(fifo ? 1 : 0);
  }

  @Test
  void cpRecursive_rootIsALinkToADirectory_copiesItsFiles() throws IOException {
    assertThat(tool.blob("mb", "s3://links-root").code()).isZero();
    Path link = Files.createSymbolicLink(dir.resolve("root-link"), dir.resolve("outside"));
    ToolHarness.Run r = tool.blob("cp", "--recursive", "--no-follow-symlinks", link.toString(), "s3://links-root/");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(keys("links-root")).containsExactly("f.txt");
  }

  /*
   * sync --delete into a local directory that holds a link to a directory elsewhere: the files
   * reached through the link live outside the destination, and were deleted (with a "delete:"
   * line, in the dry run too) when the source had nothing under the link's name. As mv leaves
   * them, sync leaves them, with one warning line naming each; links to files are links, removed
   * as before, and what the source has is still written through the link.
   */
  @Test
  void syncDelete_intoATree_doesNotDeleteThroughALinkToADirectory() throws Exception {
    assertThat(tool.blob("mb", "s3://link-delete").code()).isIn(0, 1);
    Path only = Files.createDirectories(dir.resolve("only"));
    Files.writeString(only.resolve("a.txt"), "a");
    assertThat(tool.blob("sync", only.toString(), "s3://link-delete/").code()).isZero();
    Path outside = dir.resolve("outside");
    Path mirror = Files.createDirectories(dir.resolve("mirror"));
    Files.createSymbolicLink(mirror.resolve("dir-link"), outside);
    Files.createSymbolicLink(mirror.resolve("file-link"), outside.resolve("f.txt"));

    ToolHarness.Run dry = tool.blob("sync", "--delete", "--dry-run", "s3://link-delete/", mirror.toString());
    assertThat(dry.code()).as(dry.err()).isZero();
    assertThat(dry.out()).doesNotContain("dir-link");

    ToolHarness.Run r = tool.blob("sync", "--delete", "s3://link-delete/", mirror.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(outside.resolve("f.txt")).hasContent("outside");
    assertThat(r.out()).doesNotContain("dir-link").contains("delete: " + mirror.resolve("file-link"));
    assertThat(r.err()).contains("warning: not deleting " + mirror.resolve("dir-link").resolve("f.txt"));
    assertThat(mirror.resolve("file-link")).doesNotExist(); // the link, not its file
    assertThat(mirror.resolve("a.txt")).hasContent("a");
  }
}
