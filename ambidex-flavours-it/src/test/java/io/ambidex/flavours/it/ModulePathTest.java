package io.ambidex.flavours.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.module.FindException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ambidex as a user on the module path sees it: the application in {@code src/test/consumer} (a
 * named module, {@code com.example.app}) is compiled with {@code javac --module-path} against the
 * jars of this build, its core processed in its own module, and run with {@code java -m} in a
 * child JVM, one scenario per test.
 *
 * <p>The module path holds what a build tool puts there (Maven's rule): the modules reachable from
 * the application's {@code requires} through module descriptors, down to the first automatic
 * module; every other jar of the test class path goes on the class path. Under {@code mvn verify}
 * the Ambidex entries are the packaged jars; under {@code mvn test} they are {@code target/classes}
 * directories, and those without a descriptor are packed into a jar (with their manifest) first,
 * since the module path takes a descriptor-less directory for a directory of modules.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ModulePathTest {
  private static final Path CONSUMER = Path.of("src/test/consumer").toAbsolutePath();
  private static final String APP = "com.example.app";
  private static final Pattern REQUIRES =
      Pattern.compile("^\\s*requires (?:static )?(?:transitive )?([\\w.]+);", Pattern.MULTILINE);

  @TempDir static Path work;
  private static final List<Path> modulePath = new ArrayList<>();
  private static final List<Path> classPath = new ArrayList<>();
  private static final Map<String, Path> modules = new HashMap<>();
  private static Path compiled;

  @BeforeAll
  static void compileTheConsumer() throws IOException {
    sortTheTestClassPath();
    compiled = work.resolve("app");
    compile(
        compiled,
        "--processor-path",
        join(List.of(entry("ambidex-processor"), modules.get("io.ambidex.annotations"))));
  }

  /* Compiles the consumer into a directory, the processor found through the options given. */
  private static void compile(Path out, String... processorOptions) {
    List<String> args = new ArrayList<>();
    // Warnings are errors, as in this build: a user following docs/modules.md gets none.
    args.addAll(List.of("-Xlint:all,-requires-automatic,-processing,-path", "-Werror"));
    args.addAll(List.of("-d", out.toString(), "-s", Path.of(out + "-src").toString()));
    args.addAll(List.of("--module-path", join(modulePath)));
    args.addAll(List.of(processorOptions));
    args.addAll(List.of("--module-source-path", CONSUMER.toString(), "--module", APP));
    String output = runTool("javac", args);
    assertThat(output).as("javac's output").isEmpty();
  }

  @Test
  void generatedFacades_ofACoreInTheUsersNamedModule_compileAndRun() throws Exception {
    assertThat(run("facades")).containsSubsequence("blocking one", "async two", "reactor three");
  }

  @Test
  void processor_onTheProcessorModulePathAlone_generatesTheFacades() throws Exception {
    Path out = work.resolve("app-processor-module-path");
    compile(out, "--processor-module-path", entry("ambidex-processor").toString());
    assertThat(out.resolve(APP).resolve("com/example/app/echo/AsyncEcho.class")).exists();
    assertThat(run(out, "facades"))
        .containsSubsequence("blocking one", "async two", "reactor three");
  }

  @Test
  void blobFacades_inANamedApplication_useTheEmbeddedStoreAsAnAutomaticModule() throws Exception {
    assertThat(run("blob"))
        .containsSubsequence(
            "blocking hello",
            "async hello",
            "reactor [hello.txt]",
            "rxjava [hello.txt]",
            "mutiny [hello.txt]");
  }

  @Test
  void synchronizerWrapper_ofAnInterfaceInAPackageNotExportedToTheCore_namesTheMissingExport()
      throws Exception {
    assertThat(run("synchronizer"))
        .contains("exported hello you", "both dual hello you")
        .anySatisfy(
            line ->
                assertThat(line)
                    .startsWith("hidden failed: ")
                    .contains(
                        "module com.example.app does not export com.example.app.hidden to"
                            + " io.ambidex.core",
                        "add 'exports com.example.app.hidden to io.ambidex.core;'"));
  }

  @Test
  void syncHttpTransport_inANamedApplication_sendsARequest() throws Exception {
    assertThat(run("http")).contains("http pong");
  }

  /* Runs Main with one scenario in a child JVM; returns its output lines, failing on exit != 0. */
  private static List<String> run(String scenario) throws IOException, InterruptedException {
    return run(compiled, scenario);
  }

  /* Runs Main, compiled into the given directory, with one scenario in a child JVM. */
  private static List<String> run(Path app, String scenario)
      throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Path log = Files.createTempFile(work, scenario, ".log");
    List<String> command = new ArrayList<>(List.of(java, "-Xmx256m"));
    command.addAll(List.of("--module-path", app + File.pathSeparator + join(modulePath)));
    command.addAll(List.of("-cp", join(classPath)));
    command.addAll(List.of("-m", APP + "/com.example.app.Main", scenario));
    Process p =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError(
          "scenario " + scenario + " did not end in 60 s; its output:\n" + Files.readString(log));
    }
    String output = Files.readString(log);
    assertThat(p.exitValue()).as("exit status of scenario %s; output:%n%s", scenario, output)
        .isZero();
    return output.lines().filter(l -> !l.isBlank()).toList();
  }

  private static String runTool(String name, List<String> args) {
    ToolProvider tool =
        ToolProvider.findFirst(name)
            .orElseThrow(() -> new AssertionError("no " + name + " in this JDK"));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
      int status = tool.run(out, out, args.toArray(String[]::new));
      String text = bytes.toString(StandardCharsets.UTF_8);
      assertThat(status).as("%s %s%n%s", name, args, text).isZero();
      return text;
    }
  }

  /*
   * Splits the test class path into module path and class path (see the class comment), and
   * records each module's location by name.
   */
  private static void sortTheTestClassPath() throws IOException {
    String testClassPath =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Path self = Path.of("target").toAbsolutePath();
    Map<Path, Optional<ModuleDescriptor>> entries = new LinkedHashMap<>();
    for (String s : testClassPath.split(File.pathSeparator)) {
      Path p = Path.of(s).toAbsolutePath();
      if (s.isEmpty() || !Files.exists(p) || p.startsWith(self)) {
        continue;
      }
      if (Files.isDirectory(p) && !Files.exists(p.resolve("module-info.class"))) {
        p = packed(p);
      }
      entries.put(p, descriptor(p));
    }
    entries.forEach((p, d) -> d.ifPresent(descriptor -> modules.putIfAbsent(descriptor.name(), p)));
    List<String> roots =
        REQUIRES.matcher(Files.readString(CONSUMER.resolve(APP).resolve("module-info.java")))
            .results()
            .map(m -> m.group(1))
            .filter(name -> !name.startsWith("java.") && !name.startsWith("jdk."))
            .toList();
    Set<String> reached = new LinkedHashSet<>();
    Deque<String> todo = new ArrayDeque<>(roots);
    while (!todo.isEmpty()) {
      String name = todo.pop();
      Path location = modules.get(name);
      if (location == null || !reached.add(name)) {
        continue;
      }
      ModuleDescriptor descriptor = entries.get(location).orElseThrow();
      if (!descriptor.isAutomatic()) {
        descriptor.requires().forEach(r -> todo.add(r.name()));
      }
    }
    for (Path p : entries.keySet()) {
      boolean onModulePath =
          entries.get(p).map(d -> reached.contains(d.name()) && modules.get(d.name()).equals(p))
              .orElse(false);
      (onModulePath ? modulePath : classPath).add(p);
    }
    assertThat(reached).as("modules reached from the consumer's requires").containsAll(roots);
  }

  /* The entry's module as the module path would see it; empty if it cannot be a module. */
  private static Optional<ModuleDescriptor> descriptor(Path entry) {
    try {
      return ModuleFinder.of(entry).findAll().stream().findFirst().map(ModuleReference::descriptor);
    } catch (FindException e) {
      return Optional.empty();
    }
  }

  /* A descriptor-less classes directory as a jar, its own META-INF/MANIFEST.MF kept. */
  private static Path packed(Path classes) {
    String artifactId = classes.getParent().getParent().getFileName().toString();
    Path jar = work.resolve("packed").resolve(artifactId + ".jar");
    Path manifest = classes.resolve("META-INF/MANIFEST.MF");
    List<String> args = new ArrayList<>(List.of("--create", "--file", jar.toString()));
    if (Files.exists(manifest)) {
      args.addAll(List.of("--manifest", manifest.toString()));
    }
    args.addAll(List.of("-C", classes.toString(), "."));
    try {
      Files.createDirectories(jar.getParent());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    runTool("jar", args);
    return jar;
  }

  /* The class path entry of one of this build's artifacts, a jar or its classes directory. */
  private static Path entry(String artifactId) {
    return Stream.concat(modulePath.stream(), classPath.stream())
        .filter(p -> p.getFileName().toString().startsWith(artifactId + "-0")
            || p.getFileName().toString().equals(artifactId + ".jar"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + artifactId + " on the test class path"));
  }

  private static String join(List<Path> paths) {
    return paths.stream().map(Path::toString).collect(Collectors.joining(File.pathSeparator));
  }
}
