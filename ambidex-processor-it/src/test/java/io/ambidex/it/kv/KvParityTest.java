package io.ambidex.it.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.control.AsyncCallback;
import io.ambidex.test.ApiParity;
import io.ambidex.test.Parity;
import io.ambidex.test.ParityExtension;
import io.ambidex.test.ParityTest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The facades the normal Maven build generated from {@link KvCore}, run through the parity kit:
 * each test body runs on the blocking client over the sync transport and on the async client over
 * both transports.
 */
class KvParityTest {
  static final ExecutorService POOL = Executors.newFixedThreadPool(2);

  @RegisterExtension
  static final ParityExtension<KvClient, AsyncKvClient> CLIENTS =
      ParityExtension.<KvClient, AsyncKvClient>builder()
          .blocking("sync transport", MemoryServer::new, s -> new KvClient(s.syncTransport()))
          .async(
              "async transport",
              MemoryServer::new,
              s -> new AsyncKvClient(s.asyncTransport(POOL)))
          .async("sync transport", MemoryServer::new, s -> new AsyncKvClient(s.syncTransport()))
          .build();

  @AfterAll
  static void shutdown() {
    POOL.shutdownNow();
  }

  @ParityTest
  void put_thenGet_returnsTheValue(Parity<KvClient, AsyncKvClient> parity, MemoryServer server)
      throws Exception {
    parity.run(c -> c.put("k", "v")).async(a -> a.put("k", "v"));

    assertThat(parity.call(c -> c.get("k")).async(a -> a.get("k"))).isEqualTo("v");
    assertThat(server.contents()).containsEntry("k", "v");
  }

  @ParityTest
  void get_missingKey_failsWithKvException(Parity<KvClient, AsyncKvClient> parity) {
    assertThatThrownBy(() -> parity.call(c -> c.get("nope")).async(a -> a.get("nope")))
        .isExactlyInstanceOf(KvException.class)
        .hasMessage("no such key: nope");
  }

  @ParityTest
  void put_keyWithSpace_isRejectedAtTheCall(Parity<KvClient, AsyncKvClient> parity) {
    assertThatThrownBy(() -> parity.run(c -> c.put("a b", "v")).async(a -> a.put("a b", "v")))
        .isExactlyInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'a b'");
  }

  @ParityTest
  void delete_reportsWhetherTheKeyExisted(Parity<KvClient, AsyncKvClient> parity)
      throws Exception {
    parity.run(c -> c.put("k", "v")).async(a -> a.put("k", "v"));

    assertThat(parity.call(c -> c.delete("k")).async(a -> a.delete("k"))).isTrue();
    assertThat(parity.call(c -> c.delete("k")).async(a -> a.delete("k"))).isFalse();
  }

  @ParityTest
  void putAll_reportsEachKeyStored(Parity<KvClient, AsyncKvClient> parity, MemoryServer server)
      throws Exception {
    List<String> stored = Collections.synchronizedList(new ArrayList<>());
    List<String> keys = List.of("a", "b", "c");

    int count =
        parity.call(c -> c.putAll(keys, stored::add))
            .async(a -> a.putAll(keys, AsyncCallback.of(stored::add)));

    assertThat(count).isEqualTo(3);
    assertThat(stored).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(server.contents()).containsOnlyKeys("a", "b", "c");
  }

  @ParityTest
  void keys_listsEveryKeyInOrder(Parity<KvClient, AsyncKvClient> parity) throws Exception {
    parity.run(c -> c.put("b", "2")).async(a -> a.put("b", "2"));
    parity.run(c -> c.put("a", "1")).async(a -> a.put("a", "1"));

    assertThat(parity.items(c -> c.keys()).async(a -> a.keys())).containsExactly("a", "b");
  }

  @Test
  void facades_haveParallelShapes() {
    ApiParity.assertParallel(KvClient.class, AsyncKvClient.class);
  }
}
