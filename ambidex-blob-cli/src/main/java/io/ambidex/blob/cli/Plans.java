package io.ambidex.blob.cli;

import io.ambidex.blob.BlobObject;
import io.ambidex.blob.PutOptions;
import io.ambidex.control.Async;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Turns {@code cp}, {@code mv}, {@code sync} and {@code rm} into lists of {@link Batch.Job}s: what
 * to upload, download, copy or delete, and how. Every job that changes two places (a move, a
 * download and the modification time it sets) chains its steps with {@link Async#then}, so
 * cancelling the job reaches the step in flight.
 */
final class Plans {
  private Plans() {}

  /**
   * A job from its description and its action.
   *
   * @param uploadTo the object an upload writes (whose multipart upload may need aborting), or null
   */
  record Job(
      String verb,
      String source,
      String target,
      long size,
      @Nullable S3Uri uploadTo,
      Function<LongConsumer, CompletionStage<?>> action)
      implements Batch.Job {
    Job(String verb, String source, String target, long size, Function<LongConsumer, CompletionStage<?>> action) {
      this(verb, source, target, size, null, action);
    }

    @Override
    public CompletionStage<?> start(LongConsumer bytes) {
      return action.apply(bytes);
    }
  }

  /** A job that fails at once: a file found unreadable while listing. */
  static Job problem(String verb, String source, String target, String problem) {
    return new Job(verb, source, target, 0,
        bytes -> CompletableFuture.failedFuture(new ExitCodes.Refused(problem)));
  }

  /** An upload of {@code file} with the options it should carry (its guessed content type too). */
  static Job upload(Store store, Path file, S3Uri to, long size, boolean move, PutOptions options) {
    return new Job(move ? "move" : "upload", file.toString(), to.toString(), size, to, bytes -> {
      CompletionStage<?> put =
          store.put(to.bucket(), to.key(), file, options, p -> bytes.accept(p.loaded()));
      return move ? Async.then(put, r -> deleteLocal(file)) : put;
    });
  }

  static Job uploadStream(Store store, InputStream in, S3Uri to, PutOptions options) {
    return new Job("upload", "-", to.toString(), 0, to,
        bytes -> store.put(to.bucket(), to.key(), in, options, p -> bytes.accept(p.loaded())));
  }

  /**
   * A download to {@code file}, through a temporary file beside it that replaces it only when
   * complete and verified (the client does this). The file gets the object's last modification as
   * its modification time, as the AWS CLI's cp, mv and sync give it, so that a sync after any of
   * them finds the file unchanged.
   */
  static Job download(Store store, S3Uri from, Path file, long size, boolean move) {
    return new Job(move ? "move" : "download", from.toString(), file.toString(), size, bytes -> {
      Locations.createParents(file);
      if (Files.isDirectory(file)) {
        // A conflict in the destination tree, as a file where a directory is needed (exit 1),
        // not the client's usage error ("name the file to write"), which fits no tree.
        throw new UncheckedIOException(file + " is a directory, where " + from + " would be"
            + " written as a file; move it away", new java.nio.file.FileSystemException(file.toString()));
      }
      CompletionStage<BlobObject> got =
          store.download(from.bucket(), from.key(), file, p -> bytes.accept(p.loaded()));
      CompletionStage<?> done = Async.then(got, o -> {
        setModified(file, o.lastModified());
        return CompletableFuture.completedFuture(o);
      });
      return move ? Async.then(done, o -> store.delete(from.bucket(), from.key())) : done;
    });
  }

  /**
   * {@code job}, a copy or move of the one object {@code from} (no {@code --recursive}), whose
   * "no such key" becomes a usage error saying to add {@code --recursive} when {@code from} names
   * a prefix with objects under it ({@code cp s3://b/photos ./photos}, as one writes a directory):
   * one listing of a single key, made only after the 404, so a copy that succeeds costs nothing
   * more. Any other failure, and a 404 with nothing under the prefix, is reported as it came.
   * The listing runs on a virtual thread of its own: the store's listings block, and the async
   * client completes a stage on its I/O threads. Cancelling the returned stage cancels the job.
   */
  static Job prefixHint(Store store, Job job, S3Uri from, String verb) {
    return new Job(job.verb(), job.source(), job.target(), job.size(), job.uploadTo(), bytes -> {
      CompletableFuture<?> inner = job.start(bytes).toCompletableFuture();
      if (inner.isDone()) {
        // The blocking client: the job ran on this lane's thread, so may the listing (its task
        // group wants the stage complete when the call returns).
        if (!inner.isCompletedExceptionally() || inner.isCancelled()) {
          return inner;
        }
        try {
          inner.join();
          return inner;
        } catch (java.util.concurrent.CompletionException e) {
          return CompletableFuture.failedFuture(hinted(store, from, verb, e.getCause()));
        }
      }
      CompletableFuture<Object> outer = new CompletableFuture<>() {
        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
          inner.cancel(mayInterruptIfRunning);
          return super.cancel(mayInterruptIfRunning);
        }
      };
      inner.whenComplete((value, failure) -> {
        if (failure == null) {
          outer.complete(value);
        } else if (!isNoSuchKey(failure)) {
          outer.completeExceptionally(failure);
        } else {
          Thread.ofVirtual().name("blob-prefix-hint").start(
              () -> outer.completeExceptionally(hinted(store, from, verb, failure)));
        }
      });
      return outer;
    });
  }

  private static boolean isNoSuchKey(Throwable failure) {
    return Batch.unwrap(failure) instanceof io.ambidex.blob.NoSuchKeyException;
  }

  /* The failure to report: a usage error saying to add --recursive when from is a prefix. */
  private static Throwable hinted(Store store, S3Uri from, String verb, Throwable failure) {
    if (!isNoSuchKey(failure)) {
      return failure;
    }
    String prefix = from.key() + "/";
    boolean isPrefix;
    try (java.util.stream.Stream<BlobObject> under = store.listAll(from.bucket(), prefix)) {
      isPrefix = under.findAny().isPresent();
    } catch (RuntimeException e) {
      // Ctrl-C during the listing: the batch's cancellation, not a failure; else the 404 is the
      // failure to report.
      return Batch.isCancellation(e) || Thread.currentThread().isInterrupted() ? e : failure;
    }
    return isPrefix
        ? new ExitCodes.UsageError(from + " is not an object but a prefix ("
            + new S3Uri(from.bucket(), prefix) + " has objects); add --recursive to " + verb
            + " the objects under it")
        : failure;
  }

  /**
   * A server-side copy; with null {@code options} the copy keeps the source's content type and
   * metadata, with options it gets exactly those.
   */
  static Job copy(
      Store store, S3Uri from, S3Uri to, long size, boolean move, @Nullable PutOptions options) {
    return new Job(move ? "move" : "copy", from.toString(), to.toString(), size, bytes -> {
      CompletionStage<?> copied =
          Async.then(store.copy(from.bucket(), from.key(), to.bucket(), to.key(), options), etag -> {
            bytes.accept(size);
            return CompletableFuture.completedFuture(etag);
          });
      // A move onto itself (possible with options: S3 copies an object onto itself when its
      // metadata is replaced) must not delete what it just wrote.
      return move && !from.equals(to)
          ? Async.then(copied, e -> store.delete(from.bucket(), from.key()))
          : copied;
    });
  }

  static Job delete(Store store, S3Uri at) {
    return new Job("delete", at.toString(), "", 0, bytes -> store.delete(at.bucket(), at.key()));
  }

  static Job deleteLocalJob(Path file) {
    return new Job("delete", file.toString(), "", 0, bytes -> deleteLocal(file));
  }

  private static CompletionStage<Void> deleteLocal(Path file) {
    try {
      Files.deleteIfExists(file);
      return CompletableFuture.completedFuture(null);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(
          new UncheckedIOException("Cannot delete " + file + ": " + BlobTool.oneLine(e), e));
    }
  }

  static void setModified(Path file, @Nullable Instant modified) {
    if (modified == null) {
      return;
    }
    try {
      Files.setLastModifiedTime(file, FileTime.from(modified));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "Cannot set the modification time of " + file + ": " + BlobTool.oneLine(e), e);
    }
  }

  // ---- sync ----

  /** What sync compares. */
  enum Compare {
    /** Size and modification time, as {@code aws s3 sync}. */
    SIZE_AND_TIME,
    /** Size, then the MD5 of the bytes against the ETag ({@code --checksum}). */
    CHECKSUM
  }

  /**
   * What the store tells about a remote entry beyond its listing, asked only when a comparison by
   * checksum needs it: the lengths of the parts it was uploaded in (empty when the store does not
   * tell), and the checksums it keeps for it.
   */
  @FunctionalInterface
  interface RemoteParts {
    List<Long> of(Locations.Entry remote);

    /**
     * The checksums the store keeps for {@code remote} (algorithm in lower case to base64 value,
     * as {@code ObjectDetails.checksums()}), {@code source} telling which side of the sync it is
     * on; empty when it keeps none or is not asked.
     */
    default Map<String, String> checksums(Locations.Entry remote, boolean source) {
      return Map.of();
    }

    /** Never asks: multipart ETags are compared at this tool's part size only. */
    RemoteParts NONE = remote -> List.of();
  }

  /**
   * True if {@code source} must be copied over {@code target}: their sizes differ, or (by size and
   * time) the source was modified after the target (compared in whole seconds, S3's precision), or
   * (by checksum) their contents differ.
   */
  static boolean changed(Locations.Entry source, Locations.Entry target, Compare compare, long partSize) {
    return changed(source, target, compare, partSize, RemoteParts.NONE);
  }

  /**
   * As {@link #changed(Locations.Entry, Locations.Entry, Compare, long)}; by checksum, a local file
   * compared with a multipart ETag that this tool's part size does not reproduce is compared again
   * with the parts {@code parts} says the object was uploaded in (another tool's, or another part
   * size's), so that it is not copied again for nothing.
   */
  static boolean changed(
      Locations.Entry source, Locations.Entry target, Compare compare, long partSize, RemoteParts parts) {
    if (source.size() != target.size()) {
      return true;
    }
    if (compare == Compare.CHECKSUM) {
      return !sameContents(source, target, partSize, parts);
    }
    if (source.modified() == null || target.modified() == null) {
      return true;
    }
    return source.modified().truncatedTo(ChronoUnit.SECONDS)
        .isAfter(target.modified().truncatedTo(ChronoUnit.SECONDS));
  }

  /*
   * Two remote entries: their ETags. A local file and a remote one: the file's MD5 against a
   * single-part ETag; against a multipart one ("hex-N"), the MD5 of the part MD5s and "-N", first
   * with this tool's part size (what its uploads produce), then with the parts the store says the
   * object has.
   */
  private static boolean sameContents(
      Locations.Entry a, Locations.Entry b, long partSize, RemoteParts parts) {
    if (a.etag() != null && b.etag() != null) {
      if (a.etag().equalsIgnoreCase(b.etag())) {
        return true;
      }
      if (!a.etag().contains("-") && !b.etag().contains("-")) {
        return false; // the MD5s of two single uploads
      }
      // A multipart ETag depends on how the object was cut, and a server-side copy cuts it
      // otherwise (one CopyObject: a single-part ETag): the checksums the store keeps for the
      // whole of each object decide, when both have one of an algorithm.
      return sameWholeChecksum(parts.checksums(a, true), parts.checksums(b, false));
    }
    Locations.Entry local = a.etag() == null ? a : b;
    Locations.Entry remote = a.etag() == null ? b : a;
    String etag = remote.etag();
    if (etag == null) { // two local files: not a sync this tool makes, but well defined
      return localEtag(a.path(), false, partSize).equals(localEtag(b.path(), false, partSize));
    }
    boolean multipart = etag.contains("-");
    if (localEtag(local.path(), multipart, partSize).equalsIgnoreCase(etag)) {
      return true;
    }
    if (!multipart) {
      return false;
    }
    List<Long> lengths = parts.of(remote);
    return !lengths.isEmpty()
        && localEtag(local.path(), i -> i < lengths.size() ? lengths.get(i) : Long.MAX_VALUE, true)
            .equalsIgnoreCase(etag);
  }

  /* The strongest algorithm both have a whole-object value of (not a composite "-N") decides. */
  private static final List<String> BY_STRENGTH =
      List.of("sha256", "sha1", "crc64nvme", "crc32c", "crc32");

  static boolean sameWholeChecksum(Map<String, String> a, Map<String, String> b) {
    for (String algorithm : BY_STRENGTH) {
      String x = a.get(algorithm);
      String y = b.get(algorithm);
      if (x != null && y != null && !x.contains("-") && !y.contains("-")) {
        return x.equals(y);
      }
    }
    return false; // nothing to compare: copied again, as before
  }

  static String localEtag(Path file, boolean multipart, long partSize) {
    return localEtag(file, i -> partSize, multipart);
  }

  /* The file's MD5, or with `multipart` the MD5 of its parts' MD5s and "-N", part i (from 0) being
   * partLength(i) bytes long. */
  private static String localEtag(Path file, java.util.function.IntToLongFunction partLength, boolean multipart) {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest whole = MessageDigest.getInstance("MD5");
      MessageDigest parts = MessageDigest.getInstance("MD5");
      MessageDigest part = MessageDigest.getInstance("MD5");
      byte[] buffer = new byte[64 * 1024];
      long inPart = 0;
      int count = 0;
      int n;
      while ((n = in.read(buffer)) > 0) {
        whole.update(buffer, 0, n);
        int off = 0;
        while (off < n) {
          int take = (int) Math.min(n - off, partLength.applyAsLong(count) - inPart);
          part.update(buffer, off, take);
          off += take;
          inPart += take;
          if (inPart == partLength.applyAsLong(count)) {
            parts.update(part.digest());
            count++;
            inPart = 0;
          }
        }
      }
      if (inPart > 0) {
        parts.update(part.digest());
        count++;
      }
      HexFormat hex = HexFormat.of();
      return multipart
          ? hex.formatHex(parts.digest()) + "-" + count
          : hex.formatHex(whole.digest());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + BlobTool.oneLine(e), e);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException("this JDK has no MD5", e);
    }
  }

  /**
   * The jobs of a sync from {@code source} to {@code target} entries: copies of what is new or
   * changed, and with {@code delete} deletions of what the target has and the source has not,
   * except what is under a source entry that could not be read (a directory whose files are
   * unknown) ({@code remove} returns null for a target entry that is not to be deleted: a local file
   * reached through a link to a directory, outside the destination).
   */
  static List<Batch.Job> sync(
      Map<String, Locations.Entry> source,
      Map<String, Locations.Entry> target,
      Compare compare,
      long partSize,
      boolean delete,
      RemoteParts parts,
      Function<Locations.Entry, Batch.Job> copy,
      Function<Locations.Entry, Batch.@Nullable Job> remove) {
    List<Batch.Job> jobs = new ArrayList<>();
    for (Locations.Entry s : source.values()) {
      Locations.Entry t = target.get(s.relative());
      if (s.problem() != null || t == null || changed(s, t, compare, partSize, parts)) {
        jobs.add(copy.apply(s));
      }
    }
    if (delete) {
      // A source entry with a problem may be a directory the walk could not read: what is
      // under it is unknown, not gone, so nothing under it is deleted (its error fails the sync).
      List<String> unreadable = new ArrayList<>();
      for (Locations.Entry s : source.values()) {
        if (s.problem() != null) {
          unreadable.add(s.relative() + "/");
        }
      }
      for (Locations.Entry t : target.values()) {
        if (!source.containsKey(t.relative())
            && unreadable.stream().noneMatch(t.relative()::startsWith)) {
          Batch.@Nullable Job job = remove.apply(t); // null: that one is not to be deleted
          if (job != null) {
            jobs.add(job);
          }
        }
      }
    }
    return jobs;
  }
}
