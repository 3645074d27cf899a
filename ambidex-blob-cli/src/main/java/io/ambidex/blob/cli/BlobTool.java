package io.ambidex.blob.cli;

import io.ambidex.blob.AwsProfile;
import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.ChecksumAlgorithm;
import io.ambidex.blob.BlobObject;
import io.ambidex.blob.Bucket;
import io.ambidex.blob.CommonPrefix;
import io.ambidex.blob.Credentials;
import io.ambidex.blob.ListEntry;
import io.ambidex.blob.ObjectDetails;
import io.ambidex.blob.PutOptions;
import io.ambidex.blob.PutResult;
import io.ambidex.http.TransferProgress;
import io.ambidex.s3embedded.EmbeddedS3;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.slf4j.LoggerFactory;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code blob}: a command-line S3 client built on Ambidex's reference blob client, with the
 * commands and conventions of {@code aws s3}. Without {@code --endpoint} it talks to an embedded
 * S3-compatible store (started in-process on 127.0.0.1) whose objects persist in a data directory,
 * so it works out of the box. Many objects move at once through a bounded {@link Batch}; exit
 * codes are listed in {@link ExitCodes}.
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
      "With --endpoint or --profile (or AWS_ENDPOINT_URL set), the store is remote and the",
      "credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, else the AWS profile",
      "(--profile, else AWS_PROFILE, else default) of ~/.aws/credentials and ~/.aws/config."
    },
    footer = {"", ExitCodes.FOOTER})
