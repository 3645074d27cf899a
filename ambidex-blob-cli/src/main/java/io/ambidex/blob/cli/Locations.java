package io.ambidex.blob.cli;

import io.ambidex.blob.BlobObject;
import io.ambidex.blob.CommonPrefix;
import io.ambidex.blob.ListEntry;
import io.ambidex.control.SyncRuntime;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemLoopException;
import java.nio.file.FileVisitOption;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * The two sides of a transfer: a local tree and a remote prefix, enumerated as entries keyed by
 * their path relative to the root ({@code /}-separated), and the checks of local paths that give
 * one-line errors naming the path and the fix.
 */
final class Locations {
  private Locations() {}

  /**
   * One file or object.
   *
   * @param relative its path under the root, {@code /}-separated
   * @param size its size
   * @param modified its modification time (local) or last modification (remote)
   * @param etag the remote ETag, or null for a local file
   * @param path the local file, or null for an object
   * @param key the object's key, or null for a local file
   * @param problem why it cannot be read (a local file), or null
   */
  record Entry(
      String relative,
      long size,
      @Nullable Instant modified,
      @Nullable String etag,
      @Nullable Path path,
      @Nullable String key,
      @Nullable String problem) {}

  /** What a walk does with symbolic links, and where it reports what it skips. */
  record Walk(boolean followLinks, Consumer<String> warn) {
    /** Follows links; skips silently (the other side of a sync: nothing of it is copied). */
    static final Walk QUIET = new Walk(true, warning -> {});
  }

  /** Every regular file under {@code root}, following links, skipping the rest silently. */
  static Map<String, Entry> walk(Path root, Filters filters) {
    return walk(root, filters, Walk.QUIET);
  }

