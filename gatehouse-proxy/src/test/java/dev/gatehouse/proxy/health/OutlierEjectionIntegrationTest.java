package dev.gatehouse.proxy.health;

import dev.gatehouse.ir.BackendTrafficSpec;
import dev.gatehouse.ir.PassiveHealthCheckSpec;
import dev.gatehouse.routing.balance.OutlierState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Outlier detection ({@code healthCheck.passive}) on real answers from real loopback backends. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class OutlierEjectionIntegrationTest {
    private final List<AutoCloseable> closeLater = new ArrayList<>();
    private LoopbackGateway gateway;

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeLater.size() - 1; i >= 0; i--) {
            closeLater.get(i).close();
        }
    }

    private NamedBackend backend(String name) {
        NamedBackend b = new NamedBackend(name);
        closeLater.add(b);
        return b;
    }

    private void serve(PassiveHealthCheckSpec passive, NamedBackend... backends) throws IOException {
        gateway = new LoopbackGateway(null);
        closeLater.add(gateway);
        gateway.serve(LoopbackGateway.cluster("default/echo:80@default/outliers", backends).withTraffic(
                new BackendTrafficSpec("default/outliers", null, null, passive, null, null, null, null)));
    }

    private Map<String, Integer> send(int n) throws Exception {
        return gateway.send(n);
    }

    private OutlierState outlier(NamedBackend b) {
        return gateway.health(b).outlier();
    }

    @Test
    void aBackendAnswering500IsEjectedComesBackAndIsEjectedLongerTheSecondTime() throws Exception {
        NamedBackend a = backend("a");
        NamedBackend b = backend("b");
        NamedBackend c = backend("c");
        // a long review interval: the multiplier does not decay during the test
        serve(new PassiveHealthCheckSpec(3, null, null, false, Duration.ofMinutes(5), Duration.ofSeconds(2), 50),
                a, b, c);
        assertThat(send(9)).isEqualTo(Map.of("200 a", 3, "200 b", 3, "200 c", 3));

        b.status = 500;
        Map<String, Integer> first = send(30);
        assertThat(first.get("500 b")).as("ejected after 3 consecutive 5xx").isEqualTo(3);
        assertThat(first.get("200 a") + first.get("200 c")).isEqualTo(27);
        OutlierState ejected = outlier(b);
        assertThat(ejected.ejected()).isTrue();
        assertThat(ejected.code()).isEqualTo("consecutive_5xx");
        assertThat(ejected.reason()).isEqualTo("3 consecutive 5xx, last: 500");
        assertThat(ejected.ejections()).isEqualTo(1);

        // back after baseEjectionTime, still failing: ejected again, for 2 × base
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(50)).until(() -> !outlier(b).ejected());
        Map<String, Integer> second = send(30);
        assertThat(second.get("500 b")).isEqualTo(3);
        OutlierState again = outlier(b);
        assertThat(again.ejected()).isTrue();
        assertThat(again.ejections()).isEqualTo(2);
        assertThat(again.multiplier()).isEqualTo(2);
        assertThat(again.untilNanos() - again.multiplierAtNanos()).isEqualTo(Duration.ofSeconds(4).toNanos());

        // recovered: it takes its share again once the ejection is over
        b.status = 200;
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> !outlier(b).ejected());
        assertThat(send(30)).isEqualTo(Map.of("200 a", 10, "200 b", 10, "200 c", 10));
    }

    @Test
    void maxEjectionPercentKeepsHalfOfTheEndpointsInRotation() throws Exception {
        NamedBackend[] backends = {backend("a"), backend("b"), backend("c"), backend("d")};
        serve(new PassiveHealthCheckSpec(2, null, null, false, Duration.ofMinutes(5), Duration.ofMinutes(1), 50),
                backends);
        for (NamedBackend b : backends) {
            b.status = 503;
        }
        Map<String, Integer> answers = send(40);
        assertThat(answers.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(40);
        long ejected = java.util.Arrays.stream(backends).filter(b -> outlier(b).ejected()).count();
        assertThat(ejected).as("50% of 4").isEqualTo(2);
        // the two left in rotation take every request
        Map<String, Integer> after = send(10);
        assertThat(after).hasSize(2);
    }

    @Test
    void tenPercentOfFourEndpointsEjectsNone() throws Exception {
        NamedBackend[] backends = {backend("a"), backend("b"), backend("c"), backend("d")};
        serve(new PassiveHealthCheckSpec(2, null, null, false, Duration.ofMinutes(5), Duration.ofMinutes(1), 10),
                backends);
        backends[0].status = 500;
        assertThat(send(20).get("500 a")).isEqualTo(5);
        assertThat(outlier(backends[0]).ejected()).isFalse();
    }

    @Test
    void aBackendThatStopsAnsweringIsEjectedByItsGatewayErrors() throws Exception {
        NamedBackend a = backend("a");
        NamedBackend b = backend("b");
        serve(new PassiveHealthCheckSpec(100, 2, null, false, Duration.ofMinutes(5), Duration.ofMinutes(1), 50),
                a, b);
        b.silent = true;
        Map<String, Integer> answers = send(10);
        assertThat(answers.entrySet().stream().filter(e -> e.getKey().startsWith("504 "))
                .mapToInt(Map.Entry::getValue).sum()).as("two timeouts, then b is out: " + answers).isEqualTo(2);
        assertThat(answers.get("200 a")).isEqualTo(8);
        assertThat(outlier(b).code()).isEqualTo("consecutive_gateway_errors");
        assertThat(outlier(b).reason()).isEqualTo("2 consecutive gateway errors, last: 504");
    }
}
