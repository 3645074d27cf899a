/**
 * Run-time support of the RxJava 3 facades the Ambidex processor generates ({@code
 * @AsyncCore(rxjava3 = "...")}): results as {@code Single}, {@code Maybe} or {@code Completable},
 * streams as {@code Flowable}. The application brings rxjava (3.1 or later).
 */
module io.ambidex.rxjava3 {
  requires transitive io.ambidex.core;
  requires transitive io.reactivex.rxjava3;
  requires transitive org.reactivestreams;
  requires static transitive org.jspecify;

  exports io.ambidex.rxjava3;
}
