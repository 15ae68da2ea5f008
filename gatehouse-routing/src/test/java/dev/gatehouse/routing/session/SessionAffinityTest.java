package dev.gatehouse.routing.session;

import dev.gatehouse.ir.RouteRef;
import dev.gatehouse.ir.SessionPersistenceSpec;
import dev.gatehouse.routing.balance.BalancedCluster;
import dev.gatehouse.routing.balance.Cluster;
import dev.gatehouse.routing.balance.PickContext;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import static dev.gatehouse.routing.Fixtures.cluster;
import static org.assertj.core.api.Assertions.assertThat;

/** Tokens: opaque, authenticated, expiring; a request carrying one is steered to its endpoint while it is routable. */
class SessionAffinityTest {
    private static final RouteRef ROUTE = new RouteRef("HTTPRoute", "ns", "web", 0, null, 0);
    private final AtomicLong now = new AtomicLong(1_700_000_000L);
    private final BalancedCluster a = BalancedCluster.compile(cluster("ns/a:80", 9001, 9002));
    private final BalancedCluster b = BalancedCluster.compile(cluster("ns/b:80", 9101));

    private SessionAffinity session(SessionPersistenceSpec spec) {
        return SessionAffinity.compile(ROUTE, spec, List.<Cluster>of(a, b), now::get);
    }

    /** A request with one cookie or header; records what the rule told the cluster to prefer. */
    private static final class Request implements PickContext {
        final Map<String, String> values;
        InetSocketAddress preferred;
        long start = -1;

        Request(String name, String value) {
            this.values = Map.of(name, value);
        }

        @Override
        public String cookie(String name) {
            return values.get(name);
        }

        @Override
        public String header(CharSequence name) {
            return values.get(name.toString());
        }

        @Override
        public void preferred(InetSocketAddress endpoint, long sessionStart) {
            preferred = endpoint;
            start = sessionStart;
        }
    }

    private static String cookieValue(String[] setCookie) {
        assertThat(setCookie[0]).isEqualTo("set-cookie");
        return setCookie[1].substring(setCookie[1].indexOf('=') + 1, setCookie[1].indexOf(';'));
    }

    @Test
    void aTokenNamesItsEndpointOpaquelyAndSteersTheRequestThere() {
        SessionAffinity s = session(new SessionPersistenceSpec(SessionPersistenceSpec.Type.COOKIE, "sess",
                null, null, false));
        InetSocketAddress second = a.endpoints().get(1);
        String[] header = s.responseHeader(a, second, -1);
        assertThat(header[1]).startsWith("sess=").endsWith("; Path=/; HttpOnly").doesNotContain("Max-Age");
        String token = cookieValue(header);
        assertThat(token).doesNotContain("127").doesNotContain("9002");
        Request r = new Request("sess", token);
        assertThat(s.resolve(r)).isZero(); // backendRef 0, ns/a:80
        assertThat(r.preferred).isEqualTo(second);
        assertThat(r.start).isEqualTo(now.get());
        assertThat(s.responseHeader(a, second, r.start)).as("nothing to refresh without idleTimeout").isNull();
        // the other backendRef's endpoint resolves to index 1
        assertThat(s.resolve(new Request("sess", cookieValue(s.responseHeader(b, b.endpoints().get(0), -1)))))
                .isEqualTo(1);
    }

    @Test
    void tamperedForeignOrGarbageTokensAreIgnored() {
        SessionAffinity s = session(new SessionPersistenceSpec(SessionPersistenceSpec.Type.COOKIE, "sess",
                null, null, false));
        String token = cookieValue(s.responseHeader(a, a.endpoints().get(0), -1));
        char[] chars = token.toCharArray();
        chars[12] = chars[12] == 'A' ? 'B' : 'A';
        assertThat(s.resolve(new Request("sess", new String(chars)))).isEqualTo(-1);
        assertThat(s.resolve(new Request("sess", "not base64 !"))).isEqualTo(-1);
        assertThat(s.resolve(new Request("sess", "AAAA"))).isEqualTo(-1);
        SessionAffinity otherRule = SessionAffinity.compile(new RouteRef("HTTPRoute", "ns", "other", 0, null, 0),
                new SessionPersistenceSpec(SessionPersistenceSpec.Type.COOKIE, "sess", null, null, false),
                List.<Cluster>of(a, b), now::get);
        assertThat(otherRule.resolve(new Request("sess", token))).isEqualTo(-1);
    }

    @Test
    void absoluteAndIdleTimeoutsExpireTheSession() {
        SessionAffinity s = session(new SessionPersistenceSpec(SessionPersistenceSpec.Type.HEADER, "x-session",
                Duration.ofSeconds(100), Duration.ofSeconds(30), true));
        InetSocketAddress e = a.endpoints().get(0);
        String[] first = s.responseHeader(a, e, -1);
        assertThat(first[0]).isEqualTo("x-session");
        long start = now.get();
        now.addAndGet(20);
        Request r = new Request("x-session", first[1]);
        assertThat(s.resolve(r)).isZero();
        // idle timeout: every answer refreshes the token, keeping the session's start
        String[] refreshed = s.responseHeader(a, e, r.start);
        assertThat(refreshed).isNotNull();
        now.addAndGet(25); // 45 s after the first token, 25 after the refresh
        assertThat(s.resolve(new Request("x-session", first[1]))).as("idle for 45 s").isEqualTo(-1);
        Request again = new Request("x-session", refreshed[1]);
        assertThat(s.resolve(again)).isZero();
        assertThat(again.start).isEqualTo(start);
        now.set(start + 101);
        String[] fresh = s.responseHeader(a, e, again.start);
        assertThat(s.resolve(new Request("x-session", fresh[1]))).as("past absoluteTimeout").isEqualTo(-1);
    }

    @Test
    void permanentCookiesGetMaxAgeAndTheDefaultNameComesFromTheRoute() {
        SessionAffinity s = session(new SessionPersistenceSpec(SessionPersistenceSpec.Type.COOKIE, null,
                Duration.ofHours(1), null, true));
        assertThat(s.name()).startsWith("gatehouse-session-");
        assertThat(s.responseHeader(a, a.endpoints().get(0), -1)[1]).endsWith("; Path=/; HttpOnly; Max-Age=3600");
    }

    @Test
    void anUnroutableOrUnlistedEndpointEndsTheSession() {
        SessionAffinity s = session(new SessionPersistenceSpec(SessionPersistenceSpec.Type.COOKIE, "sess",
                null, null, false));
        String token = cookieValue(s.responseHeader(a, a.endpoints().get(0), -1));
        a.health().get(0).probeFailed("connection refused");
        a.health().get(0).probeFailed("connection refused");
        a.health().get(0).passiveFailure("refused");
        a.health().get(0).passiveFailure("refused");
        a.health().get(0).passiveFailure("refused");
        assertThat(a.routable(a.endpoints().get(0))).isFalse();
        assertThat(s.resolve(new Request("sess", token))).isEqualTo(-1);
        // a rule whose backends no longer list the endpoint
        SessionAffinity without = SessionAffinity.compile(ROUTE, new SessionPersistenceSpec(
                SessionPersistenceSpec.Type.COOKIE, "sess", null, null, false), Arrays.asList(null, b), now::get);
        assertThat(without.resolve(new Request("sess", token))).isEqualTo(-1);
    }
}
