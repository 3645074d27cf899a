package io.ambidex.blob;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The flexible checksums against moto, which implements them (with test-classes/moto-shim standing
 * in for the optional packages its CRC32C and CRC64NVME need); moto does not check signatures.
 */
class ChecksumMotoTest extends ChecksumContract {
  static MotoServer moto;

  @BeforeAll
  static void start() throws Exception {
    moto = MotoServer.start();
    connect(moto.endpoint, "testing", "testing");
  }

  @Override
  boolean checksFlexibleChecksums() {
    return false; // moto stores what it is sent, checksum and all
  }

  @AfterAll
  static void stop() {
    disconnect();
    MotoServer.stop(moto);
  }
}
