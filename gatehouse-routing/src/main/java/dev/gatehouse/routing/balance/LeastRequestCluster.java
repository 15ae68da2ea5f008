package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.routing.tls.UpstreamTls;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * {@code loadBalancer.type: LeastRequest}: power of two choices. Two distinct eligible endpoints are drawn at
 * random and the one with fewer requests in flight wins (ties: the first draw), which avoids the herd that "the
 * least loaded of all" causes when every picker sees the same minimum, at O(1) per pick.
 *
 * <p>In-flight counts are per event loop: a request is picked, forwarded and finished on one loop, so each loop
 * keeps plain {@code int} counters in its own row ({@link LoopIndex}) with no atomics and no sharing; each loop
 * balances its own share of the traffic, as Envoy's per-worker balancers do. {@link #requestFinished} runs on the
 * loop of the pick and decrements that loop's row.
 */
final class LeastRequestCluster extends BalancedCluster {
    /** rows[loop][endpoint]; a row is created by its loop on its first pick and touched only by it. */
    private final int[][] rows = new int[LoopIndex.ROWS][];

    LeastRequestCluster(ClusterSpec spec, List<InetSocketAddress> endpoints, EndpointHealthRegistry registry,
                        UpstreamTls tls) {
        super(spec, endpoints, registry, tls);
    }

    @Override
    public boolean picksAtRandom() {
        return true;
    }

    @Override
    public String algorithm() {
        return "LeastRequest";
    }

    private int[] row() {
        int loop = LoopIndex.current();
        int[] row = rows[loop];
        if (row == null) {
            row = new int[ring.length]; // once per loop and cluster, not per request
            rows[loop] = row;
        }
        return row;
    }

    @Override
    int choose(PickContext ctx) {
        int n = ring.length;
        boolean panic = panicking();
        InetSocketAddress avoid = ctx.avoid();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int a = -1;
        for (int attempt = 0; attempt < n && a < 0; attempt++) {
            int i = random.nextInt(n);
            if (eligible(i, panic, avoid)) {
                a = i;
            }
        }
        if (a < 0) {
            return fallback(random.nextInt(n), avoid);
        }
        int b = -1;
        for (int attempt = 0; attempt < n && b < 0; attempt++) {
            int j = random.nextInt(n - 1);
            j = j >= a ? j + 1 : j; // distinct from a, uniform over the others
            if (eligible(j, panic, avoid)) {
                b = j;
            }
        }
        if (b < 0) {
            return a;
        }
        int[] load = row();
        return load[b] < load[a] ? b : a;
    }

    @Override
    void picked(int i) {
        row()[i]++;
    }

    @Override
    public void requestFinished(InetSocketAddress endpoint) {
        int i = indexOf(endpoint);
        if (i >= 0) {
            int[] load = row();
            if (load[i] > 0) {
                load[i]--;
            }
        }
    }

    /** Requests in flight to endpoint {@code i} that this thread picked (tests). */
    int inFlight(int i) {
        return row()[i];
    }

    @Override
    public int inFlight(InetSocketAddress endpoint) {
        int i = indexOf(endpoint);
        if (i < 0) {
            return -1;
        }
        int sum = 0;
        for (int[] row : rows) {
            sum += row == null ? 0 : row[i];
        }
        return sum;
    }
}
