package dev.gatehouse.routing.balance;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.gatehouse.routing.balance.HealthState.HEALTHY;
import static dev.gatehouse.routing.balance.HealthState.UNHEALTHY;
import static dev.gatehouse.routing.balance.HealthState.UNKNOWN;
import static org.assertj.core.api.Assertions.assertThat;

/** The health state machine as pure functions: no clocks, no sockets. */
class HealthVerdictTest {
    private static final HealthPolicy ACTIVE = HealthPolicy.withActiveChecks();
    private static final HealthPolicy PASSIVE = HealthPolicy.passiveOnly();
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
    private static final long SECOND = Duration.ofSeconds(1).toNanos();

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void firstSuccessMakesUnknownHealthy() {
        HealthVerdict v = HealthVerdict.unknown(T0).onProbeSuccess(ACTIVE, at(1));
        assertThat(v.state()).isEqualTo(HEALTHY);
        assertThat(v.since()).isEqualTo(at(1));
        assertThat(v.consecutiveSuccesses()).isEqualTo(1);
    }

    @Test
    void twoFailuresMakeUnhealthyAndTheSinceIsTheSecond() {
        HealthVerdict v = HealthVerdict.unknown(T0).onProbeSuccess(ACTIVE, at(1))
                .onProbeFailure(ACTIVE, "connection refused", at(2));
        assertThat(v.state()).isEqualTo(HEALTHY);
        assertThat(v.lastFailure()).isEqualTo("connection refused");
        assertThat(v.since()).isEqualTo(at(1));
        v = v.onProbeFailure(ACTIVE, "connect timeout", at(3));
        assertThat(v.state()).isEqualTo(UNHEALTHY);
        assertThat(v.since()).isEqualTo(at(3));
        assertThat(v.lastFailure()).isEqualTo("connect timeout");
        assertThat(v.consecutiveFailures()).isEqualTo(2);
    }

    @Test
    void unknownNeedsTwoFailuresToo() {
        HealthVerdict v = HealthVerdict.unknown(T0).onProbeFailure(ACTIVE, "refused", at(1));
        assertThat(v.state()).isEqualTo(UNKNOWN);
        assertThat(v.onProbeFailure(ACTIVE, "refused", at(2)).state()).isEqualTo(UNHEALTHY);
    }