  /**
   * Every regular file under {@code root}, by relative path; unreadable ones carry a problem.
   * Symbolic links are followed (to files and directories, as the AWS CLI follows them) unless
   * {@code walk.followLinks()} is false, when they are skipped without a word (as asked). What
   * cannot be copied is skipped with one warning line naming it: a dangling link, a loop (a link
   * to a directory above it, detected by the walk, not followed), a FIFO, socket or device. The
   * root itself is always followed: it is what the command line named. Filters apply first: what
   * they leave out is not mentioned.
   */
  static Map<String, Entry> walk(Path root, Filters filters, Walk walk) {
    Map<String, Entry> entries = new TreeMap<>();
    Path start = root;
    if (!walk.followLinks() && Files.isSymbolicLink(root)) {
      try {
        start = root.toRealPath();
      } catch (IOException e) {
        // walkFileTree reports it below
      }
    }
    Path walked = start;
    Set<FileVisitOption> options = walk.followLinks()
        ? EnumSet.of(FileVisitOption.FOLLOW_LINKS)
        : EnumSet.noneOf(FileVisitOption.class);
    try {
      Files.walkFileTree(walked, options, Integer.MAX_VALUE, new SimpleFileVisitor<>() {
        /* The file under the root as named: a root given as a link keeps its name in messages. */
        private Path named(Path file, String rel) {
          return walked == root ? file : root.resolve(rel);
        }

        @Override
        public FileVisitResult visitFile(Path visited, BasicFileAttributes attrs) {
          String rel = relative(walked, visited);
          Path file = named(visited, rel);
          if (!attrs.isRegularFile()) {
            if (filters.accepts(rel)) {
              skipped(file, attrs);
            }
            return FileVisitResult.CONTINUE;
          }
          if (rel.indexOf('\uFFFD') >= 0 && filters.accepts(rel)) {
            // A name that is not UTF-8 (or not the locale's encoding): the JDK decodes its bad
            // bytes as U+FFFD, so it would be stored under another name and come back as such.
            walk.warn().accept("warning: skipping " + file + ": its name is not valid UTF-8, so it"
                + " cannot be stored under that name; rename it (or run with a UTF-8 locale)");
            return FileVisitResult.CONTINUE;
          }
          if (filters.accepts(rel)) {
            String problem = Files.isReadable(file)
                ? null
                : file + ": permission denied; give the user read access (chmod u+r) or exclude it";
            entries.put(rel, new Entry(rel, attrs.size(), attrs.lastModifiedTime().toInstant(),
                null, file, null, problem));
          }
          return FileVisitResult.CONTINUE;
        }

        /* A link or a special file: say why it is not copied, unless links are not followed. */
        private void skipped(Path file, BasicFileAttributes attrs) {
          if (attrs.isSymbolicLink()) {
            if (walk.followLinks()) { // followed, the link's own attributes mean no target
              String to;
              try {
                to = Files.readSymbolicLink(file).toString();
              } catch (IOException | UnsupportedOperationException e) {
                to = "?";
              }
              walk.warn().accept("warning: skipping " + file + ": a symbolic link to " + to
                  + ", which does not exist (or cannot be reached); fix or delete the link, or"
                  + " exclude it");
            }
          } else if (attrs.isOther()) {
            walk.warn().accept("warning: skipping " + file + ": not a regular file (a FIFO,"
                + " socket or device); only files are copied");
          }
        }

        @Override
        public FileVisitResult visitFileFailed(Path visited, IOException e) {
          String rel = relative(walked, visited);
          Path file = named(visited, rel);
          if (e instanceof FileSystemLoopException) {
            if (filters.accepts(rel)) {
              walk.warn().accept("warning: skipping " + file + ": a symbolic link loop (it leads"
                  + " back to a directory above it), not followed");
            }
            return FileVisitResult.CONTINUE;
          }
          if (filters.accepts(rel)) {
            String why = e instanceof AccessDeniedException
                ? ": permission denied; give the user read access (chmod u+rx) or exclude it"
                : ": cannot read it (" + BlobTool.oneLine(e) + ")";
            entries.put(rel, new Entry(rel, 0, null, null, file, null, file + why));
          }
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + root + ": " + BlobTool.oneLine(e), e);
    }
    return entries;
  }

  /**
   * Starts {@link #walk} on a virtual thread of its own and returns at once, so that a command
   * that also lists the store (sync) walks the disk while it waits for the listing's answers.
   * Await the result with {@link Store#await}, which rethrows the walk's failure.
   */
  static CompletableFuture<Map<String, Entry>> walkAlongside(Path root, Filters filters, Walk walk) {
    return CompletableFuture.supplyAsync(
        () -> walk(root, filters, walk), task -> Thread.ofVirtual().name("blob-walk").start(task));
  }

  /* Above this many "directories" under the prefix, one flat listing costs fewer requests. */
  private static final int MAX_PARALLEL_PREFIXES = 1000;

  /**
   * Every object under {@code prefix} (which ends with {@code /} or is empty), by relative key.
   * Lists one level first (delimiter {@code /}); then each "directory" of that level is listed
   * flat, {@code concurrency} at a time (on virtual threads, through {@code
   * SyncRuntime.mapConcurrently}), and merged. A flat listing is paged at 1000 keys and each page
   * waits for the previous one's continuation token, while the directories' listings overlap;
   * some servers (S3Proxy's filesystem store) also answer a listing under a short prefix much
   * faster than a page of a long one. With more than {@value #MAX_PARALLEL_PREFIXES} directories
   * at that level it lists flat instead.
   */
  static Map<String, Entry> list(
      Store store, String bucket, String prefix, Filters filters, int concurrency) {
    Map<String, Entry> entries = new TreeMap<>();
    List<ListEntry> level = level(store, bucket, prefix, MAX_PARALLEL_PREFIXES, Integer.MAX_VALUE);
    if (level == null) {
      try (Stream<BlobObject> objects = store.listAll(bucket, prefix)) {
        objects.forEach(o -> add(entries, o, prefix, filters));
      }
      return entries;
    }
    List<String> directories = new ArrayList<>();
    for (ListEntry e : level) {
      if (e instanceof CommonPrefix p) {
        directories.add(p.prefix());
      } else if (e instanceof BlobObject o) {
        add(entries, o, prefix, filters);
      }
    }
    SyncRuntime runtime = SyncRuntime.create();
    try {
      List<List<BlobObject>> listed = Store.await(runtime.mapConcurrently(
          directories, Math.max(1, concurrency), directory -> {
            try (Stream<BlobObject> objects = store.listAll(bucket, directory)) {
              return CompletableFuture.completedFuture(objects.toList());
            }
          }));
      for (List<BlobObject> objects : listed) {
        objects.forEach(o -> add(entries, o, prefix, filters));
      }
    } finally {
      Store.await(runtime.close());
    }
    return entries;
  }

  /* A directory's listing fetched ahead holds at most this many objects; a larger one is listed
   * again, streamed, when its turn comes. */
  private static final int AHEAD_PER_DIRECTORY = 1000;

  /* Of the level under the prefix, at most this many entries are read before the choice between
   * a listing per directory and one flat listing. */
  private static final int MAX_LEVEL_READ_AHEAD = 100_000;

  /**
   * Hands every object under {@code prefix} (any prefix) to {@code each}, in key order, on the
   * calling thread, as one flat listing would, in bounded memory: the way {@link #list} lists
   * (one level, then each "directory" flat, {@code concurrency} at a time), so that on a server
   * whose long flat listings are slow (S3Proxy's filesystem store, the embedded store: 3.5 s for
   * 10,000 keys in 100 directories) a recursive {@code ls} takes what a sync's listing takes.
   * The level is read first, up to {@value #MAX_LEVEL_READ_AHEAD} entries, and put in key order
   * (a page lists its objects before its directories): with more, or with
   * more than {@value #MAX_PARALLEL_PREFIXES} directories, it lists flat instead. Each directory
   * is fetched ahead (its first {@value #AHEAD_PER_DIRECTORY} objects; a larger one is listed
   * again, streamed, when its turn comes), at most {@code concurrency} directories ahead of the
   * one being handed out. A failure of any listing is thrown here; {@code each} may throw too,
   * and the fetches still running are then interrupted.
   */
  static void forEachObject(
      Store store, String bucket, String prefix, int concurrency, Consumer<BlobObject> each) {
    forEachObject(store, bucket, prefix, concurrency, each, MAX_PARALLEL_PREFIXES,
        MAX_LEVEL_READ_AHEAD, AHEAD_PER_DIRECTORY);
  }

  /** {@link #forEachObject}, with its limits given (tests make them small). */
  static void forEachObject(Store store, String bucket, String prefix, int concurrency,
      Consumer<BlobObject> each, int maxDirectories, int maxLevel, int aheadPerDirectory) {
    List<ListEntry> level = level(store, bucket, prefix, maxDirectories, maxLevel);
    if (level == null) {
      try (Stream<BlobObject> objects = store.listAll(bucket, prefix)) {
        objects.forEach(each);
      }
      return;
    }
    // A page gives its objects, then its directories: in key order (S3's, UTF-8's) together.
    level.sort((x, y) -> utf8Order(name(x), name(y)));
    record Ahead(String directory, CompletableFuture<List<BlobObject>> objects) {}
    ArrayDeque<Ahead> ahead = new ArrayDeque<>();
    ExecutorService fetches = Executors.newThreadPerTaskExecutor(
        Thread.ofVirtual().name("blob-list-", 0).factory());
    try {
      int next = 0; // the first entry of the level not handed out nor fetched yet
      int handed = 0;
      while (handed < level.size()) {
        // Directories ahead of the one handed out next, up to `concurrency` of them.
        while (next < level.size() && ahead.size() < Math.max(1, concurrency)) {
          if (level.get(next) instanceof CommonPrefix p) {
            String directory = p.prefix();
            ahead.addLast(new Ahead(directory, CompletableFuture.supplyAsync(() -> {
              try (Stream<BlobObject> objects = store.listAll(bucket, directory)) {
                return objects.limit(aheadPerDirectory + 1L).toList();
              }
            }, fetches)));
          }
          next++;
        }
        ListEntry e = level.get(handed++);
        if (e instanceof BlobObject o) {
          each.accept(o);
        } else if (e instanceof CommonPrefix) {
          Ahead a = Objects.requireNonNull(ahead.pollFirst(), "a directory fetched ahead");
          List<BlobObject> objects = Store.await(a.objects());
          if (objects.size() <= aheadPerDirectory) {
            objects.forEach(each);
          } else {
            try (Stream<BlobObject> all = store.listAll(bucket, a.directory())) {
              all.forEach(each);
            }
          }
        }
      }
    } finally {
      fetches.shutdownNow();
      fetches.close();
    }
  }

  /*
   * The level under `prefix` (delimiter `/`), in the store's order, or null when it has more than
   * `maxDirectories` directories or `maxLevel` entries: then one flat listing costs fewer
   * requests and less memory than a listing per directory.
   */
  private static @Nullable List<ListEntry> level(
      Store store, String bucket, String prefix, int maxDirectories, int maxLevel) {
    List<ListEntry> level = new ArrayList<>();
    int directories = 0;
    try (Stream<ListEntry> entries = store.list(bucket, prefix)) {
      for (ListEntry e : (Iterable<ListEntry>) entries::iterator) {
        level.add(e);
        if (e instanceof CommonPrefix) {
          directories++;
        }
        if (directories > maxDirectories || level.size() > maxLevel) {
          return null;
        }
      }
    }
    return level;
  }

  private static String name(ListEntry e) {
    return e instanceof CommonPrefix p ? p.prefix() : ((BlobObject) e).key();
  }

  /* S3's order of keys: by their UTF-8 bytes, which is code point order (String.compareTo,
   * by UTF-16 units, puts U+E000..U+FFFF after the supplementary characters). */
  static int utf8Order(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  private static void add(Map<String, Entry> entries, BlobObject o, String prefix, Filters filters) {
    String rel = o.key().substring(Math.min(prefix.length(), o.key().length()));
    if (!rel.isEmpty() && filters.accepts(rel)) {
      entries.put(rel, new Entry(rel, o.size(), o.lastModified(), o.etag(), null, o.key(), null));
    }
  }

  /**
   * {@code file}'s path under {@code root}, {@code /}-separated. A walk resolves each file
   * against its root, so the file's text is the root's, a separator and the rest: that is cut
   * out directly (a tenth of a no-change sync's walk went to {@code relativize} and joining);
   * any other pair goes through {@link Path#relativize}.
   */
  static String relative(Path root, Path file) {
    String r = root.toString();
    String f = file.toString();
    String separator = root.getFileSystem().getSeparator();
    if (!r.isEmpty() && f.startsWith(r) && !r.endsWith(separator)
        && f.startsWith(separator, r.length()) && f.length() > r.length() + separator.length()) {
      String rest = f.substring(r.length() + separator.length());
      if (separator.equals("/")) {
        return rest;
      }
      return rest.replace(separator, "/");
    }
    List<String> parts = new ArrayList<>();
    for (Path p : root.relativize(file)) {
      parts.add(p.toString());
    }
    return String.join("/", parts);
  }

  /** A prefix as a "directory": empty stays empty, else it ends with {@code /}. */
  static String asDirectory(String prefix) {
    return prefix.isEmpty() || prefix.endsWith("/") ? prefix : prefix + "/";
  }

  /**
   * The local file a relative key maps to under {@code root}, or null if the key cannot be a
   * file there: it names a "directory" (ends with {@code /}), or a segment is {@code .}, {@code ..}
   * or empty (it would escape the root or collapse into another name).
   */
  static @Nullable Path target(Path root, String relative) {
    if (relative.endsWith("/")) {
      return null;
    }
    Path p = root;
    for (String segment : relative.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
        return null;
      }
      p = p.resolve(segment);
    }
    return p;
  }

  /** Checks a local source: it exists and is readable; a directory needs {@code recursive}. */
  static void checkSource(Path path, boolean recursive) {
    if (!Files.exists(path)) {
      throw new ExitCodes.NotFound(
          path + ": no such file or directory; check the path (it is relative to "
              + Path.of("").toAbsolutePath() + ")");
    }
    if (Files.isDirectory(path)) {
      if (!recursive) {
        throw new ExitCodes.UsageError(
            path + " is a directory; add --recursive to copy the files under it");
      }
    } else if (recursive) {
      throw new ExitCodes.UsageError(
          path + " is a file, not a directory; drop --recursive to copy one file");
    }
    if (!Files.isReadable(path)) {
      throw new ExitCodes.Refused(
          path + ": permission denied; give the user read access (chmod u+r) or run as its owner");
    }
  }

  /** Checks that files can be written into {@code dir} (created if missing). */
  static void checkTargetDirectory(Path dir) {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new ExitCodes.UsageError(
          dir + " is a file, but a directory is needed here; name a directory (or a new path)");
    }
    Path existing = dir.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing != null && !Files.isDirectory(existing)) {
      throw new ExitCodes.UsageError(
          existing + " is a file, so " + dir + " cannot be created; choose another directory");
    }
    if (existing != null && !Files.isWritable(existing)) {
      throw new ExitCodes.Refused(
          existing + ": permission denied; give the user write access (chmod u+w) or choose another"
              + " directory");
    }
  }

