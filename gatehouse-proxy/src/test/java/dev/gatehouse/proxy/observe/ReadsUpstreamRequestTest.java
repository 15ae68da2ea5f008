package dev.gatehouse.proxy.observe;

import dev.gatehouse.proxy.observe.trace.OtlpTracing;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Which observers read the upstream request head: the proxy writes its forwarding lines outside the header map only
 * when none does, so that a header one adds (traceparent) still comes after them, as it always did.
 */
class ReadsUpstreamRequestTest {
    private static final ExchangeObserver QUIET = new ExchangeObserver() {
        @Override
        public void onComplete(RequestLog log) {
        }
    };
    private static final ExchangeObserver READER = new ExchangeObserver() {
        @Override
        public void onUpstreamRequest(RequestLog log, HttpHeaders upstreamHeaders) {
        }

        @Override
        public boolean readsUpstreamRequest() {
            return true;
        }
    };

    @Test
    void tracingReadsItOthersDoNot() throws Exception {
        try (OtlpTracing tracing = new OtlpTracing("http://127.0.0.1:1/v1/traces", 1.0, Duration.ofSeconds(60))) {
            assertThat(tracing.readsUpstreamRequest()).isTrue();
            assertThat(ExchangeObservers.of(List.of(QUIET, tracing)).readsUpstreamRequest()).isTrue();
        }
        assertThat(ExchangeObserver.NOOP.readsUpstreamRequest()).isFalse();
        assertThat(QUIET.readsUpstreamRequest()).isFalse();
        assertThat(ExchangeObservers.of(List.of(QUIET, QUIET)).readsUpstreamRequest()).isFalse();
        assertThat(ExchangeObservers.of(List.of(QUIET, READER)).readsUpstreamRequest()).isTrue();
    }
}