// The subcommands are registered by commandLine(), not here: see SUBCOMMANDS.
public final class BlobTool implements Callable<Integer> {
  // The global options are inherited: taken after the command too, as aws takes its own
  // (aws s3 ls s3://b --endpoint-url URL), and listed in each command's help; picocli sets them
  // on this object wherever they are written.
  @Option(
      scope = ScopeType.INHERIT,
      names = "--endpoint",
      paramLabel = "URL",
      description = "An S3-compatible service, e.g. http://127.0.0.1:9000. Default: the embedded store.")
  URI endpoint;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--region",
      description = "Signing region. Default: AWS_REGION, AWS_DEFAULT_REGION, the profile's"
          + " region, else us-east-1.")
  String region;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--profile",
      paramLabel = "NAME",
      description = "Use the AWS profile NAME of ~/.aws/config and ~/.aws/credentials: its"
          + " credentials, region and endpoint_url (AWS's endpoint when it has none), as the AWS"
          + " CLI's option of that name does. Default: AWS_PROFILE, else default.")
  String profile;

  @Option(scope = ScopeType.INHERIT, names = "--virtual-host",
      description = "Address buckets as BUCKET.host instead of host/BUCKET.")
  boolean virtualHost;

  @Option(
      scope = ScopeType.INHERIT,
      names = "--checksum-algorithm",
      paramLabel = "ALG",
      description = "The checksum sent with every upload and part, and checked on download:"
          + " ${COMPLETION-CANDIDATES}. Default: CRC32C for the embedded store and AWS"
          + " endpoints; for any other --endpoint, CRC32C if the service refuses a wrong one"
          + " (asked once, at a command's first upload), else MD5 (Content-MD5).")
  ChecksumAlgorithm checksumAlgorithm;

  @Option(scope = ScopeType.INHERIT, names = "--async",
      description = "Run the command through AsyncBlobClient instead of BlobClient.")
  boolean async;

  @Option(scope = ScopeType.INHERIT, names = "--no-progress", description = "Do not draw progress bars.")
  boolean noProgress;

  @Option(scope = ScopeType.INHERIT, names = "--data-dir", paramLabel = "DIR",
      description = "Where the embedded store keeps objects.")
  Path dataDir;

  PrintStream out = System.out;
  PrintStream err = System.err;
  /* The stream under out when the tool made out (run with an OutputStream, as main does): object
   * bytes go there directly, and its first write failure is remembered. Null: out was given. */
  @org.jspecify.annotations.Nullable Output stdout;
  InputStream in = System.in;
  boolean forceProgress;
  /* Credentials for a remote store; null: from the environment or the AWS profile. */
  Credentials credentials;
  /* The environment variables the tool reads (tests give their own). */
  Map<String, String> environment = System.getenv();
  /* Counted down when the command has ended, its store closed: the Ctrl-C hook waits for it. */
  final CountDownLatch finished = new CountDownLatch(1);
  /* Set by the Ctrl-C hook; the batch running then, or the next one, is cancelled. */
  volatile boolean interrupted;
  volatile Batch activeBatch;

  @Override
  public Integer call() {
    commandLine(this).usage(out);
    return ExitCodes.USAGE;
  }

  /**
   * Runs the tool and exits with its exit code (see {@code blob --help}).
   *
   * @param args the command line
   */
  public static void main(String[] args) {
    preload();
    BlobTool tool = new BlobTool();
    tool.in = System.in;
    Thread command = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> tool.interrupt(command), "blob-interrupt"));
    System.exit(run(tool, args, new java.io.FileOutputStream(java.io.FileDescriptor.out), System.err));
  }

  /*
   * Initialises slf4j on a thread of its own while the main thread builds the command line: the
   * HTTP client's classes call it from their static initialisers, and its first call (finding
   * the provider, reading its configuration) took about 30 ms of a no-change sync's critical
   * path. A daemon thread, so it never holds the exit. withStore waits for it before the client's
   * classes load: slf4j does not make a second caller wait for an initialisation under way, it
   * hands out substitute loggers and later prints three lines to stderr about "logging calls
   * during the initialization phase" (seen once by exploratory testing).
   */
  private static void preload() {
    preloading =
        Thread.ofPlatform().daemon().name("blob-preload").start(LoggerFactory::getILoggerFactory);
  }

  private static volatile @org.jspecify.annotations.Nullable Thread preloading;

  /* Waits (a few seconds at most) for preload() to have initialised slf4j; keeps an interrupt. */
  private static void awaitPreload() {
    Thread t = preloading;
    if (t == null) {
      return;
    }
    try {
      t.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt(); // Ctrl-C: the command sees it at its first wait
    }
  }

  /*
   * Ctrl-C (SIGINT) or SIGTERM: the JVM runs this hook and exits once it returns (with 130 for
   * SIGINT). Cancel the batch if one runs, else interrupt the command's thread (a single transfer
   * through either client reacts to it: the blocking call is interrupted, the async wait cancels
   * its future); then hold the exit until the command has ended and closed its client, so that
   * aborts and temporary-file deletions are done. Nothing to do after a normal end.
   */
  void interrupt(Thread command) {
    if (finished.getCount() == 0) {
      return;
    }
    interrupted = true;
    Batch batch = activeBatch;
    if (batch != null) {
      batch.cancel();
    } else {
      command.interrupt();
    }
    try {
      finished.await(120, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Runs the tool with the given streams and returns the exit code. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    return run(new BlobTool(), args, out, err);
  }

  /**
   * Runs the tool with {@code out} as its standard output, whose write failures are seen (a
   * {@code PrintStream} given instead only tells that one happened).
   */
  static int run(BlobTool tool, String[] args, OutputStream out, PrintStream err) {
    Output raw = new Output(out);
    tool.stdout = raw;
    return run(tool, args,
        new PrintStream(new java.io.BufferedOutputStream(raw, 8192), true, System.out.charset()), err);
  }

  static int run(BlobTool tool, String[] args, PrintStream out, PrintStream err) {
    tool.out = out;
    tool.err = err;
    CommandLine cl = commandLine(tool, args);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setParameterExceptionHandler((e, arguments) -> {
      err.println("blob: " + parameterError(e) + dashNamedFile(arguments));
      return ExitCodes.USAGE;
    });
    cl.setExecutionExceptionHandler(
        (e, commandLine, parseResult) -> {
          if (!(Batch.unwrap(e) instanceof ExitCodes.BrokenPipe)) {
            err.println("blob: " + oneLine(e));
          }
          return ExitCodes.of(e);
        });
    try {
      return tool.checkOutput(cl.execute(args));
    } finally {
      tool.finished.countDown();
    }
  }

  /*
   * A file whose name starts with '-' is read as options, and picocli's message then names
   * something else (a missing DST): say how to name it, when such an argument is a file here.
   */
  static String dashNamedFile(String[] arguments) {
    boolean endOfOptions = false;
    for (String a : arguments) {
      if (a.equals("--")) {
        endOfOptions = true;
      } else if (!endOfOptions && a.length() > 1 && a.startsWith("-") && !a.startsWith("--")) {
        try {
          if (Files.exists(Path.of(a))) {
            return " ('" + a + "' is a file here, read as an option: write ./" + a
                + ", or put -- before the paths)";
          }
        } catch (java.nio.file.InvalidPathException ignored) {
          // not a path at all
        }
      }
    }
    return "";
  }

  /*
   * A wrong command line as one line: picocli's message (a value an option's setter refused, such
   * as a filter, gives the setter's), its suggestions for a misspelt name, and where the command's
   * usage is, rather than the whole usage.
   */
  static String parameterError(CommandLine.ParameterException e) {
    String message = e.getMessage();
    for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
      if (t instanceof ExitCodes.UsageError) {
        message = t.getMessage();
      }
    }
    StringBuilder line = new StringBuilder(message == null ? "invalid command line" : message);
    if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      line.append(" (did you mean ").append(String.join(" or ", u.getSuggestions())).append("?)");
    }
    line.append("; see ").append(e.getCommandLine().getCommandSpec().qualifiedName()).append(" --help");
    return line.toString().replace('\n', ' ').strip();
  }

  /*
   * A command that succeeded but whose standard output could not be written (a listing or the
   * lines of a batch to a full disk) fails: exit 1 and one line, or 141 quietly if the reader went
   * away. A command that failed already keeps its code and its message.
   */
  int checkOutput(int code) {
    out.flush();
    if (code != ExitCodes.OK || !out.checkError()) {
      return code;
    }
    RuntimeException failure = outputFailed();
    if (failure instanceof ExitCodes.BrokenPipe) {
      return ExitCodes.BROKEN_PIPE;
    }
    err.println("blob: " + oneLine(failure));
    return ExitCodes.FAILED;
  }

  /* What to throw, or report, when standard output failed. */
  RuntimeException outputFailed() {
    return Output.failed(stdout == null ? null : stdout.failure(), "the output");
  }

  /* Stops a listing at once when standard output fails (a reader gone, a full disk). */
  void checkOutput() {
    if (out.checkError()) {
      throw outputFailed();
    }
  }

  /*
   * The subcommands, in the order `blob --help` lists them. picocli builds a command's model by
   * reading its annotations reflectively, and for all thirteen that was the largest part of a
   * short command's start after the JVM's own (about 70 ms of CPU on the critical path, more
   * while the JIT is busy); so commandLine() registers only the one a command line names.
   */
  private static final java.util.List<Class<?>> SUBCOMMANDS = java.util.List.of(
      MakeBucket.class, RemoveBucket.class, Copy.class, Move.class, Sync.class, List.class,
      Remove.class, Cat.class, Stat.class, Presign.class, Put.class, Get.class, Completion.class);

  /**
   * The tool's command line for {@code args}. When {@code args} name a subcommand (after any
   * global options), only that one is registered; otherwise (none, an unknown or misspelt
   * name, {@code completion}, which describes them all) every one is, so that the usage,
   * picocli's suggestions and the completion script see them all.
   */
  static CommandLine commandLine(BlobTool tool, String... args) {
    CommandLine cl = new CommandLine(tool);
    String named = subcommandNamed(cl.getCommandSpec(), args);
    for (Class<?> subcommand : SUBCOMMANDS) {
      if (named == null || named.equals(nameOf(subcommand))) {
        cl.addSubcommand(subcommand);
      }
    }
    // After the subcommands, so that it reaches them: each --include/--exclude calls its setter,
    // in order.
    return cl.setOverwrittenOptionsAllowed(true).setCaseInsensitiveEnumValuesAllowed(true);
  }

  /*
   * The subcommand args name: the first argument that is neither a global option nor an
   * option's value, if it is a subcommand's name other than completion; else null. Anything
   * unusual (an option the root does not know, clustered flags, "--") gives null: every
   * subcommand is then registered and picocli reports what is wrong as it always did.
   */
  private static @org.jspecify.annotations.Nullable String subcommandNamed(CommandSpec root, String[] args) {
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (arg.startsWith("-")) {
        if (arg.equals("--")) {
          return null;
        }
        int eq = arg.indexOf('=');
        picocli.CommandLine.Model.OptionSpec option =
            root.findOption(eq < 0 ? arg : arg.substring(0, eq));
        if (option == null) {
          return null;
        }
        if (eq < 0 && option.arity().max() > 0) {
          i++;
        }
        continue;
      }
      for (Class<?> subcommand : SUBCOMMANDS) {
        if (subcommand != Completion.class && arg.equals(nameOf(subcommand))) {
          return arg;
        }
      }
      return null;
    }
    return null;
  }

  private static String nameOf(Class<?> subcommand) {
    return subcommand.getAnnotation(Command.class).name();
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
    Throwable t = Batch.unwrap(e);
    while ((t.getMessage() == null || t.getMessage().isBlank()) && t.getCause() != null) {
      t = t.getCause();
    }
    String message = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
    if (t instanceof java.nio.file.NoSuchFileException) {
      message = message + ": no such file or directory; check the path";
    } else if (t instanceof java.nio.file.AccessDeniedException) {
      message = message + ": permission denied; check its permissions";
    } else if (t instanceof io.ambidex.blob.BlobAuthenticationException) {
      message = message + " (check the credentials: AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or"
          + " the AWS profile; and --region)";
    }
    return message.replace('\n', ' ').strip();
  }

  /** Opens a store for one command: the embedded one, or the endpoint's. */
  <T> T withStore(StoreAction<T> action) throws Exception {
    return withStore(0, action);
  }

  /** Opens a store whose connection pool fits {@code concurrency} operations at once. */
  <T> T withStore(int concurrency, StoreAction<T> action) throws Exception {
    return withStore(concurrency, null, action);
  }

  /**
   * Opens a store for a command that uploads to {@code uploadsTo} (null if it uploads nothing):
   * against an endpoint of unknown kind, with no --checksum-algorithm, its first upload finds out
   * whether the service checks CRC32C ({@link UploadChecksum}).
   */
  <T> T withStore(int concurrency, @org.jspecify.annotations.Nullable S3Uri uploadsTo,
      StoreAction<T> action) throws Exception {
    awaitPreload();
    EmbeddedS3 embedded = null;
    try {
      BlobConfig.Builder config = BlobConfig.builder().environment(environment);
      if (region != null) {
        config.region(region);
      }
      if (virtualHost) {
        config.pathStyle(false); // else the client's default: path-style unless AWS's endpoint
      }
      if (checksumAlgorithm != null) {
        config.checksum(checksumAlgorithm);
      }
      if (concurrency > 0) {
        config.maxConnections(Math.max(16, 2 * concurrency));
      }
      if (!remote()) {
        // The tool knows what it started: S3Proxy checks flexible checksums (ARCHITECTURE.md,
        // choice 146), so the embedded store gets the hardware CRC, not MD5.
        if (checksumAlgorithm == null) {
          config.checksum(ChecksumAlgorithm.CRC32C);
        }
        Path store = dataDir != null ? dataDir : defaultDataDir();
        try {
          embedded = EmbeddedS3.start(store);
        } catch (java.io.UncheckedIOException e) {
          String fix = "choose another with --data-dir (or AMBIDEX_BLOB_HOME)";
          if (e.getCause() instanceof java.nio.file.AccessDeniedException) {
            throw new ExitCodes.Refused("the embedded store's data directory " + store
                + ": permission denied; give the user write access or " + fix);
          }
          // The store's message says why (a file in the way, ...); its cause names only a path.
          String message = String.valueOf(e.getMessage());
          int colon = message.indexOf(store + ": ");
          String why =
              colon >= 0
                  ? message.substring(colon + store.toString().length() + 2)
                      .replace("; choose another path", "") // the tool says how, below
                  : oneLine(e.getCause());
          throw new java.io.UncheckedIOException("the embedded store's data directory " + store
              + " cannot be used (" + why + "); " + fix, e.getCause());
        }
        config.region(region != null ? region : "us-east-1") // the environment's is not for it
            .endpoint(embedded.endpoint())
            .credentials(Credentials.of(embedded.accessKey(), embedded.secretKey()));
      } else {
        if (endpoint != null) {
          config.endpoint(endpoint);
        }
        if (profile != null) {
          try {
            config.profile(AwsProfile.load(environment, profile));
          } catch (IllegalStateException e) {
            throw new ExitCodes.UsageError("--profile " + profile + ": " + oneLine(e));
          }
        }
        if (credentials != null) {
          config.credentials(credentials);
        }
      }
      BlobConfig built;
      try {
        built = config.build();
      } catch (IllegalStateException e) {
        String where = endpoint != null ? "--endpoint " + endpoint : "the store";
        throw new ExitCodes.Refused(
            "no credentials for " + where + ": export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY,"
                + " or name an AWS profile that has them with --profile (" + oneLine(e) + ")");
      }
      // An endpoint of unknown kind gets MD5 by default (the library's choice 70); the uploads
      // of this command carry CRC32C instead if the service is found to check it (choice 267).
      UploadChecksum uploads =
          uploadsTo != null && remote() && checksumAlgorithm == null
                  && built.checksum() == ChecksumAlgorithm.MD5
              ? UploadChecksum.probing(uploadsTo, err::println)
              : UploadChecksum.AS_CONFIGURED;
      try (Store store = async ? Store.async(built, uploads) : Store.blocking(built, uploads)) {
        return action.run(store);
      }
    } finally {
      if (embedded != null) {
        embedded.close();
      }
    }
  }

  /*
   * Whether the store is remote: --endpoint or --profile given, or an endpoint in the
   * environment (AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL) as the AWS CLI reads it. AWS_PROFILE
   * alone does not leave the embedded store: it says whose credentials, not where.
   */
  boolean remote() {
    if (endpoint != null || profile != null) {
      return true;
    }
    if ("true".equalsIgnoreCase(environment.getOrDefault("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").strip())) {
      return false;
    }
    return !environment.getOrDefault("AWS_ENDPOINT_URL_S3", "").isBlank()
        || !environment.getOrDefault("AWS_ENDPOINT_URL", "").isBlank();
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
    return transfer(label, null, action);
  }

  /** Runs a transfer that uploads to {@code uploadsTo} (see {@link #withStore(int, S3Uri, StoreAction)}). */
  <T> T transfer(String label, @org.jspecify.annotations.Nullable S3Uri uploadsTo,
      Transfer<T> action) throws Exception {
    ProgressBar bar = showProgress() ? new ProgressBar(err, label) : null;
    Consumer<TransferProgress> progress =
        bar == null ? event -> {} : event -> bar.update(event.loaded(), event.total());
    try {
      return withStore(0, uploadsTo, store -> action.run(store, progress));
    } finally {
      if (bar != null) {
        bar.close();
      }
    }
  }

  boolean showProgress() {
    return !noProgress && (forceProgress || (err == System.err && stderrOnTerminal()));
  }

  /*
   * True when standard error, where progress is drawn, is a terminal, whatever standard input and
   * output are (`blob cat s3://b/k > file` still shows progress; `2> log` gets none). Java has no
   * isatty(2): on Linux, /proc/self/fd/2 names what descriptor 2 is, a terminal being /dev/pts/N
   * or /dev/ttyX; elsewhere (no /proc), the JVM's console, which looks at standard input and output.
   */
  static boolean stderrOnTerminal() {
    return stderrOnTerminal(BlobTool::fd2Target, BlobTool::consoleIsTerminal);
  }

  /**
   * The decision of {@link #stderrOnTerminal()}, given what descriptor 2 links to ({@code null}
   * when that cannot be read) and the console check to fall back on.
   */
  static boolean stderrOnTerminal(
      java.util.function.Supplier<@org.jspecify.annotations.Nullable String> fd2,
      java.util.function.BooleanSupplier console) {
    String target = fd2.get();
    if (target == null) {
      return console.getAsBoolean();
    }
    return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty")
        || target.equals("/dev/console");
  }

  private static @org.jspecify.annotations.Nullable String fd2Target() {
    try {
      return Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
    } catch (java.io.IOException | UnsupportedOperationException | SecurityException e) {
      return null;
    }
  }

  /*
   * The console check: on JDK 22+ System.console() is not null when output is redirected;
   * Console.isTerminal() (looked up reflectively, since the tool targets release 21) tells the
   * difference.
   */
  static boolean consoleIsTerminal() {
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

  /**
   * Runs jobs as a batch with the options' concurrency, reporting each object, and a summary when
   * {@code many}; Ctrl-C (from {@link #main}) cancels it. Returns the exit code.
   */
  int runBatch(Store store, java.util.List<? extends Batch.Job> jobs, BatchOptions options, String what, boolean many) {
    return runBatch(store, jobs, options, what, many, null);
  }

  /**
   * As {@link #runBatch(Store, java.util.List, BatchOptions, String, boolean)}, then, when every
   * job was done (or in a dry run), {@code after}: one more step whose line (text, or a JSON object
   * with {@code --json}) is printed before the summary, which stays the last line.
   */
  int runBatch(Store store, java.util.List<? extends Batch.Job> jobs, BatchOptions options,
      String what, boolean many, @org.jspecify.annotations.Nullable AfterBatch after) {
    Report report = new Report(out, err, options.json, showProgress() && !options.dryRun);
    long bytes = 0;
    for (Batch.Job j : jobs) {
      bytes += j.size();
    }
    report.planned(jobs.size(), bytes);
    if (options.dryRun) {
      for (Batch.Job j : jobs) {
        report.note(options.json
            ? Json.object("op", j.verb(), "source", j.source(), "target", j.target(), "size", j.size(), "status", "dryrun")
            : "(dryrun) " + j.verb() + ": " + j.source() + (j.target().isEmpty() ? "" : " to " + j.target()));
      }
      if (after != null) {
        report.note(after.run(true));
      }
      return ExitCodes.OK;
    }
    java.util.Set<Batch.Job> done = java.util.concurrent.ConcurrentHashMap.newKeySet();
    Batch batch = new Batch(store, options.concurrency, options.failFast, new Batch.Listener() {
      @Override
      public void started(Batch.Job job) {
        report.started(job);
      }

      @Override
      public void bytes(Batch.Job job, long delta) {
        report.bytes(job, delta);
      }

      @Override
      public void succeeded(Batch.Job job) {
        done.add(job);
        report.succeeded(job);
      }

      @Override
      public void failed(Batch.Job job, Throwable failure) {
        report.failed(job, failure);
      }
    });
    activeBatch = batch;
    if (interrupted) {
      batch.cancel();
    }
    try {
      Batch.Outcome outcome = batch.run(jobs);
      if (outcome.interrupted() || outcome.failed() > 0) {
        abortLeftUploads(store, jobs, done);
      }
      int code = ExitCodes.of(outcome);
      try {
        if (code == ExitCodes.OK && after != null) {
          report.note(after.run(false));
        }
      } finally {
        if (many || options.json || outcome.interrupted()) {
          report.summary(what, outcome);
        }
      }
      return code;
    } finally {
      activeBatch = null;
    }
  }

  /** A step after a batch (rb's bucket deletion): given whether it is a dry run, its line. */
  interface AfterBatch {
    String run(boolean dryRun) throws RuntimeException;
  }

  /*
   * After an interrupted or failed batch: the client aborts the multipart uploads it fails or is
   * cancelled in, but through the async client that abort runs after the cancelled future has
   * completed, so it may still be on its way when the batch ends (or not yet started: the upload's
   * creation may still be in flight). So list what is pending under each key an unfinished upload
   * wrote, and abort it, a few rounds until a listing finds nothing.
   */
  private void abortLeftUploads(
      Store store, java.util.List<? extends Batch.Job> jobs, java.util.Set<Batch.Job> done) {
    java.util.List<S3Uri> targets = new ArrayList<>();
    long threshold = store.config().multipartThreshold();
    for (Batch.Job j : jobs) {
      if (j instanceof Plans.Job p && p.uploadTo() != null && !done.contains(j)
          && (p.size() == 0 || p.size() > threshold || p.source().equals("-"))) {
        targets.add(p.uploadTo());
      }
    }
    for (int round = 0; round < 4 && !targets.isEmpty(); round++) {
      boolean found = false;
      for (S3Uri t : targets) {
        try (Stream<io.ambidex.blob.PendingUpload> pending = store.listUploads(t.bucket(), t.key())) {
          for (io.ambidex.blob.PendingUpload u : pending.filter(u -> u.key().equals(t.key())).toList()) {
            found = true;
            Store.await(store.abortUpload(t.bucket(), t.key(), u.uploadId()));
          }
        } catch (RuntimeException e) {
          Throwable why = Batch.unwrap(e);
          if (why instanceof io.ambidex.blob.NoSuchBucketException
              || why instanceof IllegalArgumentException) {
            // A bucket that is not there (or whose name no store takes) holds no upload: the
            // failure already reported says what is wrong, a second line would only mislead.
            continue;
          }
          err.println("blob: could not check " + t + " for a multipart upload left behind ("
              + oneLine(e) + "); abort it with your store's tools if one is listed");
          return;
        }
      }
      if (!found && round > 0) {
        return;
      }
      try {
        Thread.sleep(200L * (round + 1)); // a creation still in flight lands, then is aborted
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Options of the commands that move many objects. */
  static final class BatchOptions {
    @Option(names = "--concurrency", paramLabel = "N", defaultValue = "16",
        description = "How many objects move at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--fail-fast", description = "Stop at the first failure (default: go on, report at the end).")
    boolean failFast;

    @Option(names = {"--dry-run", "--dryrun"}, description = "Print what would be done, do nothing.")
    boolean dryRun;

    @Option(names = "--json", description = "Print one JSON object per object and a summary object.")
    boolean json;

    final java.util.List<Filters.Rule> rules = new ArrayList<>();

    @Option(names = "--exclude", paramLabel = "GLOB",
        description = "Leave out paths matching GLOB (relative to the source; * matches /). Repeatable.")
    void exclude(String glob) {
      rules.add(Filters.rule(false, glob));
    }

    @Option(names = "--include", paramLabel = "GLOB",
        description = "Take back paths matching GLOB; the last matching filter wins. Repeatable.")
    void include(String glob) {
      rules.add(Filters.rule(true, glob));
    }

    Filters filters() {
      return Filters.of(rules);
    }

    void check() {
      if (concurrency < 1 || concurrency > 1024) {
        throw new ExitCodes.UsageError(
            "--concurrency must be from 1 to 1024, but was " + concurrency);
      }
    }
  }

  /** Symbolic links in a local tree ({@code cp}, {@code mv} and {@code sync} from local). */
  static final class LinkOptions {
    boolean follow = true;

    @Option(names = "--follow-symlinks",
        description = "Follow symbolic links to files and directories (the default), as the AWS CLI does.")
    void follow(boolean on) {
      if (on) {
        follow = true;
      }
    }

    @Option(names = "--no-follow-symlinks", description = "Skip symbolic links in a local tree.")
    void noFollow(boolean on) {
      if (on) {
        follow = false;
      }
    }

    /* The walk of a source tree: its skipped entries warned about on standard error. */
    Locations.Walk source(PrintStream err) {
      return new Locations.Walk(follow, warning -> {
        synchronized (err) {
          err.println(warning);
        }
      });
    }
  }

  // ---- buckets ----

  @Command(name = "mb", mixinStandardHelpOptions = true, description = "Makes a bucket.",
      footer = {"", "Example:", "  blob mb s3://photos", "", ExitCodes.FOOTER})
  static final class MakeBucket implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(paramLabel = "BUCKET", description = "The bucket's name (or s3://BUCKET).")
    String bucket;

    @Override
    public Integer call() throws Exception {
      if (bucket.startsWith("s3://") && !S3Uri.parse(bucket).key().isEmpty()) {
        throw new ExitCodes.UsageError(
            "mb makes a bucket, it takes no key: write s3://" + S3Uri.parse(bucket).bucket());
      }
      String name = bucket.startsWith("s3://") ? S3Uri.parse(bucket).bucket() : bucket;
      tool.withStore(store -> Store.await(store.createBucket(name)));
      tool.out.println("make_bucket: " + name);
      return 0;
    }
  }

  @Command(name = "rb", mixinStandardHelpOptions = true,
      description = "Removes a bucket; with --force, deletes its objects first.",
      footer = {"", "Examples:", "  blob rb s3://scratch", "  blob rb --force s3://scratch", "", ExitCodes.FOOTER})
  static final class RemoveBucket implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Mixin BatchOptions options;

    @Parameters(paramLabel = "s3://BUCKET", description = "The bucket.")
    String bucket;

    @Option(names = "--force", description = "Delete every object in the bucket first.")
    boolean force;

    @Override
    public Integer call() throws Exception {
      options.check();
      S3Uri at = S3Uri.parse(bucket.startsWith("s3://") ? bucket : "s3://" + bucket);
      if (!at.key().isEmpty()) {
        throw new ExitCodes.UsageError("rb removes a whole bucket: write s3://" + at.bucket());
      }
      // The bucket is removed after its objects (and not at all in a dry run, with or without
      // --force: without it, --dry-run removed the bucket); its line is text as aws s3 prints it,
      // or with --json an object of the shape every other line has (it was text even then).
      return tool.withStore(options.concurrency, store -> {
        AfterBatch removeBucket = dryRun -> {
          if (!dryRun) {
            Store.await(store.deleteBucket(at.bucket()));
          }
          return options.json
              ? Json.object("op", "remove_bucket", "source", at.toString(), "target", "", "size", 0,
                  "status", dryRun ? "dryrun" : "ok")
              : (dryRun ? "(dryrun) " : "") + "remove_bucket: " + at.bucket();
        };
        java.util.List<Batch.Job> jobs = new ArrayList<>();
        if (force) {
          for (Locations.Entry e : Locations.list(store, at.bucket(), "", Filters.none(), options.concurrency).values()) {
            jobs.add(Plans.delete(store, new S3Uri(at.bucket(), e.key())));
          }
        }
        return tool.runBatch(store, jobs, options, "rb", false, removeBucket);
      });
    }
  }

  // ---- cp, mv ----

  @Command(name = "cp", mixinStandardHelpOptions = true,
      description = {
        "Copies a file or object, or with --recursive a tree: local to remote, remote to",
        "local, or remote to remote. '-' as SRC reads standard input, as DST writes",
        "standard output. Downloads go to a temporary name and are renamed when complete",
        "and verified. Uploads get a content type guessed from each file's name (none for",
        "standard input); a remote copy keeps the source's content type and metadata",
        "unless --content-type, --cache-control, --content-disposition, --content-encoding",
        "or --metadata replace them."
      },
      footer = {"", "Examples:",
        "  blob cp photo.jpg s3://photos/2026/",
        "  blob cp --recursive ./site s3://www/ --exclude '*.tmp'",
        "  blob cp --recursive ./site s3://www/ --cache-control 'max-age=300'",
        "  blob cp app.js.gz s3://www/app.js --content-encoding gzip",
        "  blob cp report.pdf s3://docs/ --metadata owner=ops --metadata year=2026",
        "  blob cp s3://docs/a.pdf s3://docs/b.pdf --content-disposition attachment",
        "  blob cp --recursive s3://www/ ./backup --concurrency 32",
        "  blob cp s3://photos/a.jpg s3://archive/a.jpg",
        "  tar c dir | blob cp - s3://backups/dir.tar --content-type application/x-tar",
        "  blob cp s3://backups/dir.tar - | tar x", "", ExitCodes.FOOTER})
  static class Copy implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Mixin BatchOptions options;

    @Parameters(index = "0", paramLabel = "SRC", description = "A file, directory, s3://BUCKET/KEY, or -.")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "A file, directory, s3://BUCKET/KEY, or -.")
    String target;

    @Option(names = {"-r", "--recursive"}, description = "Copy every file or object under SRC.")
    boolean recursive;

    @Mixin UploadOptions upload;

    @Mixin LinkOptions links;

    boolean move() {
      return false;
    }

    /*
     * Whether a file of the tree was reached through a link to a directory: mv uploads it but
     * leaves it where it is (copied, not moved), since it lives outside the tree, and the same
     * file may be another entry's too (a link to it beside the linked directory), whose upload a
     * deletion would cut. A link to a file is still removed, as a link.
     */
    static boolean throughLinkedDirectory(Path root, String relative) {
      String[] segments = relative.split("/");
      Path at = root;
      for (int i = 0; i < segments.length - 1; i++) {
        at = at.resolve(segments[i]);
        if (Files.isSymbolicLink(at)) {
          return true;
        }
      }
      return false;
    }

    /* S3 refuses a copy onto itself that changes nothing ("InvalidRequest"): say what would. */
    private static final String ONTO_ITSELF =
        "cp onto itself copies nothing; to change the headers or metadata, give the options"
            + " (--content-type, --cache-control, --content-disposition, --content-encoding,"
            + " --metadata)";

    /* A key ending in '/' names a prefix: without --recursive, say so rather than "not found". */
    private void requireObject(S3Uri from, String verb) {
      from.requireKey(verb);
      if (from.key().endsWith("/")) {
        throw new ExitCodes.UsageError(from + " is a prefix; add --recursive to "
            + (move() ? "move" : "copy") + " the objects under it");
      }
    }

    @Override
    public Integer call() throws Exception {
      options.check();
      boolean remoteSource = source.startsWith("s3://");
      boolean remoteTarget = target.startsWith("s3://");
      String verb = move() ? "mv" : "cp";
      if (!remoteSource && !remoteTarget) {
        throw new ExitCodes.UsageError(
            verb + " needs an s3:// address on at least one side; for local copies use cp(1)");
      }
      PutOptions base = upload.base();
      if (source.equals("-") || target.equals("-")) {
        return stream(remoteSource, remoteTarget, verb, base);
      }
      if (!remoteSource) {
        Path from = Path.of(source);
        Locations.checkSource(from, recursive);
        S3Uri to = S3Uri.parse(target);
        if (!recursive && !accepted(from.getFileName() == null ? source : from.getFileName().toString())) {
          return ExitCodes.OK;
        }
        return tool.withStore(options.concurrency, to, store -> {
          java.util.List<Batch.Job> jobs = new ArrayList<>();
          if (recursive) {
            String prefix = Locations.asDirectory(to.key());
            for (Locations.Entry e : Locations.walk(from, options.filters(), links.source(tool.err)).values()) {
              S3Uri key = new S3Uri(to.bucket(), prefix + e.relative());
              jobs.add(e.problem() != null
                  ? Plans.problem("upload", e.path().toString(), key.toString(), e.problem())
                  : Plans.upload(store, e.path(), key, e.size(),
                      move() && !throughLinkedDirectory(from, e.relative()),
                      upload.forName(base, e.path().getFileName().toString())));
            }
          } else {
            String key = to.key().isEmpty() || to.key().endsWith("/")
                ? to.key() + from.getFileName() : to.key();
            jobs.add(Plans.upload(store, from, new S3Uri(to.bucket(), key), Files.size(from), move(),
                upload.forName(base, from.getFileName().toString())));
          }
          return tool.runBatch(store, jobs, options, verb, recursive);
        });
      }
      S3Uri from = S3Uri.parse(source);
      if (!remoteTarget) {
        upload.rejectFor(verb + " from s3:// to a local path");
        Path to = Path.of(target);
        return tool.withStore(options.concurrency, store -> {
          java.util.List<Batch.Job> jobs = new ArrayList<>();
          if (recursive) {
            Locations.checkTargetDirectory(to);
            String prefix = Locations.asDirectory(from.key());
            for (Locations.Entry e : Locations.list(store, from.bucket(), prefix, options.filters(), options.concurrency).values()) {
              Path file = Locations.target(to, e.relative());
              if (file == null) {
                tool.err.println("blob: skipped s3://" + from.bucket() + "/" + e.key()
                    + ": the key cannot be a file name under " + to);
                continue;
              }
              jobs.add(Plans.download(store, new S3Uri(from.bucket(), e.key()), file, e.size(), move()));
            }
          } else {
            requireObject(from, verb);
            if (!accepted(baseName(from.key()))) {
              return ExitCodes.OK;
            }
            Path file = Files.isDirectory(to) || target.endsWith("/") || target.endsWith(java.io.File.separator)
                ? to.resolve(baseName(from.key())) : to;
            jobs.add(Plans.prefixHint(store, Plans.download(store, from, file, 0, move()), from,
                move() ? "move" : "copy"));
            // The directories the download creates are removed again if it leaves no file.
            Path created = Locations.firstMissingAncestor(file);
            try {
              return tool.runBatch(store, jobs, options, verb, false);
            } finally {
              if (created != null && !Files.exists(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Locations.removeEmptyParents(file, created);
              }
            }
          }
          return tool.runBatch(store, jobs, options, verb, recursive);
        });
      }
      S3Uri to = S3Uri.parse(target);
      return tool.withStore(options.concurrency, store -> {
        java.util.List<Batch.Job> jobs = new ArrayList<>();
        if (recursive) {
          String fromPrefix = Locations.asDirectory(from.key());
          String toPrefix = Locations.asDirectory(to.key());
          if (move() && from.bucket().equals(to.bucket()) && fromPrefix.equals(toPrefix)) {
            throw new ExitCodes.UsageError(
                "mv onto itself moves nothing; to change the objects' headers or metadata use cp"
                    + " with the options");
          }
          if (!upload.any() && from.bucket().equals(to.bucket()) && fromPrefix.equals(toPrefix)) {
            throw new ExitCodes.UsageError(ONTO_ITSELF);
          }
          for (Locations.Entry e : Locations.list(store, from.bucket(), fromPrefix, options.filters(), options.concurrency).values()) {
            String key = toPrefix + e.relative();
            jobs.add(Plans.copy(store, new S3Uri(from.bucket(), e.key()),
                new S3Uri(to.bucket(), key), e.size(), move(), replacing(base, key)));
          }
        } else {
          requireObject(from, verb);
          if (!accepted(baseName(from.key()))) {
            return ExitCodes.OK;
          }
          String key = to.key().isEmpty() || to.key().endsWith("/")
              ? to.key() + baseName(from.key()) : to.key();
          if (move() && from.equals(new S3Uri(to.bucket(), key))) {
            throw new ExitCodes.UsageError(
                "mv onto itself moves nothing; to change the object's headers or metadata use cp"
                    + " with the options");
          }
          if (!upload.any() && from.equals(new S3Uri(to.bucket(), key))) {
            throw new ExitCodes.UsageError(ONTO_ITSELF);
          }
          jobs.add(Plans.prefixHint(store,
              Plans.copy(store, from, new S3Uri(to.bucket(), key), 0, move(), replacing(base, key)),
              from, move() ? "move" : "copy"));
        }
        return tool.runBatch(store, jobs, options, verb, recursive);
      });
    }

    /*
     * Whether --include/--exclude let a single file or object through, matched against its name
     * (its path relative to its parent), as aws s3 matches a single path: a path they leave out
     * is not transferred, silently, and the command succeeds.
     */
    private boolean accepted(String name) {
      return options.filters().accepts(name);
    }

    /*
     * What a remote copy to `key` sends: null (the source's metadata is copied) unless a header or
     * metadata option was given; then those options, with a content type guessed from the key
     * unless one was given, as an upload of a file of that name would get.
     */
    private @org.jspecify.annotations.Nullable PutOptions replacing(PutOptions base, String key) {
      return upload.any() ? upload.forName(base, key) : null;
    }

    /* cp - s3://b/k (standard input) and cp s3://b/k - (standard output). */
    private int stream(boolean remoteSource, boolean remoteTarget, String verb, PutOptions base)
        throws Exception {
      if (recursive || move()) {
        throw new ExitCodes.UsageError(
            "'-' streams one object; it does not go with " + (recursive ? "--recursive" : "mv"));
      }
      if (source.equals("-") && remoteTarget) {
        S3Uri to = S3Uri.parse(target).requireKey(verb);
        if (to.key().endsWith("/")) {
          throw new ExitCodes.UsageError(
              "standard input has no file name: write the whole key, e.g. s3://" + to.bucket() + "/"
                  + to.key() + "data.bin");
        }
        return tool.withStore(0, to, store ->
            tool.runBatch(store, java.util.List.of(Plans.uploadStream(store, tool.in, to, base)), options, verb, false));
      }
      if (target.equals("-") && remoteSource) {
        upload.rejectFor(verb + " to standard output");
        S3Uri from = S3Uri.parse(source).requireKey(verb);
        tool.withStore(store -> {
          tool.writeTo(store, from);
          return null;
        });
        return ExitCodes.OK;
      }
      throw new ExitCodes.UsageError("'-' goes with an s3:// address on the other side");
    }
  }

  @Command(name = "mv", mixinStandardHelpOptions = true,
      description = {
        "Moves a file or object, or with --recursive a tree: copies it, then deletes the",
        "source once the copy is complete. Content types, headers and metadata as for cp."
      },
      footer = {"", "Examples:",
        "  blob mv report.pdf s3://docs/2026/",
        "  blob mv --recursive ./outbox s3://inbox/ --metadata source=outbox",
        "  blob mv --recursive s3://inbox/ s3://archive/2026/",
        "  blob mv --recursive s3://exports/ ./exports", "", ExitCodes.FOOTER})
  static final class Move extends Copy {
    @Override
    boolean move() {
      return true;
    }
  }

  static String baseName(String key) {
    String k = key.endsWith("/") ? key.substring(0, key.length() - 1) : key;
    return k.substring(k.lastIndexOf('/') + 1);
  }

  /*
   * Streams an object to standard output; the client checks it against its ETag at the end. The
   * bytes go to the raw stream when the tool has it, so that a failed write throws here and stops
   * the download (closing the stream cancels it); through a given PrintStream, which swallows
   * failures, its error flag is checked after each chunk. A full disk fails the command (exit 1,
   * one line), a reader gone away (broken pipe) stops it quietly (exit 141).
   */
  void writeTo(Store store, S3Uri from) throws Exception {
    out.flush(); // anything printed before comes first
    OutputStream target = stdout != null ? stdout : out;
    WritableByteChannel channel = Channels.newChannel(target);
    try (Stream<ByteBuffer> chunks = store.open(from.bucket(), from.key())) {
      Iterator<ByteBuffer> it = chunks.iterator();
      while (it.hasNext()) {
        ByteBuffer b = it.next();
        while (b.hasRemaining()) {
          channel.write(b);
        }
        if (target == out) {
          checkOutput();
        }
      }
      target.flush();
    } catch (java.io.IOException e) {
      throw Output.failed(e, "the object");
    }
    if (target == out) {
      checkOutput();
    }
  }

  // ---- sync ----

  @Command(name = "sync", mixinStandardHelpOptions = true,
      description = {
        "Makes DST like SRC: copies the files or objects that are new, or changed (a different",
        "size, or a later modification time; with --checksum a different MD5), and with --delete",
        "deletes what DST has and SRC has not. Local to remote, remote to local, remote to remote.",
        "Uploads get a content type guessed from each file's name, as with cp; changed",
        "options alone do not make a file changed."
      },
      footer = {"", "Examples:",
        "  blob sync ./site s3://www/",
        "  blob sync ./site s3://www/ --cache-control 'max-age=300'",
        "  blob sync --delete --exclude '.git/*' . s3://backup/project/",
        "  blob sync --dry-run s3://www/ ./mirror",
        "  blob sync --checksum ./data s3://data/", "", ExitCodes.FOOTER})
  static final class Sync implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Mixin BatchOptions options;

    @Parameters(index = "0", paramLabel = "SRC", description = "A directory or s3://BUCKET[/PREFIX].")
    String source;

    @Parameters(index = "1", paramLabel = "DST", description = "A directory or s3://BUCKET[/PREFIX].")
    String target;

    @Option(names = "--delete", description = "Delete files or objects in DST that are not in SRC.")
    boolean delete;

    @Option(names = "--checksum", description = {
        "Compare contents (MD5 against the ETag), not times. An object uploaded in parts of",
        "another size (by another tool) is compared by the parts the store reports."})
    boolean checksum;

    @Mixin UploadOptions upload;

    @Mixin LinkOptions links;

    @Override
    public Integer call() throws Exception {
      options.check();
      boolean remoteSource = source.startsWith("s3://");
      boolean remoteTarget = target.startsWith("s3://");
      if (!remoteSource && !remoteTarget) {
        throw new ExitCodes.UsageError("sync needs an s3:// address on at least one side");
      }
      if (!remoteSource && Files.exists(Path.of(source)) && !Files.isDirectory(Path.of(source))) {
        throw new ExitCodes.UsageError(source + " is a file; sync copies directories: use blob cp "
            + source + " " + target + " for one file");
      }
      Plans.Compare compare = checksum ? Plans.Compare.CHECKSUM : Plans.Compare.SIZE_AND_TIME;
      Filters filters = options.filters();
      PutOptions base = upload.base();
      if (remoteSource && !remoteTarget) {
        upload.rejectFor("sync from s3:// to a local directory");
      }
      return tool.withStore(options.concurrency, remoteSource ? null : S3Uri.parse(target), store -> {
        long partSize = store.config().partSize();
        java.util.List<Batch.Job> jobs;
        if (!remoteSource) {
          Path from = Path.of(source);
          Locations.checkSource(from, true);
          S3Uri to = S3Uri.parse(target);
          String prefix = Locations.asDirectory(to.key());
          var local = Locations.walkAlongside(from, filters, links.source(tool.err));
          Map<String, Locations.Entry> remote =
              Locations.list(store, to.bucket(), prefix, filters, options.concurrency);
          jobs = Plans.sync(
              Store.await(local),
              remote,
              compare, partSize, delete, remoteParts(store, to.bucket()),
              e -> e.problem() != null
                  ? Plans.problem("upload", e.path().toString(), "s3://" + to.bucket() + "/" + prefix + e.relative(), e.problem())
                  : Plans.upload(store, e.path(), new S3Uri(to.bucket(), prefix + e.relative()), e.size(), false,
                      upload.forName(base, e.path().getFileName().toString())),
              e -> Plans.delete(store, new S3Uri(to.bucket(), e.key())));
        } else if (!remoteTarget) {
          S3Uri from = S3Uri.parse(source);
          Path to = Path.of(target);
          Locations.checkTargetDirectory(to);
          String prefix = Locations.asDirectory(from.key());
          var walked = Files.isDirectory(to)
              ? Locations.walkAlongside(to, filters, new Locations.Walk(links.follow, w -> {}))
              : CompletableFuture.completedFuture(Map.<String, Locations.Entry>of());
          Map<String, Locations.Entry> remote = new LinkedHashMap<>();
          Locations.list(store, from.bucket(), prefix, filters, options.concurrency).forEach((rel, e) -> {
            if (Locations.target(to, rel) != null) {
              remote.put(rel, e);
            } else { // as cp --recursive says it
              tool.err.println("blob: skipped s3://" + from.bucket() + "/" + e.key()
                  + ": the key cannot be a file name under " + to);
            }
          });
          Map<String, Locations.Entry> local = Store.await(walked);
          jobs = Plans.sync(remote, local, compare, partSize, delete, remoteParts(store, from.bucket()),
              e -> Plans.download(store, new S3Uri(from.bucket(), e.key()),
                  Locations.target(to, e.relative()), e.size(), false),
              e -> {
                // A file reached through a link to a directory lives outside the destination (as
                // mv --recursive leaves such a file where it is): --delete does not reach it.
                if (Copy.throughLinkedDirectory(to, e.relative())) {
                  synchronized (tool.err) {
                    tool.err.println("warning: not deleting " + e.path() + ": it is reached through"
                        + " a symbolic link to a directory, outside " + to
                        + "; delete it there if it should go");
                  }
                  return null;
                }
                return Plans.deleteLocalJob(e.path());
              });
        } else {
          S3Uri from = S3Uri.parse(source);
          S3Uri to = S3Uri.parse(target);
          String fromPrefix = Locations.asDirectory(from.key());
          String toPrefix = Locations.asDirectory(to.key());
          jobs = Plans.sync(
              Locations.list(store, from.bucket(), fromPrefix, filters, options.concurrency),
              Locations.list(store, to.bucket(), toPrefix, filters, options.concurrency),
              compare, partSize, delete, remoteChecksums(store, from.bucket(), to.bucket()),
              e -> Plans.copy(store, new S3Uri(from.bucket(), e.key()),
                  new S3Uri(to.bucket(), toPrefix + e.relative()), e.size(), false,
                  upload.any() ? upload.forName(base, e.relative()) : null),
              e -> Plans.delete(store, new S3Uri(to.bucket(), e.key())));
        }
        return tool.runBatch(store, jobs, options, "sync", true);
      });
    }

    /*
     * For --checksum: the parts a listed object was uploaded in, asked only for a multipart ETag
     * that this tool's part size does not reproduce. Empty, so the object is copied again as it
     * would have been, if the store does not tell or fails to.
     */
    private static Plans.RemoteParts remoteParts(Store store, String bucket) {
      return remote ->
          remote.key() == null
              ? java.util.List.of()
              : asked(() -> store.partLengths(bucket, remote.key()), java.util.List.of());
    }

    /*
     * Two remote sides: no part lengths to recompute, but the checksums each store keeps, for
     * objects whose ETags cannot be compared (a multipart one beside a copy's).
     */
    private static Plans.RemoteParts remoteChecksums(Store store, String fromBucket, String toBucket) {
      return new Plans.RemoteParts() {
        @Override
        public java.util.List<Long> of(Locations.Entry remote) {
          return java.util.List.of();
        }

        @Override
        public Map<String, String> checksums(Locations.Entry remote, boolean source) {
          String bucket = source ? fromBucket : toBucket;
          return remote.key() == null
              ? Map.of()
              : asked(() -> store.describe(bucket, remote.key()).thenApply(d -> d.checksums()),
                  Map.of());
        }
      };
    }

    /* What the store answers, or `otherwise` if it cannot; Ctrl-C still stops the planning. */
    private static <T> T asked(java.util.function.Supplier<java.util.concurrent.CompletionStage<T>> ask, T otherwise) {
      try {
        return Store.await(ask.get());
      } catch (java.util.concurrent.CancellationException e) {
        throw e;
      } catch (RuntimeException e) {
        if (Thread.currentThread().isInterrupted()) {
          throw e; // Ctrl-C: stop planning
        }
        return otherwise;
      }
    }
  }

  // ---- ls, rm, cat, stat, presign ----

  @Command(name = "ls", mixinStandardHelpOptions = true,
      description = "Lists objects and prefixes; without a path, the buckets.",
      footer = {"", "Examples:",
        "  blob ls",
        "  blob ls s3://photos/2026/",
        "  blob ls --recursive --human-readable --summarize s3://photos", "", ExitCodes.FOOTER})
  static final class List implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(paramLabel = "s3://BUCKET[/PREFIX]", arity = "0..1",
        description = "The bucket and an optional prefix; none lists the buckets.")
    String where;

    /* Listings of --recursive in flight at once: the other commands' default --concurrency. */
    private static final int LISTINGS_AT_ONCE = 16;

    @Option(names = {"-r", "--recursive"}, description = "List every object under the prefix, all levels.")
    boolean recursive;

    @Option(names = "--human-readable", description = "Sizes in KiB, MiB, GiB.")
    boolean human;

    @Option(names = "--summarize", description = "End with the number of objects and their total size.")
    boolean summarize;

    @Option(names = "--json", description = "One JSON object per entry, and a summary object with --summarize.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      if (where == null) {
        if (recursive || summarize || human) {
          throw new ExitCodes.UsageError(
              "--recursive, --summarize and --human-readable list objects: name a bucket"
                  + " (blob ls s3://BUCKET)");
        }
        tool.withStore(store -> {
          try (Stream<Bucket> buckets = store.listBuckets()) {
            buckets.forEach(b -> {
              tool.out.println(json ? json(b) : format(b));
              tool.checkOutput();
            });
          }
          return null;
        });
        return 0;
      }
      S3Uri at = S3Uri.parse(where);
      tool.withStore(store -> {
        long[] totals = new long[2];
        Consumer<ListEntry> print = e -> {
          if (e instanceof BlobObject o) {
            totals[0]++;
            totals[1] += o.size();
          }
          tool.out.println(json ? json(e) : format(e, human));
          tool.checkOutput();
        };
        if (recursive) {
          // In key order, each "directory" listed on its own, LISTINGS_AT_ONCE at a time.
          Locations.forEachObject(store, at.bucket(), at.key(), LISTINGS_AT_ONCE, print::accept);
        } else {
          try (Stream<ListEntry> entries = store.list(at.bucket(), at.key())) {
            entries.forEach(print);
          }
        }
        if (summarize) {
          if (json) {
            tool.out.println(Json.object("objects", totals[0], "bytes", totals[1]));
          } else {
            tool.out.println();
            tool.out.println("Total Objects: " + totals[0]);
            tool.out.println("   Total Size: " + (human ? ProgressBar.size(totals[1]) : totals[1]));
          }
        }
        return null;
      });
      return 0;
    }

    static String format(ListEntry entry) {
      return format(entry, false);
    }

    static String format(ListEntry entry, boolean human) {
      return switch (entry) {
        case CommonPrefix p -> String.format("%30s PRE %s", "", p.prefix());
        case BlobObject o ->
            String.format(
                "%-19s %10s %s",
                o.lastModified() == null ? "-" : o.lastModified().toString().replace('T', ' ').substring(0, 19),
                human ? ProgressBar.size(o.size()) : Long.toString(o.size()),
                o.key());
      };
    }

    /** As {@code aws s3 ls} prints a bucket: its creation time, then its name. */
    static String format(Bucket bucket) {
      return String.format("%-19s %s",
          bucket.created() == null ? "-" : bucket.created().toString().replace('T', ' ').substring(0, 19),
          bucket.name());
    }

    static String json(Bucket bucket) {
      return Json.object("bucket", bucket.name(),
          "created", bucket.created() == null ? null : bucket.created().toString());
    }

    static String json(ListEntry entry) {
      return switch (entry) {
        case CommonPrefix p -> Json.object("prefix", p.prefix());
        case BlobObject o -> Json.object("key", o.key(), "size", o.size(), "etag", o.etag(),
            "lastModified", o.lastModified() == null ? null : o.lastModified().toString());
      };
    }
  }

  @Command(name = "rm", mixinStandardHelpOptions = true,
      description = "Deletes an object, or with --recursive every object under a prefix.",
      footer = {"", "Examples:",
        "  blob rm s3://photos/2026/cat.jpg",
        "  blob rm --recursive s3://photos/tmp/ --include '*.tmp' --exclude 'keep/*'", "", ExitCodes.FOOTER})
  static final class Remove implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Mixin BatchOptions options;

    @Parameters(paramLabel = "s3://BUCKET/KEY", description = "The object, or the prefix with --recursive.")
    String target;

    @Option(names = {"-r", "--recursive"}, description = "Delete every object under the prefix.")
    boolean recursive;

    @Override
    public Integer call() throws Exception {
      options.check();
      S3Uri at = S3Uri.parse(target);
      if (!recursive) {
        at.requireKey("rm");
        if (!options.filters().accepts(baseName(at.key()))) {
          return ExitCodes.OK; // excluded: not deleted, as aws s3 rm
        }
        // One object is a batch of one, as cp's: its line and a failure are JSON with --json
        // (they were text), and a dry run says what it would do in the same form.
        return tool.withStore(options.concurrency, store ->
            tool.runBatch(store, java.util.List.of(Plans.delete(store, at)), options, "rm", false));
      }
      return tool.withStore(options.concurrency, store -> {
        java.util.List<Batch.Job> jobs = new ArrayList<>();
        String prefix = Locations.asDirectory(at.key());
        for (Locations.Entry e : Locations.list(store, at.bucket(), prefix, options.filters(), options.concurrency).values()) {
          jobs.add(Plans.delete(store, new S3Uri(at.bucket(), e.key())));
        }
        return tool.runBatch(store, jobs, options, "rm", true);
      });
    }
  }

  @Command(name = "cat", mixinStandardHelpOptions = true,
      description = "Writes an object to standard output, checked against its ETag at the end.",
      footer = {"", "Example:", "  blob cat s3://logs/2026/app.log | grep ERROR", "", ExitCodes.FOOTER})
  static final class Cat implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(paramLabel = "s3://BUCKET/KEY", description = "The object.")
    String source;

    @Override
    public Integer call() throws Exception {
      S3Uri from = S3Uri.parse(source).requireKey("cat");
      tool.withStore(store -> {
        tool.writeTo(store, from);
        return null;
      });
      return 0;
    }
  }

  @Command(name = "stat", mixinStandardHelpOptions = true,
      description = {
        "Shows an object's size, ETag, last modification, content type, cache control, content",
        "disposition and encoding, checksums and user metadata."
      },
      footer = {"", "Examples:", "  blob stat s3://photos/cat.jpg", "  blob stat --json s3://photos/cat.jpg", "", ExitCodes.FOOTER})
  static final class Stat implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(paramLabel = "s3://BUCKET/KEY", description = "The object.")
    String source;

    @Option(names = "--json", description = "Print one JSON object.")
    boolean json;

    @Override
    public Integer call() throws Exception {
      S3Uri at = S3Uri.parse(source).requireKey("stat");
      ObjectDetails d = tool.withStore(store -> Store.await(store.describe(at.bucket(), at.key())));
      if (json) {
        tool.out.println(Json.object(
            "key", d.key(), "size", d.size(), "etag", d.etag(),
            "lastModified", d.lastModified() == null ? null : d.lastModified().toString(),
            "contentType", d.contentType(), "cacheControl", d.cacheControl(),
            "contentDisposition", d.contentDisposition(), "contentEncoding", d.contentEncoding(),
            "checksums", d.checksums(), "metadata", d.metadata()));
        return 0;
      }
      tool.out.println(at);
      tool.out.println("  Size:                " + d.size() + " (" + ProgressBar.size(d.size()) + ")");
      tool.out.println("  ETag:                " + d.etag());
      tool.out.println("  Last modified:       " + (d.lastModified() == null ? "-" : d.lastModified()));
      tool.out.println("  Content type:        " + orDash(d.contentType()));
      tool.out.println("  Cache control:       " + orDash(d.cacheControl()));
      tool.out.println("  Content disposition: " + orDash(d.contentDisposition()));
      tool.out.println("  Content encoding:    " + orDash(d.contentEncoding()));
      if (d.checksums().isEmpty()) {
        tool.out.println("  Checksums:           - (none stored by the service)");
      }
      d.checksums().forEach((k, v) -> tool.out.println("  Checksum " + k + ": " + v));
      if (d.metadata().isEmpty()) {
        tool.out.println("  Metadata:            -");
      }
      d.metadata().forEach((k, v) -> tool.out.println("  Metadata " + k + ": " + v));
      return 0;
    }

    private static String orDash(@org.jspecify.annotations.Nullable String value) {
      return value == null ? "-" : value;
    }
  }

  @Command(name = "presign", mixinStandardHelpOptions = true,
      description = {
        "Prints a presigned URL (SigV4 query signing): anyone holding it can make the",
        "request without credentials until it expires. Nothing is sent to the store.",
        "It needs a store that outlives the command (--endpoint, --profile or",
        "AWS_ENDPOINT_URL): the embedded store stops when the command ends."
      },
      footer = {"", "Examples:",
        "  export AWS_ENDPOINT_URL=http://127.0.0.1:9000",
        "  blob presign s3://photos/cat.jpg --expires-in 600",
        "  curl -T file \"$(blob --profile prod presign --method PUT s3://inbox/file)\"", "", ExitCodes.FOOTER})
  static final class Presign implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(paramLabel = "s3://BUCKET/KEY", description = "The object.")
    String target;

    @Option(names = "--expires-in", paramLabel = "SECONDS", defaultValue = "3600",
        description = "Validity in seconds, 1 to 604800 (default: ${DEFAULT-VALUE}).")
    long expiresIn;

    @Option(names = "--method", defaultValue = "GET",
        description = "GET, PUT, HEAD or DELETE (default: ${DEFAULT-VALUE}).")
    String method;

    @Override
    public Integer call() throws Exception {
      S3Uri at = S3Uri.parse(target).requireKey("presign");
      if (expiresIn < 1 || expiresIn > 604_800) {
        throw new ExitCodes.UsageError(
            "--expires-in must be from 1 to 604800 seconds (7 days), but was " + expiresIn);
      }
      if (!tool.remote()) {
        // The embedded store listens on a random port and stops when this command ends: its URL
        // would be dead before anyone could use it.
        throw new ExitCodes.UsageError(
            "presign needs a store that outlives the command: the embedded store stops when blob"
                + " ends, so its URL would not work; name the store with --endpoint URL or --profile"
                + " NAME (or AWS_ENDPOINT_URL)");
      }
      URI uri = tool.withStore(store ->
          store.presign(method.toUpperCase(java.util.Locale.ROOT), at.bucket(), at.key(), Duration.ofSeconds(expiresIn)));
      tool.out.println(uri);
      return 0;
    }
  }

  @Command(name = "completion", mixinStandardHelpOptions = true,
      description = "Prints a bash/zsh completion script for blob.",
      footer = {"", "Examples:",
        "  source <(blob completion)",
        "  blob completion > /etc/bash_completion.d/blob"})
  static final class Completion implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      tool.out.print(AutoComplete.bash("blob", spec.root().commandLine()));
      tool.out.flush();
      return 0;
    }
  }

  // ---- put, get (one object, with a progress bar) ----

  @Command(name = "put", mixinStandardHelpOptions = true,
      description = {
        "Uploads a file, with a content type guessed from its name (see --no-guess-mime-type)."
      },
      footer = {"", "Examples:",
        "  blob put photo.jpg s3://photos/2026/photo.jpg",
        "  blob put photo.jpg s3://photos/2026/          # the key is 2026/photo.jpg",
        "  blob put feed.bin s3://data/feed --content-type application/json",
        "  blob put report.pdf s3://docs/report.pdf --metadata source=etl",
        "", ExitCodes.FOOTER})
  static final class Put implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(index = "0", paramLabel = "FILE", description = "The file to upload.")
    Path file;

    @Parameters(index = "1", paramLabel = "s3://BUCKET/KEY",
        description = "Where to put it; a KEY ending in / (or none) gets the file's name, as with cp.")
    String target;

    @Mixin UploadOptions upload;

    @Override
    public Integer call() throws Exception {
      if (Files.isDirectory(file)) {
        throw new ExitCodes.UsageError(file + " is a directory; put uploads one file: use blob cp"
            + " --recursive " + file + " " + target);
      }
      S3Uri parsed = S3Uri.parse(target);
      PutOptions put = upload.base();
      Locations.checkSource(file, false);
      Path name = file.getFileName();
      // As cp: a key that names a "directory" (or no key) receives the file's name; S3 would
      // otherwise store the bytes under a key ending in '/', which stores take for a directory.
      S3Uri to = (parsed.key().isEmpty() || parsed.key().endsWith("/")) && name != null
          ? new S3Uri(parsed.bucket(), parsed.key() + name)
          : parsed.requireKey("put");
      PutOptions withType = name == null ? put : upload.forName(put, name.toString());
      PutResult result =
          tool.transfer("put", to, (store, progress) ->
              Store.await(store.put(to.bucket(), to.key(), file, withType, progress)));
      tool.out.println("upload: " + file + " to " + to + " (etag " + result.etag() + ")");
      return 0;
    }
  }

  @Command(name = "get", mixinStandardHelpOptions = true, description = "Downloads an object.",
      footer = {"", "Example:", "  blob get s3://photos/2026/photo.jpg photo.jpg", "", ExitCodes.FOOTER})
  static final class Get implements Callable<Integer> {
    @ParentCommand BlobTool tool;

    @Parameters(index = "0", paramLabel = "s3://BUCKET/KEY", description = "The object.")
    String source;

    @Parameters(index = "1", paramLabel = "FILE", description = "Where to write it.")
    Path file;

    @Override
    public Integer call() throws Exception {
      S3Uri from = S3Uri.parse(source).requireKey("get");
      Locations.checkWritableParent(file);
      tool.transfer("get", (store, progress) -> {
        io.ambidex.blob.BlobObject got = Store.await(store.download(from.bucket(), from.key(), file, progress));
        Plans.setModified(file, got.lastModified()); // as cp: a later sync finds it unchanged
        return got;
      });
      tool.out.println("download: " + from + " to " + file);
      return 0;
    }
  }
}
