package dev.gatehouse.proxy.server;

import dev.gatehouse.ir.TimeoutSpec;
import dev.gatehouse.routing.filter.FilterResult;
import dev.gatehouse.routing.filter.HttpExchange;
import dev.gatehouse.routing.filter.HttpFilter;
import dev.gatehouse.proxy.observe.Observability;
import dev.gatehouse.proxy.observe.metrics.GatewayMetrics;
import dev.gatehouse.routing.route.Backend;
import dev.gatehouse.routing.route.HttpPortRouter;
import dev.gatehouse.proxy.testing.RawHttp;
import dev.gatehouse.proxy.testing.TestBackend;
import dev.gatehouse.proxy.testing.TestRouting;
import dev.gatehouse.proxy.testing.TestRouting.TestCluster;
import dev.gatehouse.proxy.testing.TestRouting.TestRoute;
import dev.gatehouse.proxy.testing.TestRouting.TestRouter;
import io.netty.handler.codec.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A filter that throws fails closed: a response filter's exception gets a 500 instead of the backend's response
 * (which may be the one the filter was meant to change), a request filter's too; both are counted by route and
 * phase, with no series before the first failure.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FilterFailureTest {
    @Test
    void aThrowingFilterAnswers500AndIsCounted() throws Exception {
        GatewayMetrics metrics = new GatewayMetrics();
        try (TestBackend backend = new TestBackend()) {
            TestCluster cluster = new TestCluster("default/b:80", List.of(backend.address()));
            HttpFilter responseThrows = new HttpFilter() {
                @Override
                public void onResponse(HttpExchange exchange, HttpResponse response) {
                    throw new IllegalStateException("boom in onResponse");
                }
            };
            HttpFilter requestThrows = new HttpFilter() {
                @Override
                public FilterResult onRequest(HttpExchange exchange) {
                    throw new IllegalStateException("boom in onRequest");
                }
            };
            int port = ProxyIntegrationTest.freePort();
            GatewayServer gateway = new GatewayServer(ServerOptions.defaults().withBindAddress("127.0.0.1"),
                    new Observability(true, true, false, metrics));
            try {
                gateway.apply(TestRouting.snapshot(Map.<Integer, HttpPortRouter>of(port, new TestRouter()
                        .pathPrefix("/resp", new TestRoute("resp", List.of(responseThrows),
                                new Backend(cluster, List.of(), null), TimeoutSpec.NONE))
                        .pathPrefix("/req", new TestRoute("req", List.of(requestThrows),
                                new Backend(cluster, List.of(), null), TimeoutSpec.NONE))
                        .pathPrefix("/", TestRoute.to(cluster)))));
                assertThat(metrics.scrape()).doesNotContain("gatehouse_http_filter_failures_total");

                RawHttp.Reply resp = RawHttp.send(port, "GET /resp HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 5000);
                assertThat(resp.status()).isEqualTo(500);
                assertThat(resp.text()).contains("response filter failed").containsIgnoringCase("x-request-id: ")
                        .doesNotContain("method=GET");
                // a POST whose body is still coming when the head fails: the body is dropped, nothing leaks
                RawHttp.Reply post = RawHttp.send(port, "POST /resp/upload HTTP/1.1\r\nHost: a\r\n"
                        + "Content-Length: 5\r\nConnection: close\r\n\r\nhello", 5000);
                assertThat(post.status()).isEqualTo(500);
                RawHttp.Reply req = RawHttp.send(port, "GET /req HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 5000);
                assertThat(req.status()).isEqualTo(500);
                assertThat(req.text()).contains("filter failed");
                assertThat(RawHttp.send(port, "GET /ok HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n", 5000)
                        .status()).isEqualTo(200);

                String text = metrics.scrape();
                assertThat(text).contains("gatehouse_http_filter_failures_total{phase=\"response\",route=\"default/resp#0\"} 2.0")
                        .contains("gatehouse_http_filter_failures_total{phase=\"request\",route=\"default/req#0\"} 1.0");
                assertThat(backend.requests.get()).as("the request filter failed before the backend").isEqualTo(3);
            } finally {
                gateway.close();
            }
        }
    }
}
