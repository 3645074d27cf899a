/**
 * The annotations read by the Ambidex annotation processor ({@code ambidex-processor}) to generate
 * a blocking facade and an async facade from one core. They are retained in class files only and
 * are not needed at run time: require this module {@code static}.
 */
module io.ambidex.annotations {
  exports io.ambidex.annotations;
}
