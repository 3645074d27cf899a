package io.ambidex.producer.internal;

import org.junit.jupiter.api.Timeout;

/**
 * {@link RingHandOffScenario}'s model checking on a ring allocated whole (64 slots).
 *
 * <p>A fixed number of invocations, bounded like {@code RingGrowthLincheckTest}: 120 s was too
 * short at a load average of 14-16 on two cores (163 and 196 s), where the growing ring's check
 * took 130 s of its 300.
 */
@Timeout(300)
public class RingHandOffLincheckTest extends RingHandOffScenario {
  public RingHandOffLincheckTest() {
    super(BufferedRun.PREALLOCATED);
  }
}
