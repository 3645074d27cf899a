package io.ambidex.flavours.it;

/** The TCK settings the three verifications share. */
final class Tck {
  /**
   * How long the TCK waits for an expected signal: generous, the machine may be loaded (a run of
   * the RxJava verification at load average 25 plus two busy loops once waited more than 5 s for
   * the failed publisher's 404 from the embedded server).
   */
  static final long TIMEOUT_MILLIS = 10_000;

  /**
   * How long a publisher has, after a cancel, to drop its reference to the subscriber (rule 3.13)
   * before the TCK collects garbage and looks; its default, 300 ms, was once too short for the
   * cancel to be processed on a starved I/O thread at that load (not reproduced in five runs
   * since).
   */
  static final long REFERENCE_DROP_MILLIS = 2_000;

  /** How long it waits to be sure no signal comes. */
  static final long NO_SIGNAL_MILLIS = 200;

  /**
   * The largest bucket a verification lists (spec 3.12 lists 20); only the tests that need an
   * unbounded publisher (3.17) are skipped.
   */
  static final long MAX_ELEMENTS = 24;

  private Tck() {}
}
