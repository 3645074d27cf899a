package io.ambidex.producer.internal;

import org.junit.jupiter.api.Timeout;

/** {@link RingHandOffScenario}'s model checking on a ring allocated whole (64 slots). */
@Timeout(120)
public class RingHandOffLincheckTest extends RingHandOffScenario {
  public RingHandOffLincheckTest() {
    super(BufferedRun.PREALLOCATED);
  }
}
