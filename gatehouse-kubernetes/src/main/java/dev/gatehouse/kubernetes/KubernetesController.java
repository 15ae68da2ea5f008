package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Clock;
import java.util.UUID;

/**
 * Controller mode's parts around one client: the informer source the control loop reads, the status sink it
 * publishes to, and the leader election that decides whether this replica's sink writes. The app wires the
 * source and sink into its control loop; nothing here sees the data plane.
 */
public final class KubernetesController implements AutoCloseable {
    private final KubernetesClient client;
    private final boolean ownsClient;
    private final KubernetesResourceSource source;
    private final KubernetesStatusSink sink;
    private final LeaderElection election;
    private final String identity;

    /** Connects with {@code settings.kubeconfig()}, or the in-cluster config (fabric8's usual lookup). */
    public static KubernetesController connect(KubernetesSettings settings) {
        KubernetesClientBuilder builder = new KubernetesClientBuilder();
        if (settings.kubeconfig() != null) {
            try {
                builder.withConfig(Config.fromKubeconfig(Files.readString(settings.kubeconfig())));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read kubeconfig " + settings.kubeconfig(), e);
            }
        }
        return new KubernetesController(builder.build(), true, settings);
    }

    /** With a client of the caller's (tests), which {@link #close} leaves open. */
    public KubernetesController(KubernetesClient client, KubernetesSettings settings) {
        this(client, false, settings);
    }

    private KubernetesController(KubernetesClient client, boolean ownsClient, KubernetesSettings settings) {
        this.client = client;
        this.ownsClient = ownsClient;
        this.source = new KubernetesResourceSource(client, settings);
        this.sink = new KubernetesStatusSink(client, source, settings, Clock.systemUTC());
        source.whenChangeArrives(sink::reloadComing);
        // unique per process: two replicas on one node, or two controllers in one test JVM, are two candidates
        this.identity = hostname() + "-" + UUID.randomUUID().toString().substring(0, 8);
        String namespace = settings.leaderElectionNamespace() != null ? settings.leaderElectionNamespace()
                : client.getNamespace() != null ? client.getNamespace() : "default";
        this.election = new LeaderElection(client, settings, namespace, identity, sink::leading);
    }

    public KubernetesResourceSource source() {
        return source;
    }

    public KubernetesStatusSink statusSink() {
        return sink;
    }

    /** Starts competing for the Lease; the sink writes while this replica holds it. */
    public void startLeaderElection() {
        election.start();
    }

    public String identity() {
        return identity;
    }

    public boolean leading() {
        return sink.isLeading();
    }

    /**
     * What the admin API and dashboard show of controller mode: the API server, who writes status, what is
     * watched (with counts) and what is missing, and when the caches last changed.
     */
    public ControllerView view() {
        return new ControllerView(client.getMasterUrl().toString(), identity, leading(), election.leader(),
                election.lease(), source.kinds(), source.lastChange());
    }

    private static String hostname() {
        String pod = System.getenv("HOSTNAME"); // the pod's name in a cluster
        if (pod != null && !pod.isBlank()) {
            return pod;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "gatehouse";
        }
    }

    /** Stops writing (and gives the Lease up), then the informers; the client if it is ours. */
    @Override
    public void close() {
        election.close();
        sink.close();
        source.close();
        if (ownsClient) {
            client.close();
        }
    }
}
