package io.ambidex.producer.internal;

import org.jspecify.annotations.Nullable;

/*
 * The indexes of a producer's ring buffer, with the body's per-item fields and the consumer's
 * per-item fields on different cache lines, so that writing one side's index does not evict the
 * other side's (false sharing). Superclass fields are laid out before subclass fields, so the
 * padding classes keep them apart: the layout trick of JCTools' SPSC queues. Padding fields are
 * never read.
 */
final class Ring {
  private Ring() {}

  abstract static class PadStart {
    long p00, p01, p02, p03, p04, p05, p06, p07;
    long p08, p09, p0a, p0b, p0c, p0d, p0e, p0f;
  }

  /** Written per item by the body's thread. */
  abstract static class ProducerSide extends PadStart {
    /** The body's copy of tail. */
    long producerTail;
    /** The body's cached copy of limit. */
    long producerLimit;
    /** The next index the body will write; published to the consumer. */
    volatile long tail;
    /** The array the body writes (see BufferedRun: the ring grows). */
    @Nullable Object[] producerRing;
    /** Its mask: its length - 1 if it is the last array, else length - 2. */
    int producerMask;
  }

  abstract static class PadMiddle extends ProducerSide {
    long p10, p11, p12, p13, p14, p15, p16, p17;
    long p18, p19, p1a, p1b, p1c, p1d, p1e, p1f;
  }

  /** Written per item by the consumer. */
  abstract static class ConsumerSide extends PadMiddle {
    /** The next index the consumer will read. */
    long head;
    /** The consumer's cached copy of tail. */
    long consumerTail;
    /** The consumer's copy of limit. */
    long grantedLimit;
    /** How long the consumer spins before it parks (see Spin). */
    int spinBudget = Spin.MAX;
    /** The array the consumer reads; it follows the body's to a larger one at a jump. */
    @Nullable Object[] consumerRing;
    /** Its mask, as producerMask. */
    int consumerMask;
  }

  abstract static class PadDemand extends ConsumerSide {
    long p20, p21, p22, p23, p24, p25, p26, p27;
    long p28, p29, p2a, p2b, p2c, p2d, p2e, p2f;
  }

  /**
   * Written once per grant by the consumer, read by the body when its cached copy runs out (and
   * while it spins for demand): on a line of its own, so that spinning does not disturb either
   * side's per-item fields.
   */
  abstract static class Demand extends PadDemand {
    /** The index the body may not reach: head + buffer size when last granted. */
    volatile long limit;
  }

  /** The indexes of one run. */
  static final class Indexes extends Demand {
    long p30, p31, p32, p33, p34, p35, p36, p37;
    long p38, p39, p3a, p3b, p3c, p3d, p3e, p3f;
  }
}
