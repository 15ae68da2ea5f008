package dev.gatehouse.app.cli;

import dev.gatehouse.edge.EdgeOptions;
import dev.gatehouse.edge.EdgeServer;
import dev.gatehouse.edge.pool.EdgeNode;
import dev.gatehouse.edge.pool.NodeSet;
import dev.gatehouse.edge.pool.NodeSource;
import dev.gatehouse.edge.pool.NodesFileSource;
import dev.gatehouse.edge.pool.StaticNodeSource;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import sun.misc.Signal;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "edge", mixinStandardHelpOptions = true,
        description = "Run on the gateway host in front of the cluster: balance each TCP connection across the "
                + "nodes' NodePorts with a PROXY protocol header naming the client, retrying a failed connect on "
                + "another node; or print the equivalent NGINX/HAProxy config.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:stopped by SIGTERM or Ctrl-C, or a config printed", "1:could not start",
                "2:usage error (bad option)"})
final class EdgeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
            description = "Address to accept connections on; repeatable (e.g. 0.0.0.0:80 and 0.0.0.0:443).")
    List<String> listen;

    @Option(names = "--nodes", split = ",", paramLabel = "ADDR",
            description = "The nodes' addresses (IP or host name), comma-separated; SIGHUP looks host names up again.")
    List<String> nodes = new ArrayList<>();

    @Option(names = "--node-port", paramLabel = "PORT=NODEPORT",
            description = "Where a listen port's connections go on each node (e.g. 80=30080); repeatable.")
    Map<Integer, Integer> nodePorts = new LinkedHashMap<>();

    @Option(names = "--nodes-file", paramLabel = "FILE",
            description = "The nodes, one per line ('ADDR' or 'NAME ADDR', # comments), re-read when it changes and on SIGHUP.")
    Path nodesFile;

    @Option(names = "--kubeconfig", paramLabel = "FILE",
            description = "Find the nodes and NodePorts through the Kubernetes API (with --service).")
    Path kubeconfig;

    @Option(names = "--service", paramLabel = "NS/NAME",
            description = "The NodePort Service of the in-cluster gatehouse (with --kubeconfig).")
    String service;

    @Option(names = "--node-address", defaultValue = "internal", paramLabel = "internal|external",
            description = "Which Node address to connect to (default: ${DEFAULT-VALUE}).")
    String nodeAddress;

    @Option(names = "--balance", defaultValue = "least-connections", paramLabel = "round-robin|least-connections",
            description = "How a node is chosen per connection (default: ${DEFAULT-VALUE}).")
    String balance;

    @Option(names = "--proxy-protocol", defaultValue = "v2", paramLabel = "v2|v1|off",
            description = "PROXY protocol header sent to the nodes (default: ${DEFAULT-VALUE}).")
    String proxyProtocol;

    @Option(names = "--health-check", defaultValue = "tcp", paramLabel = "tcp|http:/PATH",
            description = "Active check of each node: a TCP connect, or an HTTP GET through the first listen "
                    + "port's NodePort that must answer 2xx (default: ${DEFAULT-VALUE}).")
    String healthCheck;

    @Option(names = "--health-port", defaultValue = "0", paramLabel = "NODEPORT",
            description = "The node port the checks probe, e.g. the NodePort of the in-cluster gatehouse's admin "
                    + "port for http:/ready (default: the first listen port's node port).")
    int healthPort;

    @Option(names = "--health-interval", defaultValue = "2s", converter = DurationConverter.class,
            description = "Time between two checks of a node (default: ${DEFAULT-VALUE}).")
    Duration healthInterval;

    @Option(names = "--health-timeout", defaultValue = "1s", converter = DurationConverter.class,
            description = "One check's time limit (default: ${DEFAULT-VALUE}).")
    Duration healthTimeout;

    @Option(names = "--healthy-threshold", defaultValue = "2",
            description = "Consecutive successful checks that bring a node back (default: ${DEFAULT-VALUE}).")
    int healthyThreshold;

    @Option(names = "--unhealthy-threshold", defaultValue = "2",
            description = "Consecutive failures, of checks or of client connects, that take a node out "
                    + "(default: ${DEFAULT-VALUE}).")
    int unhealthyThreshold;

    @Option(names = "--idle-timeout", defaultValue = "1h", converter = DurationConverter.class,
            description = "Close a connection with no byte either way for this long (default: ${DEFAULT-VALUE}).")
    Duration idleTimeout;

    @Option(names = "--connect-timeout", defaultValue = "2s", converter = DurationConverter.class,
            description = "Time one connect to a node may take before the next node is tried (default: ${DEFAULT-VALUE}).")
    Duration connectTimeout;

    @Option(names = "--redirect-http", description = "Port 80 answers 301 to https instead of relaying.")
    boolean redirectHttp;

    @Option(names = "--allow-hosts", split = ",", paramLabel = "HOST",
            description = "Only relay connections whose TLS SNI or HTTP Host matches (e.g. a.example.com,*.example.com).")
    List<String> allowHosts = new ArrayList<>();

    @Option(names = "--print-nginx", description = "Print an NGINX stream config for these nodes and ports, and exit.")
    boolean printNginx;

    @Option(names = "--print-haproxy", description = "Print an HAProxy config for these nodes and ports, and exit.")
    boolean printHaproxy;

    @Option(names = "--admin", defaultValue = "127.0.0.1:9902", paramLabel = "HOST:PORT|off",
            description = "Admin listener: /ready, /metrics, /nodes and the dashboard (default: ${DEFAULT-VALUE}).")
    String admin;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "auto|io_uring|epoll|nio",
            description = "Netty's I/O transport; auto: io_uring where the kernel allows it, else epoll, else NIO "
                    + "(default: ${DEFAULT-VALUE}).")
    String transport;

    @Override
    public Integer call() throws Exception {
        EdgeOptions options = options();
        EdgeExtras.validate(spec.commandLine(), options);
        if (options.printNginx() || options.printHaproxy()) {
            return EdgeExtras.print(spec.commandLine(), options, nodeSource(options));
        }
        NodeSource source = nodeSource(options);
        TerminationSignals signals = TerminationSignals.install();
        EdgeServer server;
        try {
            server = EdgeServer.start(options, source);
        } catch (Exception e) {
            System.err.println("gatehouse edge: cannot start: " + e.getMessage());
            return 1;
        }
        onHangUp(source::reload);
        String signal = signals.await();
        System.err.println("gatehouse edge: " + signal + ", stopping");
        server.close();
        return 0;
    }

    /** The nodes from the API, a file (watched, SIGHUP re-reads it) or the command line. */
    private NodeSource nodeSource(EdgeOptions o) {
        CommandLine cl = spec.commandLine();
        if (o.kubeconfig() != null) {
            return EdgeExtras.kubernetesSource(o);
        }
        if (o.nodesFile() == null && o.nodes().isEmpty()) {
            throw new ParameterException(cl, "say where the nodes are: --nodes, --nodes-file or --kubeconfig");
        }
        if (o.nodesFile() != null && !o.nodes().isEmpty()) {
            throw new ParameterException(cl, "--nodes and --nodes-file are alternatives: give one");
        }
        for (InetSocketAddress l : o.listen()) {
            if (!o.redirectHttp() || l.getPort() != 80) {
                if (!o.nodePorts().containsKey(l.getPort())) {
                    throw new ParameterException(cl, "--listen " + l.getHostString() + ":" + l.getPort()
                            + " has no --node-port " + l.getPort() + "=NODEPORT");
                }
            }
        }
        return o.nodesFile() != null ? new NodesFileSource(o.nodesFile(), o.nodePorts())
                : new StaticNodeSource(new NodeSet(o.nodes(), o.nodePorts()));
    }

    private static void onHangUp(Runnable action) {
        try {
            Signal.handle(new Signal("HUP"), sig -> action.run());
        } catch (IllegalArgumentException e) {
            System.err.println("gatehouse edge: SIGHUP cannot be handled here (" + e.getMessage() + ")");
        }
    }

    EdgeOptions options() {
        CommandLine cl = spec.commandLine();
        List<InetSocketAddress> listenAddresses = new ArrayList<>();
        for (String l : listen) {
            listenAddresses.add(hostPort(cl, "--listen", l));
        }
        List<EdgeNode> staticNodes = new ArrayList<>();
        for (String n : nodes) {
            if (!n.isBlank()) {
                staticNodes.add(new EdgeNode(n.trim(), n.trim()));
            }
        }
        String httpPath;
        try {
            httpPath = EdgeOptions.HealthCheck.parseKind(healthCheck);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(cl, e.getMessage());
        }
        if (healthPort < 0 || healthPort > 65535) {
            throw new ParameterException(cl, "--health-port must be a port number, got " + healthPort);
        }
        if (healthyThreshold < 1 || unhealthyThreshold < 1) {
            throw new ParameterException(cl, "--healthy-threshold and --unhealthy-threshold must be at least 1");
        }
        return new EdgeOptions(listenAddresses, staticNodes, nodePorts, nodesFile, kubeconfig, service,
                choice(cl, "--node-address", nodeAddress, EdgeOptions.NodeAddress.class),
                choice(cl, "--balance", balance, EdgeOptions.Balance.class),
                choice(cl, "--proxy-protocol", proxyProtocol, EdgeOptions.ProxyProtocol.class),
                new EdgeOptions.HealthCheck(httpPath, healthPort, healthInterval, healthTimeout, healthyThreshold,
                        unhealthyThreshold),
                idleTimeout, connectTimeout, redirectHttp, allowHosts, printNginx, printHaproxy,
                "off".equalsIgnoreCase(admin) ? null : hostPort(cl, "--admin", admin),
                choice(cl, "--transport", transport, EdgeOptions.Transport.class));
    }

    private static <E extends Enum<E>> E choice(CommandLine cl, String flag, String value, Class<E> type) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            // the spellings the help shows (its paramLabel: "round-robin|least-connections", "auto|io_uring|..."),
            // so that the error and --help never disagree on how a choice is written
            String allowed = String.join(", ", cl.getCommandSpec().findOption(flag).paramLabel().split("\\|"));
            throw new ParameterException(cl, flag + " must be one of " + allowed + ", got '" + value + "'");
        }
    }

    private static InetSocketAddress hostPort(CommandLine cl, String flag, String value) {
        int colon = value.lastIndexOf(':');
        try {
            if (colon > 0) {
                String host = value.substring(0, colon).replace("[", "").replace("]", "");
                int port = Integer.parseInt(value.substring(colon + 1));
                if (port >= 0 && port <= 65535) {
                    return new InetSocketAddress(host, port);
                }
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new ParameterException(cl, flag + " must be HOST:PORT (e.g. 0.0.0.0:80), got '" + value + "'");
    }
}
