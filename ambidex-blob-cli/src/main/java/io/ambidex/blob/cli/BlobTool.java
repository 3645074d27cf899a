package io.ambidex.blob.cli;

import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.BlobObject;
import io.ambidex.blob.CommonPrefix;
import io.ambidex.blob.Credentials;
import io.ambidex.blob.ListEntry;
import io.ambidex.blob.PutResult;
import io.ambidex.http.TransferProgress;
import io.ambidex.s3embedded.EmbeddedS3;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;

/**
 * {@code blob}: a command-line S3 client built on Ambidex's reference blob client. Without {@code
 * --endpoint} it talks to an embedded S3-compatible store (started in-process on 127.0.0.1) whose
 * objects persist in a data directory, so it works out of the box.
 */
@Command(
    name = "blob",
    mixinStandardHelpOptions = true,
    version = "blob (Ambidex) 0.1.0",
    description = {
      "Copies files to and from S3-compatible object storage.",
      "",
      "Without --endpoint, objects go to an embedded store whose data directory is",
      "--data-dir, else $AMBIDEX_BLOB_HOME, else ~/.local/share/ambidex-blob.",
      "With --endpoint, credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY."
    },
    subcommands = {
      BlobTool.MakeBucket.class,
      BlobTool.Put.class,
      BlobTool.Get.class,
      BlobTool.List.class,
      BlobTool.Remove.class
    })
public final class BlobTool implements Callable<Integer> {
  @Option(
      names = "--endpoint",
      paramLabel = "URL",
      description = "An S3-compatible service, e.g. http://127.0.0.1:9000. Default: the embedded store.")
  URI endpoint;

  @Option(names = "--region", defaultValue = "us-east-1", description = "Signing region (default: ${DEFAULT-VALUE}).")
  String region;

  @Option(names = "--virtual-host", description = "Address buckets as BUCKET.host instead of host/BUCKET.")
  boolean virtualHost;

  @Option(names = "--async", description = "Run the command through AsyncBlobClient instead of BlobClient.")
  boolean async;

  @Option(names = "--no-progress", description = "Do not draw progress bars.")
  boolean noProgress;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Where the embedded store keeps objects.")
  Path dataDir;

  PrintStream out = System.out;
  PrintStream err = System.err;
  boolean forceProgress;

  @Override
  public Integer call() {
    new CommandLine(this).usage(out);
    return 2;
  }

  /**
   * Runs the tool.
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** Runs the tool with the given streams and returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    BlobTool tool = new BlobTool();
    tool.out = out;
    tool.err = err;
    CommandLine cl = new CommandLine(tool);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          err.println("blob: " + oneLine(e));
          return 1;
        });
    return cl.execute(args);
  }

  static Path defaultDataDir() {
    String home = System.getenv("AMBIDEX_BLOB_HOME");
    if (home != null && !home.isBlank()) {
      return Path.of(home);
    }
    String xdg = System.getenv("XDG_DATA_HOME");
    Path base = xdg != null && !xdg.isBlank()
        ? Path.of(xdg)
        : Path.of(System.getProperty("user.home"), ".local", "share");
    return base.resolve("ambidex-blob");
  }

  /** The message of a failure as one line, naming its kind when the message alone is unclear. */
  static String oneLine(Throwable e) {
    Throwable t = e;
    while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    return message.replace('\n', ' ').strip();
  }

