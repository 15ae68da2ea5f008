package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.BackendRefSpec;
import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.HttpMatchSpec;
import dev.gatehouse.ir.HttpRuleSpec;
import dev.gatehouse.ir.ListenerSpec;
import dev.gatehouse.ir.LoadBalancerSpec;
import dev.gatehouse.ir.LoadBalancerSpec.ConsistentHashSpec;
import dev.gatehouse.ir.PortSpec;
import dev.gatehouse.ir.Protocol;
import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.Snapshot;
import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.ir.VirtualHostSpec;
import dev.gatehouse.proxy.server.GatewayServer;
import dev.gatehouse.proxy.server.ServerOptions;
import dev.gatehouse.routing.runtime.SnapshotCompiler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What LeastRequest and ConsistentHash cost against RoundRobin on the small-GET path: one gateway per algorithm
 * (built from IR, as the YAML of a BackendTrafficPolicy would give), four in-process origins, wrk taking turns
 * slice by slice so the host's drift hits every algorithm alike; medians of per-round ratios to round robin.
 * Off by default (it measures, it asserts nothing):
 * {@code mvn -pl gatehouse-proxy test -Dtest=BalancerCostBench -Dgatehouse.bench=true [-Dbench.rounds=6]}.
 */
@EnabledIfSystemProperty(named = "gatehouse.bench", matches = "true")
class BalancerCostBench {
    private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");

    @Test
    void leastRequestAndConsistentHashAgainstRoundRobin() throws Exception {
        int rounds = Integer.getInteger("bench.rounds", 6);
        int seconds = Integer.getInteger("bench.seconds", 3);
        Map<String, LoadBalancerSpec> algorithms = new LinkedHashMap<>();
        algorithms.put("RoundRobin", LoadBalancerSpec.ROUND_ROBIN);
        algorithms.put("LeastRequest", new LoadBalancerSpec(LoadBalancerSpec.Type.LEAST_REQUEST, null, null));
        algorithms.put("ConsistentHash", new LoadBalancerSpec(LoadBalancerSpec.Type.CONSISTENT_HASH,
                new ConsistentHashSpec(ConsistentHashSpec.Source.HEADERS, List.of("x-user"), null, 65537), null));
        List<NamedBackend> origins = new ArrayList<>();
        List<GatewayServer> gateways = new ArrayList<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        try {
            List<ClusterSpec.EndpointSpec> endpoints = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                NamedBackend b = new NamedBackend("b" + i);
                origins.add(b);
                endpoints.add(new ClusterSpec.EndpointSpec("127.0.0.1", b.address().getPort()));
            }
            for (Map.Entry<String, LoadBalancerSpec> a : algorithms.entrySet()) {
                int port;
                try (ServerSocket s = new ServerSocket(0)) {
                    port = s.getLocalPort();
                }
                GatewayServer gw = new GatewayServer(new ServerOptions("127.0.0.1", 1, Duration.ofSeconds(2),
                        Duration.ofSeconds(20), Duration.ofSeconds(1), Duration.ofSeconds(5), 16 * 1024, 4096));
                gateways.add(gw);
                gw.apply(new SnapshotCompiler(gw.health()).compile(snapshot(port, endpoints, a.getValue()), null));
                ports.put(a.getKey(), port);
            }
            for (int port : ports.values()) {
                wrk(port, 5); // JIT warm-up
            }
            Map<String, List<Double>> ratios = new LinkedHashMap<>();
            Map<String, List<Double>> rps = new LinkedHashMap<>();
            for (int r = 0; r < rounds; r++) {
                Map<String, Double> round = new LinkedHashMap<>();
                for (Map.Entry<String, Integer> p : ports.entrySet()) {
                    double v = wrk(p.getValue(), seconds);
                    round.put(p.getKey(), v);
                    rps.computeIfAbsent(p.getKey(), k -> new ArrayList<>()).add(v);
                }
                round.forEach((k, v) -> ratios.computeIfAbsent(k, x -> new ArrayList<>())
                        .add(v / round.get("RoundRobin")));
            }
            for (String a : algorithms.keySet()) {
                System.out.printf("%-15s median %8.0f req/s, median ratio to RoundRobin %.3f (%d rounds of %d s)%n",
                        a, median(rps.get(a)), median(ratios.get(a)), rounds, seconds);
            }
        } finally {
            gateways.forEach(GatewayServer::close);
            origins.forEach(NamedBackend::close);
        }
    }

    private static Snapshot snapshot(int port, List<ClusterSpec.EndpointSpec> endpoints, LoadBalancerSpec lb) {
        ClusterSpec cluster = new ClusterSpec("default/echo:80", endpoints, ClusterSpec.LoadBalancerType.ROUND_ROBIN,
                null, null, new BackendTrafficSpec("default/bench", lb, null, null, null, null, null, null));
        HttpRuleSpec rule = new HttpRuleSpec(new RouteRef("HTTPRoute", "default", "bench", 0, null, 0),
                new HttpMatchSpec(new HttpMatchSpec.PathMatchSpec(HttpMatchSpec.PathMatchType.PATH_PREFIX, "/"),
                        List.of(), List.of(), null), List.of(),
                List.of(new BackendRefSpec("default/echo:80", 1, List.of(), null)), TimeoutSpec.NONE);
        ListenerSpec listener = new ListenerSpec("default/gw", "web", null, null,
                List.of(new VirtualHostSpec("*", List.of(rule))));
        return new Snapshot(1, List.of(new PortSpec(port, Protocol.HTTP, List.of(listener))), List.of(cluster));
    }

    /** wrk, 50 keep-alive connections, a header key per run (the hash reads it; the others ignore it). */
    private static double wrk(int port, int seconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t1", "-c50", "-d" + seconds + "s", "-H", "x-user: user-" + port,
                "http://127.0.0.1:" + port + "/").redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            r.lines().forEach(l -> out.append(l).append('\n'));
        }
        if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        Matcher m = RPS.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException("wrk said: " + out);
        }
        return Double.parseDouble(m.group(1));
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        return sorted.get(sorted.size() / 2);
    }
}
