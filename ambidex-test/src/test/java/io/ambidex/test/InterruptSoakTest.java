package io.ambidex.test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.CallInterruptedException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class InterruptSoakTest {
  /** A blocking call as a facade makes it: parks, and fails as the facades do when interrupted. */
  static void blockingCall() {
    LockSupport.parkNanos(200_000);
    if (Thread.interrupted()) {
      Thread.currentThread().interrupt();
      throw new CallInterruptedException("call");
    }
  }

  @Test
  void countsCompletedAndInterruptedCalls() throws Exception {
    InterruptSoak.Outcome outcome =
        InterruptSoak.run(
            2_000, 1, Duration.ofMillis(1), Duration.ofSeconds(30), i -> blockingCall());

    assertThat(outcome.completed() + outcome.interrupted()).isEqualTo(2_000);
    assertThat(outcome.interrupted()).isPositive();
    assertThat(outcome.completed()).isPositive();
  }

  @Test
  void aCallFailingOtherwise_endsTheSoak_namingIt() {
    assertThatThrownBy(
            () ->
                InterruptSoak.run(
                    100,
                    1,
                    Duration.ofMillis(1),
                    Duration.ofSeconds(30),
                    i -> {
                      if (i == 7) {
                        throw new IllegalStateException("broken");
                      }
                    }))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("call 7 failed with java.lang.IllegalStateException: broken")
        .hasCauseInstanceOf(IllegalStateException.class);
  }

  @Test
  void aHungCall_failsTheSoak_withItsStack() {
    AtomicBoolean release = new AtomicBoolean();
    assertThatThrownBy(
            () ->
                InterruptSoak.run(
                    1,
                    1,
                    Duration.ofMillis(1),
                    Duration.ofMillis(200),
                    i -> {
                      while (!release.get()) {
                        LockSupport.parkNanos(1_000_000); // ignores interrupts: a hung call
                      }
                    }))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("did not end within")
        .hasMessageContaining("InterruptSoakTest");
    release.set(true);
  }

  @Test
  void rejectsNoCalls() {
    assertThatThrownBy(
            () -> InterruptSoak.run(0, 1, Duration.ofMillis(1), Duration.ofSeconds(1), i -> {}))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("calls must be at least 1");
  }

  @Test
  @Timeout(20)
  void aHungCall_underASubMillisecondTimeout_failsTheSoak() {
    AtomicBoolean release = new AtomicBoolean();
    try {
      assertThatThrownBy(
              () ->
                  InterruptSoak.run(
                      1,
                      1,
                      Duration.ofMillis(1),
                      Duration.ofNanos(500_000), // not join(0), which waits forever
                      i -> {
                        while (!release.get()) {
                          LockSupport.parkNanos(1_000_000); // ignores interrupts: a hung call
                        }
                      }))
          .isInstanceOf(AssertionError.class)
          .hasMessageContaining("did not end within");
    } finally {
      release.set(true);
    }
  }

  @Test
  void rejectsATimeoutThatIsNotPositive() {
    for (Duration timeout : new Duration[] {Duration.ZERO, Duration.ofSeconds(-1)}) {
      assertThatThrownBy(() -> InterruptSoak.run(1, 1, Duration.ofMillis(1), timeout, i -> {}))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("timeout must be positive");
    }
  }
}
