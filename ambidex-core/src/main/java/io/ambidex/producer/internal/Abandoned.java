package io.ambidex.producer.internal;

import java.lang.ref.Cleaner;

/*
 * The safety net for a producer's iterator (or stream) that its consumer dropped without closing,
 * such as producer.stream().limit(3).toList(): once the consumer's view is unreachable, its run is
 * cancelled as a close would cancel it, so the body's pending send() throws
 * ProducerCancelledException, its finally blocks run (releasing what its setup opened) and its
 * thread ends, instead of the body staying parked in send() for the life of the process. Nobody
 * waits for that cleanup, so a failure of it is logged, as after a cancelled stage.
 *
 * The view must be the referent and the action must not reach it: the views are inner classes of
 * the run (view -> run), and the run, which the body's thread holds, never holds a view. The
 * views' blocking methods end with Reference.reachabilityFence(this), so a view cannot be found
 * unreachable while its consumer waits inside one of them. One daemon thread for the process
 * ("ambidex-producer-reclaim"), started with the first iterator.
 */
final class Abandoned {
  private static final System.Logger LOG = System.getLogger("io.ambidex.producer");

  private static final class Holder {
    static final Cleaner CLEANER =
        Cleaner.create(
            r -> Thread.ofPlatform().name("ambidex-producer-reclaim").daemon(true).unstarted(r));
  }

  private Abandoned() {}

  /** Runs {@code cancel} once {@code view} is unreachable; {@code cancel} must not hold it. */
  static void watch(Object view, Runnable cancel) {
    Holder.CLEANER.register(view, cancel);
  }

  /** Tells the user that a run was cancelled because its consumer dropped it unclosed. */
  static void warnDropped(String run) {
    LOG.log(
        System.Logger.Level.WARNING,
        () ->
            "A producer iterator became unreachable before it was closed; its body ("
                + run
                + ") was cancelled so that its cleanup runs and its thread ends. Close producer"
                + " iterators and streams (try-with-resources), also when you stop early.");
  }
}
