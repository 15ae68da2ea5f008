package dev.gatehouse.routing.balance;

import dev.gatehouse.ir.ClusterSpec;
import dev.gatehouse.ir.ClusterSpec.EndpointSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.util.List;

import static dev.gatehouse.routing.Fixtures.cluster;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoundRobinClusterTest {

    @Test
    void picksEndpointsInTurn() {
        RoundRobinCluster c = RoundRobinCluster.compile(cluster("ns/svc:80", 9001, 9002, 9003));
        assertThat(c.name()).isEqualTo("ns/svc:80");
        int[] ports = new int[9];
        for (int i = 0; i < ports.length; i++) {
            ports[i] = c.pick().getPort();
        }
        assertThat(ports).containsExactly(9001, 9002, 9003, 9001, 9002, 9003, 9001, 9002, 9003);
    }

    @Test
    void emptyClusterPicksNothing() {
        assertThat(RoundRobinCluster.compile(cluster("ns/empty:80")).pick()).isNull();
    }

    @Test
    void resolvesIpLiteralsWithoutLookup() {
        RoundRobinCluster c = RoundRobinCluster.compile(new ClusterSpec("ns/v6:80",
                List.of(new EndpointSpec("::1", 8080), new EndpointSpec("10.0.0.7", 80)),
                ClusterSpec.LoadBalancerType.ROUND_ROBIN));
        assertThat(c.endpoints()).extracting(InetSocketAddress::isUnresolved).containsOnly(false);
        assertThat(c.endpoints().get(1).getAddress().getHostAddress()).isEqualTo("10.0.0.7");
        assertThat(c.endpoints().get(0).getAddress().isLoopbackAddress()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"localhost", "backend.svc", "300.1.1.1", ""})
    void rejectsNamesNamingTheCluster(String address) {
        ClusterSpec spec = new ClusterSpec("ns/bad:80", List.of(new EndpointSpec(address, 80)),
                ClusterSpec.LoadBalancerType.ROUND_ROBIN);
        assertThatThrownBy(() -> RoundRobinCluster.compile(spec))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ns/bad:80").hasMessageContaining("not an IP literal");
    }

    @Test
    void rejectsBadPort() {
        ClusterSpec spec = new ClusterSpec("ns/bad:80", List.of(new EndpointSpec("127.0.0.1", 0)),
                ClusterSpec.LoadBalancerType.ROUND_ROBIN);
        assertThatThrownBy(() -> RoundRobinCluster.compile(spec)).hasMessageContaining("port 0");
    }
}
