package io.ambidex.blob.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.BlobObject;
import io.ambidex.blob.Credentials;
import io.ambidex.blob.PutOptions;
import io.ambidex.s3embedded.EmbeddedS3;
import java.io.ByteArrayInputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code ls --recursive} lists one level, then each "directory" on its own, a few at a time
 * ({@link Locations#forEachObject}): it must hand out exactly what one flat listing gives, in the
 * same order, whichever way it lists, through both clients.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RecursiveListingTest {
  private static final String BUCKET = "recursive-listing";
  // Keys whose order a merge of per-directory listings could get wrong: '.' and ' ' sort before
  // '/', '0' after it; a directory inside a directory; non-ASCII; characters that need escaping.
  private static final List<String> KEYS = List.of(
      "a.txt", "a/1", "a/2", "a/3", "a/4", "a/5", "a/b/c", "a0", "a b/1", "b/x", "b/y",
      "plus+sign/k%41", "top", "z/1", "\u00e9t\u00e9/1", "\u65e5\u672c/\u6587");

  @TempDir static Path dir;
  private static EmbeddedS3 s3;

  @BeforeAll
  static void objects() throws Exception {
    s3 = EmbeddedS3.start(dir.resolve("store"));
    try (Store store = Store.blocking(config())) {
      Store.await(store.createBucket(BUCKET));
      for (String key : KEYS) {
        Store.await(store.put(BUCKET, key, new ByteArrayInputStream(key.getBytes()),
            PutOptions.defaults(), p -> {}));
      }
    }
  }

  @AfterAll
  static void stop() {
    s3.close();
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void perDirectory_handsOutWhatAFlatListingGives_inItsOrder(boolean async) throws Exception {
    try (Store store = async ? Store.async(config()) : Store.blocking(config())) {
      for (String prefix : List.of("", "a", "a/", "b", "\u00e9", "none")) {
        List<String> calls = Collections.synchronizedList(new ArrayList<>());
        List<String> keys = new ArrayList<>();
        // "a/" has five objects and one directory: more than the three fetched ahead.
        Locations.forEachObject(counting(store, calls), BUCKET, prefix, 2, o -> keys.add(o.key()),
            100, 1000, 3);

        assertThat(keys).as("prefix '%s'", prefix).isEqualTo(flat(store, prefix));
        if (prefix.isEmpty()) {
          assertThat(calls).as("one listing per directory, and \"a/\" again in full")
              .containsExactlyInAnyOrder("list ", "listAll a/", "listAll a/", "listAll a b/",
                  "listAll b/", "listAll plus+sign/", "listAll z/", "listAll \u00e9t\u00e9/",
                  "listAll \u65e5\u672c/");
        }
      }
    }
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void manyDirectoriesOrALongLevel_listFlat(boolean async) throws Exception {
    try (Store store = async ? Store.async(config()) : Store.blocking(config())) {
      List<String> calls = Collections.synchronizedList(new ArrayList<>());
      List<String> keys = new ArrayList<>();
      Locations.forEachObject(counting(store, calls), BUCKET, "", 4, o -> keys.add(o.key()),
          6, 1000, 1000);
      assertThat(keys).isEqualTo(flat(store, ""));
      assertThat(calls).containsExactly("list ", "listAll ");

      calls.clear();
      keys.clear();
      Locations.forEachObject(counting(store, calls), BUCKET, "", 4, o -> keys.add(o.key()),
          100, 3, 1000);
      assertThat(keys).isEqualTo(flat(store, ""));
      assertThat(calls).containsExactly("list ", "listAll ");
    }
  }

  @ParameterizedTest(name = "async={0}")
  @ValueSource(booleans = {false, true})
  void aDirectoryThatCannotBeListed_failsTheListing_andTheConsumerCanStopIt(boolean async)
      throws Exception {
    try (Store store = async ? Store.async(config()) : Store.blocking(config())) {
      Store failing = (Store) Proxy.newProxyInstance(Store.class.getClassLoader(),
          new Class<?>[] {Store.class}, (proxy, method, args) -> {
            if (method.getName().equals("listAll") && "b/".equals(args[1])) {
              throw new IllegalStateException("b/ cannot be listed");
            }
            return invoke(store, method, args);
          });
      List<String> keys = new ArrayList<>();
      assertThatThrownBy(() -> Locations.forEachObject(failing, BUCKET, "", 2,
              o -> keys.add(o.key()), 100, 1000, 1000))
          .hasMessageContaining("b/ cannot be listed");
      assertThat(keys).as("what came before b/, in order")
          .isEqualTo(flat(store, "").subList(0, flat(store, "").indexOf("b/x")));

      assertThatThrownBy(() -> Locations.forEachObject(store, BUCKET, "", 2, o -> {
            throw new IllegalArgumentException("enough");
          }, 100, 1000, 1000))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("enough");
    }
  }

  @org.junit.jupiter.api.Test
  void keysCompare_asS3OrdersThem_byUtf8Bytes() {
    // U+FFFD is below U+1F600 in UTF-8 and code points, above its surrogates in UTF-16 units.
    assertThat(Locations.utf8Order("\ufffd", "\ud83d\ude00")).isNegative();
    assertThat("\ufffd".compareTo("\ud83d\ude00")).isPositive();
    assertThat(Locations.utf8Order("a.txt", "a/")).isNegative();
    assertThat(Locations.utf8Order("a/", "a0")).isNegative();
    assertThat(Locations.utf8Order("a/", "a/")).isZero();
    assertThat(Locations.utf8Order("a", "a/")).isNegative();
  }

  private static List<String> flat(Store store, String prefix) {
    try (Stream<BlobObject> objects = store.listAll(BUCKET, prefix)) {
      return objects.map(BlobObject::key).toList();
    }
  }

  /* The store, recording each listing as "list PREFIX" or "listAll PREFIX". */
  private static Store counting(Store store, List<String> calls) {
    return (Store) Proxy.newProxyInstance(Store.class.getClassLoader(),
        new Class<?>[] {Store.class}, (proxy, method, args) -> {
          if (method.getName().startsWith("list") && args != null && args.length == 2) {
            calls.add(method.getName() + " " + args[1]);
          }
          return invoke(store, method, args);
        });
  }

  private static Object invoke(Store store, java.lang.reflect.Method method, Object[] args)
      throws Throwable {
    try {
      return method.invoke(store, args);
    } catch (InvocationTargetException e) {
      throw e.getCause();
    }
  }

  private static BlobConfig config() {
    return BlobConfig.builder()
        .endpoint(s3.endpoint())
        .credentials(Credentials.of(s3.accessKey(), s3.secretKey()))
        .build();
  }
}
