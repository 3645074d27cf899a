package com.example.app;

import com.example.app.echo.AsyncEcho;
import com.example.app.echo.Echo;
import com.example.app.echo.ReactorEcho;
import com.example.app.hidden.BlockingStore;
import com.example.app.hidden.DualGreeter;
import com.example.app.hidden.Store;
import com.example.app.shared.BlockingGreeter;
import com.example.app.shared.Greeter;
import com.sun.net.httpserver.HttpServer;
import io.ambidex.Immediate;
import io.ambidex.blob.AsyncBlobClient;
import io.ambidex.blob.BlobClient;
import io.ambidex.blob.BlobConfig;
import io.ambidex.blob.BlobObject;
import io.ambidex.blob.Credentials;
import io.ambidex.blob.MutinyBlobClient;
import io.ambidex.blob.ReactorBlobClient;
import io.ambidex.blob.Rx3BlobClient;
import io.ambidex.control.SyncRuntime;
import io.ambidex.http.HttpRequest;
import io.ambidex.http.RequestClient;
import io.ambidex.http.SyncHttpTransport;
import io.ambidex.s3embedded.EmbeddedS3;
import io.ambidex.synchronizer.Synchronizer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Runs one scenario, named by its argument, and prints what a user would see. */
public final class Main {
  private Main() {}

  /**
   * Runs the scenario named by {@code args[0]}.
   *
   * @param args the scenario's name
   * @throws Exception whatever the scenario throws, which ends the JVM with a status of 1
   */
  public static void main(String[] args) throws Exception {
    switch (args[0]) {
      case "facades" -> facades();
      case "http" -> http();
      case "blob" -> blob();
      case "synchronizer" -> synchronizer();
      default -> throw new IllegalArgumentException("no scenario " + args[0]);
    }
  }

  /* The facades the processor generated in this module, over the core's two runtimes. */
  private static void facades() {
    System.out.println("blocking " + new Echo().echo("one"));
    System.out.println("async " + new AsyncEcho().echo("two").join());
    System.out.println("reactor " + new ReactorEcho().echo("three").block());
  }

  /* The blob client's generated facades, all five, against the embedded store. */
  private static void blob() {
    try (EmbeddedS3 s3 = EmbeddedS3.start(null)) {
      BlobConfig config =
          BlobConfig.builder()
              .endpoint(s3.endpoint())
              .credentials(Credentials.of(s3.accessKey(), s3.secretKey()))
              .build();
      try (BlobClient blobs = new BlobClient(config)) {
        blobs.createBucket("photos");
        blobs.put("photos", "hello.txt", "hello".getBytes(StandardCharsets.UTF_8));
        System.out.println("blocking " + text(blobs.get("photos", "hello.txt")));
      }
      AsyncBlobClient async = new AsyncBlobClient(config);
      System.out.println("async " + text(async.get("photos", "hello.txt").join()));
      async.close().toCompletableFuture().join();
      ReactorBlobClient reactor = new ReactorBlobClient(config);
      System.out.println(
          "reactor " + reactor.list("photos", "").map(BlobObject::key).collectList().block());
      reactor.close().block();
      Rx3BlobClient rx = new Rx3BlobClient(config);
      System.out.println(
          "rxjava " + rx.list("photos", "").map(BlobObject::key).toList().blockingGet());
      rx.close().blockingAwait();
      MutinyBlobClient mutiny = new MutinyBlobClient(config);
      List<String> keys =
          mutiny.list("photos", "").map(BlobObject::key).collect().asList().await().indefinitely();
      System.out.println("mutiny " + keys);
      mutiny.close().await().indefinitely();
    }
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /* The Synchronizer's reflective wrappers: a target in a package exported to the core, one not. */
  private static void synchronizer() {
    try (Synchronizer loop = Synchronizer.create("app")) {
      // The same method through the exported interface and a hidden one: the wrapper calls it
      // through the one the core may call. (First: a wrapper method resolved once is reused.)
      System.out.println(
          "both " + loop.blocking(BlockingGreeter.class, new DualGreeter()).greet("you"));
      Greeter greeter = name -> CompletableFuture.completedFuture("hello " + name);
      System.out.println("exported " + loop.blocking(BlockingGreeter.class, greeter).greet("you"));
      Store store = key -> CompletableFuture.completedFuture("value of " + key);
      try {
        System.out.println("hidden " + loop.blocking(BlockingStore.class, store).get("k"));
      } catch (IllegalStateException e) {
        System.out.println("hidden failed: " + e.getMessage());
      }
    }
  }

  /* The blocking HTTP transport against a server of the JDK's, on the loopback interface. */
  private static void http() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        exchange -> {
          byte[] body = "pong".getBytes(StandardCharsets.UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    server.start();
    try {
      RequestClient client =
          RequestClient.builder(SyncHttpTransport.create(), SyncRuntime.create()).build();
      try {
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ping");
        HttpRequest request = HttpRequest.newBuilder(uri).build();
        String body = Immediate.get(client.send(request, r -> r.body().readString(1024)), "ping");
        System.out.println("http " + body);
      } finally {
        Immediate.get(client.close(), "close");
      }
    } finally {
      server.stop(0); // its dispatcher thread is not a daemon: stopped even when the call fails
    }
  }
}