  /**
   * The highest of {@code file}'s ancestors that does not exist yet, which {@link #createParents}
   * would create with those below it; null when the parent directory exists.
   */
  static @Nullable Path firstMissingAncestor(Path file) {
    Path missing = null;
    for (Path p = file.toAbsolutePath().getParent(); p != null && !Files.exists(p, LinkOption.NOFOLLOW_LINKS);
        p = p.getParent()) {
      missing = p;
    }
    return missing;
  }

  /**
   * Deletes {@code file}'s parent directory and its ancestors up to {@code top}, while they are
   * empty: the directories a download made for a file it could not write. Stops at the first one
   * that is not empty, or that cannot be deleted.
   */
  static void removeEmptyParents(Path file, Path top) {
    for (Path p = file.toAbsolutePath().getParent(); p != null && p.startsWith(top);
        p = p.getParent()) {
      try {
        Files.delete(p);
      } catch (IOException e) {
        return; // not empty (DirectoryNotEmptyException), gone, or not ours to delete
      }
    }
  }

  /**
   * Creates the parent directories of a file to write, with a one-line error, and checks that the
   * file can be written there ({@link #checkWritableParent}).
   */
  static void createParents(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    if (Files.isDirectory(parent)) {
      // the common case in a tree: a stat and an access(2), not a mkdir and an exception per file
      checkWritableParent(file);
      return;
    }
    try {
      Files.createDirectories(parent);
    } catch (AccessDeniedException e) {
      throw new ExitCodes.Refused(
          parent + ": permission denied; give the user write access (chmod u+w)");
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot create " + parent + " for " + file.getFileName() + ": "
              + (e instanceof java.nio.file.FileAlreadyExistsException
                  ? "a file has that name; move it away" : BlobTool.oneLine(e)), e);
    }
  }

  /**
   * Refuses (exit 4, "a local permission") a download into an existing directory this user may
   * not write to, before the client is asked: the client rejects it too, but with an
   * IllegalArgumentException, which is a usage error (2) to the tool. A file that is a symbolic
   * link, or that is not a regular file (a FIFO, a device: written in place), is left to the
   * client, which follows the link or checks the file itself.
   */
  static void checkWritableParent(Path file) {
    Path absolute = file.toAbsolutePath();
    Path parent = absolute.getParent();
    if (parent == null || Files.isSymbolicLink(absolute)
        || (Files.exists(absolute) && !Files.isRegularFile(absolute))) {
      return;
    }
    if (Files.isDirectory(parent) && !Files.isWritable(parent)) {
      throw new ExitCodes.Refused(
          parent + ": permission denied; give the user write access (chmod u+w) or choose another"
              + " directory");
    }
  }
}
