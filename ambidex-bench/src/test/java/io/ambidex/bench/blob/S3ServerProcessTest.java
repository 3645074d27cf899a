package io.ambidex.bench.blob;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The server's CPU figure survives the server's stop: a blob benchmark's trial teardown stops the
 * server within its last iteration, and that iteration's {@code server.cpu.time.norm} is read
 * afterwards. When the stopped server reported nothing, JMH's mean over five iterations counted
 * the last as zero and every server figure was four fifths of the server's CPU.
 */
class S3ServerProcessTest {
  @Test
  @Timeout(value = 90, unit = TimeUnit.SECONDS)
  void cpuNanos_afterClose_isWhatTheServerHadUsedWhenItStopped() {
    S3ServerProcess server = S3ServerProcess.start(null);
    long running;
    try {
      running = server.cpuNanos();
      assertThat(running).as("a started JVM has used CPU").isPositive();
    } finally {
      server.close();
    }
    long stopped = server.cpuNanos();
    assertThat(stopped).isGreaterThanOrEqualTo(running);
    assertThat(server.cpuNanos()).as("read again: the same figure").isEqualTo(stopped);
    assertThat(S3ServerProcess.running()).isNull();
  }
}
