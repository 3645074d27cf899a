package io.ambidex.flavours.it;

/** The TCK settings the three verifications share. */
final class Tck {
  /** How long the TCK waits for an expected signal: generous, the machine may be loaded. */
  static final long TIMEOUT_MILLIS = 5_000;

  /** How long it waits to be sure no signal comes. */
  static final long NO_SIGNAL_MILLIS = 200;

  /**
   * The largest bucket a verification lists (spec 3.12 lists 20); only the tests that need an
   * unbounded publisher (3.17) are skipped.
   */
  static final long MAX_ELEMENTS = 24;

  private Tck() {}
}
