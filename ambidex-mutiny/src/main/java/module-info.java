/**
 * Run-time support of the SmallRye Mutiny facades the Ambidex processor generates ({@code
 * @AsyncCore(mutiny = "...")}): single results as {@code Uni}, streams as {@code Multi}. The
 * application brings mutiny (2.x).
 */
module io.ambidex.mutiny {
  requires transitive io.ambidex.core;
  requires transitive io.smallrye.mutiny;
  requires static transitive org.jspecify;

  exports io.ambidex.mutiny;
}