  /** Opens a store for one command: the embedded one, or the endpoint's. */
  <T> T withStore(StoreAction<T> action) throws Exception {
    EmbeddedS3 embedded = null;
    try {
      BlobConfig.Builder config = BlobConfig.builder().region(region).pathStyle(!virtualHost);
      if (endpoint == null) {
        embedded = EmbeddedS3.start(dataDir != null ? dataDir : defaultDataDir());
        config.endpoint(embedded.endpoint())
            .credentials(Credentials.of(embedded.accessKey(), embedded.secretKey()));
      } else {
        config.endpoint(endpoint).credentials(Credentials.fromEnvironment());
      }
      try (Store store = async ? Store.async(config.build()) : Store.blocking(config.build())) {
        return action.run(store);
      }
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  interface StoreAction<T> {
    T run(Store store) throws Exception;
  }

  /** A transfer command's work, given the store and where to report progress. */
  interface Transfer<T> {
    T run(Store store, Consumer<TransferProgress> progress) throws Exception;
  }

  /** Runs a transfer with a progress bar on a terminal (none otherwise, or with --no-progress). */
  <T> T transfer(String label, Transfer<T> action) throws Exception {
    ProgressBar bar =
        noProgress || (!onTerminal() && !forceProgress) ? null : new ProgressBar(err, label);
    Consumer<TransferProgress> progress =
        bar == null ? event -> {} : event -> bar.update(event.loaded(), event.total());
    try {
      return withStore(store -> action.run(store, progress));
    } finally {
      if (bar != null) {
        bar.close();
      }
    }
  }

  /*
   * True when the tool talks to a terminal. On JDK 22+ System.console() is not null when output is
   * redirected; Console.isTerminal() (looked up reflectively, since the tool targets release 21)
   * tells the difference.
   */
  static boolean onTerminal() {
    java.io.Console console = System.console();
    if (console == null) {
      return false;
    }
    try {
      return (boolean) java.io.Console.class.getMethod("isTerminal").invoke(console);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return true; // JDK 21: a console exists only for a terminal
    }
  }

  @Command(name = "mb", mixinStandardHelpOptions = true, description = "Makes a bucket.")
  static final class MakeBucket implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(paramLabel = "BUCKET", description = "The bucket's name (or s3://BUCKET).")
    String bucket;

    @Override
    public Integer call() throws Exception {
      String name = bucket.startsWith("s3://") ? S3Uri.parse(bucket).bucket() : bucket;
      tool.withStore(store -> {
        store.createBucket(name);
        return null;
      });
      tool.out.println("make_bucket: " + name);
      return 0;
    }
  }

  @Command(name = "put", mixinStandardHelpOptions = true, description = "Uploads a file.")
  static final class Put implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(index = "0", paramLabel = "FILE", description = "The file to upload.")
    Path file;

    @Parameters(index = "1", paramLabel = "s3://BUCKET/KEY", description = "Where to put it.")
    String target;

    @Override
    public Integer call() throws Exception {
      S3Uri to = S3Uri.parse(target).requireKey("put");
      if (!Files.isRegularFile(file)) {
        throw new IllegalArgumentException(file + " is not a readable file");
      }
      PutResult result =
          tool.transfer("put", (store, progress) -> store.put(to.bucket(), to.key(), file, progress));
      tool.out.println("upload: " + file + " to " + to + " (etag " + result.etag() + ")");
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Downloads an object.")
  static final class Get implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(index = "0", paramLabel = "s3://BUCKET/KEY", description = "The object.")
    String source;

    @Parameters(index = "1", paramLabel = "FILE", description = "Where to write it.")
    Path file;

    @Override
    public Integer call() throws Exception {
      S3Uri from = S3Uri.parse(source).requireKey("get");
      tool.transfer(
          "get",
          (store, progress) -> {
            store.download(from.bucket(), from.key(), file, progress);
            return null;
          });
      tool.out.println("download: " + from + " to " + file);
      return 0;
    }
  }

  @Command(name = "ls", mixinStandardHelpOptions = true, description = "Lists objects and prefixes.")
  static final class List implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(paramLabel = "s3://BUCKET[/PREFIX]", description = "The bucket and an optional prefix.")
    String where;

    @Override
    public Integer call() throws Exception {
      S3Uri at = S3Uri.parse(where);
      tool.withStore(store -> {
        try (Stream<ListEntry> entries = store.list(at.bucket(), at.key())) {
          entries.forEach(e -> tool.out.println(format(e)));
        }
        return null;
      });
      return 0;
    }

    static String format(ListEntry entry) {
      return switch (entry) {
        case CommonPrefix p -> String.format("%30s PRE %s", "", p.prefix());
        case BlobObject o ->
            String.format(
                "%-19s %10d %s",
                o.lastModified() == null ? "-" : o.lastModified().toString().replace('T', ' ').substring(0, 19),
                o.size(),
                o.key());
      };
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true, description = "Deletes an object.")
  static final class Remove implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(paramLabel = "s3://BUCKET/KEY", description = "The object.")
    String target;

    @Override
    public Integer call() throws Exception {
      S3Uri at = S3Uri.parse(target).requireKey("rm");
      tool.withStore(store -> {
        store.delete(at.bucket(), at.key());
        return null;
      });
      tool.out.println("delete: " + at);
      return 0;
    }
  }
}
