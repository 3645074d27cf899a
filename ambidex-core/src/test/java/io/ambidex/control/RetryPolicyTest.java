package io.ambidex.control;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link RetryPolicy}'s delay arithmetic at the edges of what its builder accepts. */
class RetryPolicyTest {
  private static final Duration LONGEST = Duration.ofNanos(Long.MAX_VALUE);

  @Test
  void delayBefore_unboundedMaxDelayWithFullJitter_staysWithinTheLongestDelay() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .maxAttempts(200)
            .maxDelay(ChronoUnit.FOREVER.getDuration())
            .random(new SplittableRandom(7))
            .build();

    for (int retry = 60; retry < 200; retry++) {
      assertThat(policy.delayBefore(retry)).isBetween(Duration.ZERO, LONGEST);
    }
  }

  @Test
  void delayBefore_initialDelayBeyondNanosecondRange_isCappedByMaxDelay() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .initialDelay(Duration.ofDays(365L * 1000))
            .maxDelay(Duration.ofSeconds(20))
            .jitter(RetryPolicy.Jitter.NONE)
            .build();

    assertThat(policy.delayBefore(1)).isEqualTo(Duration.ofSeconds(20));
    assertThat(policy.nextDelay(1, new IOException("refused"))).isEqualTo(Duration.ofSeconds(20));
  }

  @Test
  void delayBefore_bothBeyondNanosecondRange_isTheLongestDelay() {
    RetryPolicy policy =
        RetryPolicy.builder()
            .initialDelay(ChronoUnit.FOREVER.getDuration())
            .maxDelay(ChronoUnit.FOREVER.getDuration())
            .jitter(RetryPolicy.Jitter.NONE)
            .build();

    assertThat(policy.delayBefore(1)).isEqualTo(LONGEST);
  }
}
