package io.ambidex.blob.cli;

import io.ambidex.blob.Credentials;
import io.ambidex.s3embedded.EmbeddedS3;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The training run behind {@code bin/blob}'s start-up cache: the tool's common commands, run
 * in-process against an embedded store in a temporary directory, so that a JVM recording an
 * ahead-of-time cache ({@code -XX:AOTCacheOutput}, JDK 25) or a class-data archive sees the
 * classes and the hot methods a real command uses, not only those of whichever command happened
 * to run first. It writes nothing outside its temporary directory, which it deletes.
 *
 * <p>Exits 0 if every command succeeded, 1 otherwise, after printing each failed command on
 * standard error: a cache recorded from a broken run would still work, but the launcher should
 * not keep it without saying so. {@code StartupTrainingTest} runs the same commands, so a change
 * to the tool's command line that breaks the training fails the build.
 */
public final class StartupTraining {
  private static final int FILES_PER_DIRECTORY = 30;
  private static final int DIRECTORIES = 3;

  private StartupTraining() {}

  /**
   * Runs the training.
   *
   * @param args ignored
   * @throws IOException if the temporary directory cannot be made or filled
   */
  public static void main(String[] args) throws IOException {
    Path dir = Files.createTempDirectory("blob-training");
    List<String> failures;
    try {
      failures = train(dir);
    } finally {
      deleteTree(dir);
    }
    failures.forEach(f -> System.err.println("blob training: " + f));
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  /* Builds a tree, then runs the commands on the embedded store, an endpoint, and async. */
  static List<String> train(Path dir) throws IOException {
    Path tree = dir.resolve("tree");
    Random random = new Random(42);
    for (int d = 0; d < DIRECTORIES; d++) {
      Path sub = Files.createDirectories(tree.resolve("dir " + d));
      for (int f = 0; f < FILES_PER_DIRECTORY; f++) {
        byte[] data = new byte[4096];
        random.nextBytes(data);
        Files.write(sub.resolve("file-" + f + (f % 2 == 0 ? ".txt" : ".bin")), data);
      }
    }
    byte[] large = new byte[17 << 20]; // above the 16 MiB multipart threshold
    random.nextBytes(large);
    Path big = Files.write(tree.resolve("large.bin"), large);

    List<String> failures = new ArrayList<>();
    try (EmbeddedS3 server = EmbeddedS3.start(dir.resolve("served"))) {
      Credentials credentials = Credentials.of(server.accessKey(), server.secretKey());
      session(dir, tree, big, List.of("--data-dir", dir.resolve("embedded").toString()), null,
          "embedded", failures);
      session(dir, tree, big, List.of("--endpoint", server.endpoint().toString()), credentials,
          "endpoint", failures);
      session(dir, tree, big, List.of("--async", "--endpoint", server.endpoint().toString()),
          credentials, "async", failures);
    }
    return failures;
  }

  private static void session(
      Path dir,
      Path tree,
      Path big,
      List<String> global,
      @Nullable Credentials credentials,
      String name,
      List<String> failures) {
    String bucket = "training-" + name;
    String root = "s3://" + bucket + "/";
    Path down = dir.resolve("down-" + name);
    List<List<String>> commands = List.of(
        List.of("mb", root),
        List.of("cp", "--recursive", tree.toString(), root + "up/"),
        List.of("sync", tree.toString(), root + "up/"),
        List.of("sync", "--checksum", "--dry-run", tree.toString(), root + "up/"),
        List.of("ls", root),
        List.of("ls", "--recursive", "--human-readable", "--summarize", root),
        List.of("ls", "--recursive", "--json", root + "up/"),
        List.of("stat", root + "up/large.bin"),
        List.of("cat", root + "up/dir 0/file-0.txt"),
        List.of("cp", "--recursive", root + "up/", down.toString()),
        List.of("sync", root + "up/", down.toString()),
        List.of("cp", big.toString(), root + "one/large.bin"),
        List.of("get", root + "one/large.bin", dir.resolve("large-" + name).toString()),
        List.of("cp", root + "up/dir 1/file-1.bin", root + "copy/file-1.bin"),
        List.of("mv", root + "copy/file-1.bin", root + "moved/file-1.bin"),
        // presign refuses the embedded store (its URL dies with the command): remote stores only
        credentials == null ? List.of("stat", root + "up/dir 2/file-2.txt")
            : List.of("presign", root + "up/dir 2/file-2.txt"),
        List.of("rm", "--recursive", root + "up/"),
        List.of("rb", "--force", root));
    PrintStream devNull = new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8);
    for (List<String> command : commands) {
      List<String> args = new ArrayList<>(global);
      args.add("--no-progress");
      args.addAll(command);
      BlobTool tool = new BlobTool();
      tool.credentials = credentials;
      int code = BlobTool.run(tool, args.toArray(String[]::new), devNull, devNull);
      if (code != 0) {
        failures.add("exit " + code + " from blob " + String.join(" ", args));
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

}
