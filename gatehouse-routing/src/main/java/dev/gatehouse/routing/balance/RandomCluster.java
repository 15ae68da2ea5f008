package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.routing.tls.UpstreamTls;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * {@code loadBalancer.type: Random}: a uniform draw among the eligible endpoints. No shared state at all (the
 * generator is the thread's), so it scales with event loops where round robin's counter is shared.
 */
final class RandomCluster extends BalancedCluster {
    RandomCluster(ClusterSpec spec, List<InetSocketAddress> endpoints, EndpointHealthRegistry registry,
                  UpstreamTls tls) {
        super(spec, endpoints, registry, tls);
    }

    @Override
    public boolean picksAtRandom() {
        return true;
    }

    @Override
    public String algorithm() {
        return "Random";
    }

    @Override
    int choose(PickContext ctx) {
        return randomEligible(panicking(), ctx.avoid());
    }
}
