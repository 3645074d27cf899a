package io.ambidex.producer.internal;

import org.junit.jupiter.api.Timeout;

/**
 * {@link RingHandOffScenario}'s model checking on a ring that grows: its first array has 2
 * slots, so the body moves to a larger array (writing JUMP where the item would have been) while
 * the consumer reads.
 *
 * <p>The item crossed before the scenario used slot 0, so the scenario's second send finds the
 * first one unread in slot 1 and makes the ring grow (JUMP in slot 0) unless the consumer took it
 * first. Three actors per thread, for a second jump, took 40 s idle and over 4 min under load:
 * {@code RingGrowthTest} and {@code ProducerStressTest} cover repeated growth.
 */
@Timeout(300)
public class RingGrowthLincheckTest extends RingHandOffScenario {
  public RingGrowthLincheckTest() {
    super(2);
  }
}
