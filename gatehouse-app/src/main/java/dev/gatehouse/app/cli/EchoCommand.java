package dev.gatehouse.app.cli;

import dev.gatehouse.app.demo.EchoServer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

@Command(name = "echo", mixinStandardHelpOptions = true,
        description = "Run an echo backend that answers each request with what it received, as JSON.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or Ctrl-C", "1:could not start", "2:usage error (bad option)"})
final class EchoCommand implements Callable<Integer> {
    @Option(names = "--listen", defaultValue = "127.0.0.1:3001", description = "host:port (default: ${DEFAULT-VALUE}).")
    String listen;

    @Option(names = "--name", defaultValue = "echo", description = "Pod name reported in responses.")
    String name;

    @Override
    public Integer call() throws Exception {
        int colon = listen.lastIndexOf(':');
        EchoServer server = new EchoServer(new InetSocketAddress(listen.substring(0, colon),
                Integer.parseInt(listen.substring(colon + 1))), name, "default");
        System.out.println("echo backend " + name + " on http://" + listen + "/");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stop.countDown();
        }));
        stop.await();
        return 0;
    }
}
