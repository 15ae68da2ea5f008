package dev.gatehouse.proxy.balance;

import dev.gatehouse.ir.ClusterSpec;
import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A cluster that hands out its endpoints in turn. Lock-free: one shared counter (see
 * {@link SmoothWeightedRoundRobin} for why not per-loop state).
 */
public final class RoundRobinCluster implements Cluster {
    private final ClusterSpec spec;
    private final List<InetSocketAddress> endpoints;
    private final InetSocketAddress[] ring;
    private final AtomicInteger next = new AtomicInteger();

    private RoundRobinCluster(ClusterSpec spec, List<InetSocketAddress> endpoints) {
        this.spec = spec;
        this.endpoints = List.copyOf(endpoints);
        this.ring = endpoints.toArray(new InetSocketAddress[0]);
    }

    /**
     * Resolves the endpoint literals without any name lookup.
     *
     * @throws IllegalArgumentException naming the cluster when an address is not an IP literal or a port is out of range
     */
    public static RoundRobinCluster compile(ClusterSpec spec) {
        List<InetSocketAddress> resolved = new ArrayList<>(spec.endpoints().size());
        for (ClusterSpec.EndpointSpec endpoint : spec.endpoints()) {
            resolved.add(literal(spec.name(), endpoint));
        }
        return new RoundRobinCluster(spec, resolved);
    }

    private static InetSocketAddress literal(String cluster, ClusterSpec.EndpointSpec endpoint) {
        String address = endpoint.address();
        byte[] bytes = address == null ? null : NetUtil.createByteArrayFromIpAddressString(address);
        if (bytes == null) {
            throw new IllegalArgumentException("cluster " + cluster + ": endpoint address '" + address
                    + "' is not an IP literal");
        }
        if (endpoint.port() < 1 || endpoint.port() > 65535) {
            throw new IllegalArgumentException("cluster " + cluster + ": endpoint " + address + " has port "
                    + endpoint.port() + " outside 1..65535");
        }
        try {
            // getByAddress never consults a resolver: the bytes are the address.
            return new InetSocketAddress(InetAddress.getByAddress(bytes), endpoint.port());
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("cluster " + cluster + ": bad endpoint address " + address, e);
        }
    }

    /** The IR this was compiled from; equal specs let a new snapshot reuse this instance. */
    public ClusterSpec spec() {
        return spec;
    }

    @Override
    public String name() {
        return spec.name();
    }

    @Override
    public List<InetSocketAddress> endpoints() {
        return endpoints;
    }

    @Override
    public InetSocketAddress pick() {
        InetSocketAddress[] r = ring;
        switch (r.length) {
            case 0:
                return null;
            case 1:
                return r[0];
            default:
                return r[Math.floorMod(next.getAndIncrement(), r.length)];
        }
    }

    @Override
    public String toString() {
        return "RoundRobinCluster[" + spec.name() + " " + endpoints + "]";
    }
}
