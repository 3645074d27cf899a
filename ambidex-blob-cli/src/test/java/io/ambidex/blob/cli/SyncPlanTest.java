package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What {@code sync} plans from the two sides' entries, without a store. */
class SyncPlanTest {
  private static final Instant T = Instant.parse("2026-01-01T00:00:00Z");

  private static Locations.Entry local(String rel, String problem) {
    return new Locations.Entry(rel, 1, problem == null ? T : null, null, Path.of("/src", rel), null, problem);
  }

  private static Locations.Entry remote(String rel) {
    return new Locations.Entry(rel, 1, T, "etag", null, "p/" + rel, null);
  }

  private static Batch.Job job(String verb, Locations.Entry e) {
    return new Plans.Job(verb, e.relative(), "", 0, bytes -> CompletableFuture.completedFuture(null));
  }

  private static List<String> plan(Map<String, Locations.Entry> source, Map<String, Locations.Entry> target) {
    return Plans.sync(source, target, Plans.Compare.SIZE_AND_TIME, 8 << 20, true, Plans.RemoteParts.NONE,
            e -> job("upload", e), e -> job("delete", e))
        .stream().map(j -> j.verb() + " " + j.source()).toList();
  }

  /*
   * A local directory the walk could not read (permission denied, an I/O error) is one entry
   * with a problem, named after the directory: its files are unknown, not gone. sync --delete
   * deleted every remote object under it (the backup of exactly the files that could not be
   * read), beside the failed entry's error.
   */
  @Test
  void delete_keepsWhatIsUnderAnUnreadableSourceDirectory() {
    Map<String, Locations.Entry> source = new TreeMap<>();
    source.put("a.txt", local("a.txt", null));
    source.put("secret", local("secret", "/src/secret: permission denied; give the user read access"));
    Map<String, Locations.Entry> target = new TreeMap<>();
    target.put("a.txt", remote("a.txt"));
    target.put("secret/key.pem", remote("secret/key.pem"));
    target.put("secret/deep/x", remote("secret/deep/x"));
    target.put("secretary.txt", remote("secretary.txt")); // beside it, not under it
    target.put("gone.txt", remote("gone.txt"));

    assertThat(plan(source, target))
        .containsExactlyInAnyOrder("upload secret", "delete secretary.txt", "delete gone.txt");
  }
}
