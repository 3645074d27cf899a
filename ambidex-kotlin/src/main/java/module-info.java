/**
 * Kotlin coroutines over an Ambidex async facade: {@code suspend} calls ({@code awaitCall}),
 * {@code kotlinx.coroutines.flow.Flow} from and to {@code AsyncIterator}, from a facade's
 * publisher and from a {@code Producer}, with structured cancellation both ways. A hand-written
 * Kotlin facade is one line per method. The application brings kotlin-stdlib and
 * kotlinx-coroutines-core; the core keeps no dependency on them.
 */
module io.ambidex.kotlin {
  requires transitive io.ambidex.core;
  requires transitive kotlin.stdlib;
  requires transitive kotlinx.coroutines.core;

  exports io.ambidex.kotlin;
}
