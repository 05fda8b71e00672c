package org.diffusiondepot.serve;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.diffusiondepot.runtime.OptionException;
import org.diffusiondepot.runtime.UserErrorHandler;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code tools/depot-serve}: the browser UI for one or more exports, from the sampler jar. */
@Command(name = "depot-serve", mixinStandardHelpOptions = true, version = "Diffusion Depot server 0.1",
    description = "Serve exported models as web pages: pick settings, watch the samples form, download them.")
public final class ServeCli implements Callable<Integer> {
  @CommandLine.Spec
  CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "EXPORT_DIR",
      description = "an export to serve (repeat for several)")
  List<Path> models;

  @Option(names = "--port", defaultValue = "8080", description = "TCP port, 0 for any free one (default: ${DEFAULT-VALUE})")
  int port;

  @Option(names = "--host", paramLabel = "ADDRESS",
      description = "address to listen on (default: the loopback address only; 0.0.0.0 for every interface)")
  String host;

  @Option(names = "--batch", defaultValue = "16", description = "largest batch per network call (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--max-images", defaultValue = "64", description = "most images per request (default: ${DEFAULT-VALUE})")
  int maxImages;

  @Option(names = "--queue", defaultValue = "16", description = "most requests waiting per model (default: ${DEFAULT-VALUE})")
  int queue;

  /** Counted down when the server should stop (tests); the process otherwise serves until killed. */
  private final CountDownLatch stop;

  ServeCli(CountDownLatch stop) {
    this.stop = stop;
  }

  public static void main(String[] args) {
    System.exit(execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), new CountDownLatch(1),
        args));
  }

  static int execute(PrintWriter out, PrintWriter err, CountDownLatch stop, String... args) {
    CommandLine cli = new CommandLine(new ServeCli(stop));
    cli.setOut(out);
    cli.setErr(err);
    cli.setExecutionExceptionHandler(new UserErrorHandler());
    return cli.execute(args);
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    if (port < 0 || port > 65535) {
      throw new OptionException("--port must be between 0 and 65535, got " + port);
    }
    if (batch < 1 || maxImages < 1 || queue < 1) {
      throw new OptionException("--batch, --max-images and --queue must be at least 1");
    }
    InetAddress address;
    try {
      address = host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      throw new OptionException("--host " + host + ": unknown host");
    }
    ServerOptions options = new ServerOptions(batch, maxImages, queue, ServerOptions.DEFAULTS.maxJobs());
    DepotServer server;
    try {
      server = DepotServer.start(models, new InetSocketAddress(address, port), options, spec.commandLine().getErr());
    } catch (java.net.BindException e) {
      throw new OptionException("cannot listen on " + address.getHostAddress() + ":" + port + " (" + e.getMessage()
          + "); choose another --port");
    }
    Thread shutdown = new Thread(server::close, "depot-serve-shutdown");
    Runtime.getRuntime().addShutdownHook(shutdown);
    PrintWriter out = spec.commandLine().getOut();
    out.println("depot-serve: " + server.modelIds().size() + " model(s) at " + server.uri());
    for (String id : server.modelIds()) {
      out.println("  " + server.uri().resolve("/models/" + id));
    }
    out.flush();
    stop.await();
    server.close();
    Runtime.getRuntime().removeShutdownHook(shutdown);
    return 0;
  }
}