    @Test
    void aSuccessBreaksTheFailureStreak() {
        HealthVerdict v = HealthVerdict.unknown(T0).onProbeSuccess(ACTIVE, at(1))
                .onProbeFailure(ACTIVE, "refused", at(2))
                .onProbeSuccess(ACTIVE, at(3))
                .onProbeFailure(ACTIVE, "refused", at(4));
        assertThat(v.state()).isEqualTo(HEALTHY);
        assertThat(v.consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void unhealthyNeedsTwoSuccessesToComeBack() {
        HealthVerdict v = HealthVerdict.unknown(T0)
                .onProbeFailure(ACTIVE, "refused", at(1))
                .onProbeFailure(ACTIVE, "refused", at(2))
                .onProbeSuccess(ACTIVE, at(3));
        assertThat(v.state()).isEqualTo(UNHEALTHY);
        assertThat(v.since()).isEqualTo(at(2));
        v = v.onProbeSuccess(ACTIVE, at(4));
        assertThat(v.state()).isEqualTo(HEALTHY);
        assertThat(v.since()).isEqualTo(at(4));
        assertThat(v.lastFailure()).isEqualTo("refused");
    }

    @Test
    void threePassiveFailuresWithinTheWindowEject() {
        HealthVerdict v = HealthVerdict.unknown(T0).onProbeSuccess(ACTIVE, at(0));
        v = v.onPassiveFailure(ACTIVE, "connection reset", at(1), SECOND);
        v = v.onPassiveFailure(ACTIVE, "connection reset", at(2), 2 * SECOND);
        assertThat(v.state()).isEqualTo(HEALTHY);
        assertThat(v.passiveFailures()).isEqualTo(2);
        v = v.onPassiveFailure(ACTIVE, "connection refused", at(3), 3 * SECOND);
        assertThat(v.state()).isEqualTo(UNHEALTHY);
        assertThat(v.lastFailure()).isEqualTo("connection refused");
        assertThat(v.timedEjection()).as("active checks bring it back, not a timer").isFalse();
        assertThat(v.ejectionElapsed(Long.MAX_VALUE)).isFalse();
    }

    @Test
    void passiveFailuresFartherApartThanTheWindowStartOver() {
        HealthVerdict v = HealthVerdict.unknown(T0);
        v = v.onPassiveFailure(PASSIVE, "refused", at(0), 0);
        v = v.onPassiveFailure(PASSIVE, "refused", at(5), 5 * SECOND);
        v = v.onPassiveFailure(PASSIVE, "refused", at(11), 11 * SECOND); // 11 s after the first: a new window
        assertThat(v.state()).isEqualTo(UNKNOWN);
        assertThat(v.passiveFailures()).isEqualTo(1);
    }

    @Test
    void aProbeSuccessClearsThePassiveStreak() {
        HealthVerdict v = HealthVerdict.unknown(T0)
                .onPassiveFailure(ACTIVE, "refused", at(0), 0)
                .onPassiveFailure(ACTIVE, "refused", at(0), 1)
                .onProbeSuccess(ACTIVE, at(1))
                .onPassiveFailure(ACTIVE, "refused", at(1), 2);
        assertThat(v.state()).isEqualTo(HEALTHY);
        assertThat(v.passiveFailures()).isEqualTo(1);
    }

    @Test
    void withoutActiveChecksAnEjectionEndsAfterTenSeconds() {
        HealthVerdict v = HealthVerdict.unknown(T0);
        for (int i = 0; i < 3; i++) {
            v = v.onPassiveFailure(PASSIVE, "refused", at(0), i);
        }
        assertThat(v.state()).isEqualTo(UNHEALTHY);
        assertThat(v.timedEjection()).isTrue();
        assertThat(v.ejectionElapsed(2 + 10 * SECOND - 1)).isFalse();
        assertThat(v.ejectionElapsed(2 + 10 * SECOND)).isTrue();
        HealthVerdict back = v.onEjectionElapsed(at(10));
        assertThat(back.state()).as("routable, but nothing has shown it works").isEqualTo(UNKNOWN);
        assertThat(back.lastFailure()).isEqualTo("refused");
        assertThat(back.passiveFailures()).isZero();
    }

    @Test
    void probesThatConfirmATimedEjectionKeepItUntilTheyPass() {
        // a policy's active check on an endpoint the CLI does not probe: passive ejections are timed
        HealthVerdict v = HealthVerdict.unknown(T0);
        for (int i = 0; i < 3; i++) {
            v = v.onPassiveFailure(PASSIVE, "refused", at(0), i);
        }
        v = v.onProbeFailure(PASSIVE, "connection refused", at(1));
        assertThat(v.timedEjection()).as("one failed probe is not yet a verdict").isTrue();
        v = v.onProbeFailure(PASSIVE, "connection refused", at(2));
        assertThat(v.timedEjection()).isFalse();
        assertThat(v.ejectionElapsed(60 * SECOND)).as("the clock no longer brings it back").isFalse();
        v = v.onProbeSuccess(PASSIVE, at(3)).onProbeSuccess(PASSIVE, at(4));
        assertThat(v.state()).isEqualTo(HEALTHY);
    }

    @Test
    void passiveFailuresOfAnUnhealthyEndpointOnlyUpdateTheReason() {
        HealthVerdict v = HealthVerdict.unknown(T0)
                .onProbeFailure(ACTIVE, "refused", at(1))
                .onProbeFailure(ACTIVE, "refused", at(2));
        HealthVerdict after = v.onPassiveFailure(ACTIVE, "connection reset", at(3), 3 * SECOND);
        assertThat(after.state()).isEqualTo(UNHEALTHY);
        assertThat(after.since()).isEqualTo(at(2));
        assertThat(after.lastFailure()).isEqualTo("connection reset");
    }
}
