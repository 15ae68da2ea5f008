package dev.gatehouse.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One writer among the replicas, through a coordination.k8s.io Lease and fabric8's LeaderElector (client-go's
 * algorithm). Every replica serves traffic; this only decides who writes status. fabric8's elector ends once
 * leadership is lost, so it is started again: a replica that lost the Lease (a slow API server) competes again.
 */
final class LeaderElection implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(LeaderElection.class);

    private final KubernetesClient client;
    private final KubernetesSettings settings;
    private final String namespace;
    private final String identity;
    private final Consumer<Boolean> leading;
    private volatile CompletableFuture<?> running;
    /** the Lease's holder as last seen, or null while none is known */
    private volatile String leader;
    private volatile boolean closed;

    LeaderElection(KubernetesClient client, KubernetesSettings settings, String namespace, String identity,
                   Consumer<Boolean> leading) {
        this.client = client;
        this.settings = settings;
        this.namespace = namespace;
        this.identity = identity;
        this.leading = leading;
    }

    void start() {
        if (closed) {
            return;
        }
        var config = new LeaderElectionConfigBuilder()
                .withName(settings.leaseName())
                .withLock(new LeaseLock(namespace, settings.leaseName(), identity))
                .withLeaseDuration(settings.leaseDuration())
                .withRenewDeadline(settings.renewDeadline())
                .withRetryPeriod(settings.retryPeriod())
                .withReleaseOnCancel(true)
                .withLeaderCallbacks(new LeaderCallbacks(
                        () -> {
                            log.info("leader ({} in Lease {}/{}): writing status", identity, namespace,
                                    settings.leaseName());
                            leading.accept(true);
                        },
                        () -> {
                            log.info("no longer the leader ({}): another replica writes status", identity);
                            leading.accept(false);
                        },
                        now -> {
                            leader = now;
                            if (now != null) { // null: the Lease was given up
                                log.info("leader is {}", now);
                            }
                        }))
                .build();
        CompletableFuture<?> f = client.leaderElector().withConfig(config).build().start();
        running = f;
        f.whenComplete((v, e) -> {
            if (!closed) {
                if (e != null) {
                    log.warn("leader election stopped ({}); starting again", e.toString());
                }
                start();
            }
        });
    }

    /** @return the replica holding the Lease as this one last saw it, or null */
    String leader() {
        return leader;
    }

    /** @return "namespace/name" of the Lease */
    String lease() {
        return namespace + "/" + settings.leaseName();
    }

    @Override
    public void close() {
        closed = true;
        CompletableFuture<?> f = running;
        if (f != null) {
            f.cancel(true); // releases the Lease (releaseOnCancel), so another replica takes over at once
        }
        leading.accept(false);
    }
}
